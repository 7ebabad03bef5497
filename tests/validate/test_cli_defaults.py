"""``dhis2-mch validate`` judges a package at its own DHIS2 version and by DHIS2's rules only, unless asked."""

from __future__ import annotations

import json

from click.testing import CliRunner

from dhis2_mch.cli import cli


def _package(tmp_path, version: str | None):
    """A 2.39-era package whose category option has no short name: DHIS2 requires one from 2.40 only."""
    data = {"categoryOptions": [{"id": "abcdefghijk", "code": "co", "name": "An option"}]}
    if version:
        data["package"] = {"code": "X", "DHIS2Version": version}
    path = tmp_path / "package.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return str(path)


def test_the_package_own_version_is_the_default(tmp_path):
    result = CliRunner().invoke(cli, ["validate", _package(tmp_path, "2.39.3.1")])
    assert result.exit_code == 0, result.output
    assert "1 objects, 0 errors, 0 warnings (DHIS2 2.39)" in result.output
    asked = CliRunner().invoke(cli, ["validate", _package(tmp_path, "2.39.3.1"), "--dhis2-version", "2.40"])
    assert asked.exit_code == 1
    assert "E4000 categoryOption 'An option' [abcdefghijk]: Missing required property `shortName`" in asked.output


def test_without_a_declared_version_2_40_applies(tmp_path):
    result = CliRunner().invoke(cli, ["validate", _package(tmp_path, None)])
    assert result.exit_code == 1 and "(DHIS2 2.40)" in result.output


def test_project_conventions_only_when_asked_on_a_json_package(tmp_path):
    path = _package(tmp_path, "2.39")
    plain = CliRunner().invoke(cli, ["validate", path, "--format", "json"])
    assert json.loads(plain.output)["warnings"] == []
    asked = CliRunner().invoke(cli, ["validate", path, "--format", "json", "--conventions"])
    assert {w["code"] for w in json.loads(asked.output)["warnings"]} == {"MCH102"}  # no vi translation
