"""``dhis2-mch --help`` is answered from click's own text kept beside the bytecode, without importing click."""

import os
import shutil
import subprocess
import sys

import pytest

from dhis2_mch import launch

FAST = """
import sys
sys.argv = ["dhis2-mch", "--help"]
from dhis2_mch.launch import main
main()
print("IMPORTED:" + ",".join(sorted(m for m in ("click", "typing", "pydantic", "pandas") if m in sys.modules)))
"""
CLICK = """
import sys
from dhis2_mch.cli import cli
try:
    cli(["--help"], prog_name="dhis2-mch")
except SystemExit:
    pass
"""


@pytest.mark.parametrize("columns", ["100", "60"])
def test_help_is_clicks_own_text_and_the_second_time_imports_no_click(columns, tmp_path):
    env = {**os.environ, "COLUMNS": columns}
    run = [sys.executable, "-c"]
    expected = subprocess.run([*run, CLICK], capture_output=True, text=True, check=True, env=env, cwd=tmp_path).stdout
    subprocess.run([*run, FAST], capture_output=True, text=True, check=True, env=env, cwd=tmp_path)  # renders, keeps
    out = subprocess.run([*run, FAST], capture_output=True, text=True, check=True, env=env, cwd=tmp_path).stdout
    text, _, imported = out.rpartition("IMPORTED:")
    assert text == expected and "Commands:" in text
    assert imported.strip() == ""


def test_a_changed_command_module_renders_afresh(tmp_path, monkeypatch):
    copy = tmp_path / "cli"
    shutil.copytree(launch.CLI_DIR, copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(launch, "CLI_DIR", str(copy))
    monkeypatch.setenv("COLUMNS", "80")
    before = launch._cache_path()
    (copy / "metadata.py").write_text((copy / "metadata.py").read_text() + "\n# edited\n")
    assert launch._cache_path() != before
    monkeypatch.setenv("COLUMNS", "70")
    assert launch._cache_path() != before


def test_loading_pauses_the_collector_and_freezes_only_in_the_scripts_own_process(monkeypatch):
    """What a command's imports create lives until the exit of the script's process: collecting while they
    load, and walking them in every later full collection, is wasted. A library caller (here pytest) keeps
    its collector untouched."""
    import gc

    frozen = gc.get_freeze_count()
    with launch.loading():
        assert gc.isenabled()
    assert gc.get_freeze_count() == frozen
    monkeypatch.setattr(launch, "_OWN_PROCESS", True)
    try:
        with launch.loading():
            assert not gc.isenabled()
            made = [[i] for i in range(1000)]
        assert gc.isenabled() and gc.get_freeze_count() >= frozen + len(made)
    finally:
        gc.unfreeze()
