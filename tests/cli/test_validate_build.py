"""``dhis2-mch validate`` and ``build`` as a user runs them: exit codes, messages, files written."""

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from dhis2_mch.cli import cli
from support.schemas import errors as schema_errors
from support.schemas import schema_name

EXAMPLE = Path(__file__).parents[1] / "fixtures" / "example"


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    """A project folder whose metadata/ is the example package."""
    shutil.copytree(EXAMPLE, tmp_path / "metadata")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def invoke(*args):
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result


def test_validate_defaults_to_the_shipped_package_wherever_it_runs(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # an empty folder: no metadata/ here
    result = invoke("validate", "--format", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["errors"] == [] and report["objects"] > 300


def test_validate_names_the_folder(workdir):
    result = invoke("validate", "metadata")
    assert result.exit_code == 0, result.output
    assert "metadata: 26 objects, 0 errors, 0 warnings" in result.output


def test_validate_json_output_shape(workdir):
    result = invoke("validate", "metadata", "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.output) == {"errors": [], "warnings": [], "objects": 26}


def test_validate_reports_errors_with_location_and_exits_1(workdir):
    path = workdir / "metadata" / "demo" / "aggregate.yaml"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    line = next(i for i, text in enumerate(lines, 1) if "indicatorType: EX_PERCENT" in text)
    lines[line - 1] = lines[line - 1].replace("EX_PERCENT", "EX_PERCNT")
    path.write_text("".join(lines), encoding="utf-8")
    result = invoke("validate", "metadata", "--format", "json")
    assert result.exit_code == 1
    (err,) = json.loads(result.output)["errors"]
    assert set(err) == {"code", "type", "id", "name", "property", "message", "location"}
    assert (err["code"], err["type"], err["property"]) == ("E5002", "indicator", "indicatorType")
    assert "did you mean `EX_PERCENT`?" in err["message"]
    assert err["location"] == f"metadata/demo/aggregate.yaml:{line}"
    text = invoke("validate", "metadata")
    assert text.exit_code == 1
    assert f"metadata/demo/aggregate.yaml:{line}: E5002 indicator 'EX - Underweight %'" in text.output


@pytest.mark.parametrize("package", ["NUT_AGG_2.40", "IMM_BCU_2.40"])
def test_validate_who_package_reports_zero_errors(shared_dir, package):
    path = shared_dir / "dhis2" / "packages" / package / "metadata.json"
    result = invoke("validate", str(path), "--format", "json")
    assert result.exit_code == 0
    report = json.loads(result.output)
    assert report["errors"] == [] and report["objects"] > 200


def test_validate_several_paths(workdir, shared_dir):
    nut = shared_dir / "dhis2" / "packages" / "NUT_AGG_2.40" / "metadata.json"
    result = invoke("validate", "metadata", str(nut), "--format", "json")
    assert result.exit_code == 0
    assert [r["path"] for r in json.loads(result.output)["reports"]] == ["metadata", str(nut)]


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        ('{"dataElements": [', "malformed JSON"),
        ("[1, 2]", "not a DHIS2 metadata file"),
        (b"\xff\xfe\x00garbage", "not UTF-8"),
    ],
)
def test_unreadable_json_exits_2_without_traceback(tmp_path, content, fragment):
    path = tmp_path / "package.json"
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    result = CliRunner().invoke(cli, ["validate", str(path)])
    assert result.exit_code == 2
    assert fragment in result.output and str(path) in result.output
    assert "Traceback" not in result.output


def test_missing_path_exits_2(tmp_path):
    result = CliRunner().invoke(cli, ["validate", str(tmp_path / "nope")])
    assert result.exit_code == 2
    assert "no such file or folder" in result.output


def test_malformed_yaml_exits_2_naming_file_and_line(workdir):
    (workdir / "metadata" / "broken.yaml").write_text("dataElements:\n  - code: [x\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["validate", "metadata", "--format", "json"])
    assert result.exit_code == 2
    assert "metadata/broken.yaml:3:1: malformed YAML" in result.stderr
    assert json.loads(result.stdout)["error"]["type"] == "InputError"


def test_build_twice_is_byte_identical(workdir):
    assert invoke("build", "--metadata", "metadata").exit_code == 0
    first = (workdir / "build" / "metadata.json").read_bytes()
    assert invoke("build", "--metadata", "metadata", "--out", "again.json").exit_code == 0
    assert (workdir / "again.json").read_bytes() == first
    built = json.loads(first)
    assert next(iter(built)) == "package"
    assert len(built["categoryOptionCombos"]) == 4


def test_build_refuses_to_write_when_there_are_errors(workdir):
    path = workdir / "metadata" / "demo" / "aggregate.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("periodType: Monthly", "periodType: Monthy"))
    result = CliRunner().invoke(cli, ["build", "--metadata", "metadata"])
    assert result.exit_code == 1
    assert "1 validation errors for DHIS2 2.40; nothing was written to build/metadata.json" in result.output
    assert "did you mean Monthly?" in result.output
    assert not (workdir / "build" / "metadata.json").exists()


def test_build_json_report(workdir):
    result = invoke("build", "--metadata", "metadata", "--format", "json")
    report = json.loads(result.output)
    assert report["objects"] == 26 and report["counts"]["dataElements"] == 4


def test_build_passes_the_official_schema_for_every_type(workdir, shared_dir):
    assert invoke("build", "--metadata", "metadata").exit_code == 0
    built = json.loads((workdir / "build" / "metadata.json").read_text(encoding="utf-8"))
    folder = shared_dir / "dhis2" / "schemas" / "v40.2.2"
    problems = [
        problem
        for plural, objects in built.items()
        if isinstance(objects, list)
        for obj in objects
        for problem in schema_errors(folder, schema_name(plural), obj)
    ]
    assert problems == []
    assert {p for p, v in built.items() if isinstance(v, list)} >= {"dataElements", "programs", "categoryOptionCombos"}
