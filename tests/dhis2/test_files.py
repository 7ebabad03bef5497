"""Files written whole or not at all, and backups named by instance and time."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime

import pytest

from dhis2_mch.deploy.backup import backup_name, write_backup
from dhis2_mch.dhis2.connection import Connection
from dhis2_mch.files import atomic_write, write_text


def test_a_failure_midway_leaves_the_previous_file_untouched(tmp_path):
    path = tmp_path / "export.json"
    path.write_text("previous export", encoding="utf-8")
    with pytest.raises(RuntimeError), atomic_write(path) as f:
        f.write("half of the new")
        raise RuntimeError("disk full, Ctrl-C, a bug ...")
    assert path.read_text(encoding="utf-8") == "previous export"
    assert os.listdir(tmp_path) == ["export.json"]  # no temporary file left behind


def test_the_new_content_replaces_the_old_and_gets_ordinary_permissions(tmp_path):
    path = write_text(tmp_path / "sub" / "rejected.csv", "Mã,Lý do\n")
    assert path.read_text(encoding="utf-8") == "Mã,Lý do\n"
    umask = os.umask(0o022)
    os.umask(umask)
    if os.name == "posix":
        assert path.stat().st_mode & 0o777 == 0o666 & ~umask


def test_backups_are_named_by_instance_and_time(tmp_path):
    conn = Connection("https://dhis2.example.org:8443/dhis", token="d2pat_x", name="staging")
    when = datetime(2026, 12, 1, 15, 1, 2, tzinfo=UTC)
    assert backup_name(conn, when) == "staging-20261201T150102Z"
    anonymous = Connection("https://dhis2.example.org:8443/dhis", token="d2pat_x")
    assert backup_name(anonymous, when) == "dhis2.example.org_8443-20261201T150102Z"
    first = write_backup({"dataElements": [{"id": "a"}]}, conn, tmp_path)
    second = write_backup({"dataElements": [{"id": "b"}]}, conn, tmp_path)
    assert first.name.startswith("staging-2") and first != second  # same second: a numbered name, not a clobber
    assert json.loads(first.read_text(encoding="utf-8")) == {"dataElements": [{"id": "a"}]}
