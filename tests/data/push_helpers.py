"""Helpers of the push tests: run the CLI against a sandbox, read what the server holds."""

import json
from pathlib import Path

from click.testing import CliRunner

from dhis2_mch.cli import cli
from dhis2_mch.model.uid import derive_uid

ROOT = Path(__file__).parents[2]
HEADER = "orgUnit,period,dataElement,categoryOptionCombo,value,comment\n"


def _env(sb, user=None):
    return {"DHIS2_USERNAME": user or sb.username, "DHIS2_PASSWORD": sb.password, "DHIS2_TOKEN": None,
            "DHIS2_URL": None, "DHIS2_MCH_CONFIG": None}  # fmt: skip


def push(sb, path, *args, user=None):
    result = CliRunner(env=_env(sb, user)).invoke(cli, ["push", str(path), "--url", sb.url, "--format", "json", *args])
    assert "Traceback" not in result.output
    return result, (json.loads(result.stdout) if result.stdout.strip().startswith("{") else None)


def push_text(sb, path, *args):
    result = CliRunner(env=_env(sb)).invoke(cli, ["push", str(path), "--url", sb.url, *args])
    assert "Traceback" not in result.output
    return result


def stored(sb):
    return {(v["de"], v["pe"], v["ou"], v["coc"]): v["value"] for v in sb.data_values()}


def de(code):
    return derive_uid("dataElement", code)
