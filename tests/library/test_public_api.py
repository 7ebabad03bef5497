"""The public API: a handful of documented names, enough for the whole flow from an empty folder."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import dhis2_mch

SCRIPT = Path(__file__).with_name("public_api_script.py")


def test_every_public_name_is_documented_and_importable():
    assert "Project" in dhis2_mch.__all__ and "push_frame" in dhis2_mch.__all__
    undocumented = [
        name
        for name in dhis2_mch.__all__
        if name != "__version__" and not (getattr(dhis2_mch, name).__doc__ or "").strip()
    ]
    assert undocumented == []


def test_deploy_is_the_function_even_after_its_subpackage_is_imported():
    import dhis2_mch.deploy.apply  # the subpackage of the same name

    assert callable(dhis2_mch.deploy) and dhis2_mch.deploy.__name__ == "deploy"


def test_the_script_uses_public_names_only():
    imported = set()
    for node in ast.walk(ast.parse(SCRIPT.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            imported |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            imported.add(node.module or "")
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "mch":
            assert node.attr in dhis2_mch.__all__, node.attr
    assert {m for m in imported if m.startswith("dhis2_mch")} == {"dhis2_mch"}


def test_the_whole_flow_from_an_empty_folder(tmp_path):
    done = subprocess.run([sys.executable, str(SCRIPT)], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("validated:") and ", 0 errors" in lines[0]
    assert lines[1].startswith("planned:") and lines[1].endswith(", 0 conflicts")
    assert lines[2].startswith("deploy: deployed:")
    assert lines[3] == "read back: ['7']"
    assert list(tmp_path.iterdir()) == []


def test_connect_names_the_server_as_the_cli_does(sandbox, monkeypatch):
    monkeypatch.setenv("DHIS2_TOKEN", sandbox.token)
    monkeypatch.delenv("DHIS2_USERNAME", raising=False)
    with dhis2_mch.connect(url=sandbox.url) as conn:
        assert conn.version[:2] == (2, 40) and conn.base_url == sandbox.url
    monkeypatch.delenv("DHIS2_TOKEN")
    monkeypatch.delenv("DHIS2_PASSWORD", raising=False)
    with pytest.raises(dhis2_mch.ConfigError, match="set DHIS2_TOKEN"):
        dhis2_mch.connect(url=sandbox.url)
