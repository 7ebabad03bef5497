"""Fixtures for the sync tests: a sandbox with the package deployed (once per session, copied per test),
and a project folder with a sync configuration over copies of the example workbooks."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

ROOT = Path(__file__).parents[2]
EXAMPLES = ROOT / "config" / "examples"
MAPPINGS = ROOT / "config" / "mappings"


def env(sb) -> dict:
    return {"DHIS2_USERNAME": sb.username, "DHIS2_PASSWORD": sb.password, "DHIS2_TOKEN": None, "DHIS2_URL": None,
            "DHIS2_MCH_CONFIG": None, "DHIS2_MCH_SYNC_KILL": None}  # fmt: skip


@pytest.fixture(scope="session")
def deployed_db(tmp_path_factory):
    from dhis2_mch.cli import cli
    from dhis2_mch.sandbox import Sandbox

    db = tmp_path_factory.mktemp("sync-db") / "deployed.sqlite"
    with Sandbox("2.40", db) as sb:
        result = CliRunner(env=env(sb)).invoke(cli, ["deploy", "--metadata", str(ROOT / "metadata"), "--url", sb.url])
        assert result.exit_code == 0, result.output
    return db


class Requests(list):
    """The sandbox's request log lines (method, path, status), to see what reached the server."""

    def __call__(self, line: str) -> None:
        self.append(line)

    def __bool__(self) -> bool:  # the server logs only when its log is truthy
        return True

    def posts(self, path: str) -> list[str]:
        return [line for line in self if f'"POST /api/{path}' in line]


@pytest.fixture
def server(sandbox_factory, deployed_db, tmp_path):
    db = tmp_path / "server.sqlite"
    shutil.copy(deployed_db, db)
    log = Requests()
    sb = sandbox_factory("2.40", db=db, log=log)
    sb.requests = log
    return sb


def write_config(folder: Path, **extra) -> Path:
    """A sync.yaml over ``inbox/emt/*.xlsx`` and ``inbox/f1000/*.xlsx`` with the shipped mappings."""
    config = {
        "ledger": str(folder / "ledger.sqlite"),
        "log": str(folder / "runs.jsonl"),
        "metadata": str(ROOT / "metadata"),
        "chunk_size": 100,
        "retries": {"attempts": 2, "delay": 0, "request_attempts": 2, "backoff": 0},
        "sources": [
            {"name": "emt-lam-dong", "files": str(folder / "inbox/emt/*.xlsx"),
             "mapping": str(MAPPINGS / "emt_monthly.yaml")},
            {"name": "f1000-lao-cai", "files": str(folder / "inbox/f1000/*.xlsx"),
             "mapping": str(MAPPINGS / "f1000_monthly.yaml")},
        ],
        **extra,
    }  # fmt: skip
    for sub in ("emt", "f1000"):
        (folder / "inbox" / sub).mkdir(parents=True, exist_ok=True)
    path = folder / "sync.yaml"
    path.write_text(json.dumps(config, ensure_ascii=False), encoding="utf-8")  # JSON is YAML
    return path


def drop_examples(folder: Path) -> tuple[Path, Path]:
    emt = folder / "inbox/emt/emt_monthly_lam_dong.xlsx"
    f1000 = folder / "inbox/f1000/f1000_monthly_lao_cai.xlsx"
    shutil.copy(EXAMPLES / "emt_monthly_lam_dong.xlsx", emt)
    shutil.copy(EXAMPLES / "f1000_monthly_lao_cai.xlsx", f1000)
    return emt, f1000


def sync(sb, config: Path, *args: str):
    from dhis2_mch.cli import cli

    result = CliRunner(env=env(sb)).invoke(cli, ["sync", "run", "--config", str(config), "--url", sb.url,
                                                 "--format", "json", *args])  # fmt: skip
    assert "Traceback" not in result.output, result.output
    report = json.loads(result.stdout) if result.stdout.strip().startswith("{") else None
    return result, report
