"""Shared by the push tests: a sandbox with the programmes' package deployed once, copied per test."""

import shutil

import pytest
from click.testing import CliRunner
from push_helpers import ROOT, _env

from dhis2_mch.cli import cli


@pytest.fixture(scope="session")
def deployed_db(tmp_path_factory):
    """A sandbox database with the programme package deployed once, copied for each test."""
    from dhis2_mch.sandbox import Sandbox

    db = tmp_path_factory.mktemp("db") / "deployed.sqlite"
    with Sandbox("2.40", db) as sb:
        sb.start()
        result = CliRunner(env=_env(sb)).invoke(cli, ["deploy", "--metadata", str(ROOT / "metadata"), "--url", sb.url])
        assert result.exit_code == 0, result.output
    return db


@pytest.fixture
def server(sandbox_factory, deployed_db, tmp_path, monkeypatch):
    db = tmp_path / "server.sqlite"
    shutil.copy(deployed_db, db)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "metadata").symlink_to(ROOT / "metadata")
    return sandbox_factory("2.40", db=db)
