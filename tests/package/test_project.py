"""Project → compile(version) → Compiled: one load, one error policy, for any source."""

import json
import re
import tomllib
from pathlib import Path

import pytest

from dhis2_mch.errors import InputError, PackageInvalid, ValidationFailed
from dhis2_mch.model.objects import DataElement, DataSet
from dhis2_mch.package import load, shipped_package
from dhis2_mch.project import Compiled, Project

ROOT = Path(__file__).parents[2]
EXAMPLE = ROOT / "tests" / "fixtures" / "example"


def test_the_shipped_package_is_the_default_wherever_it_runs(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    compiled = Project.load().compile("2.40")
    assert compiled.errors == [] and compiled.metadata.count() > 300
    assert shipped_package() == (ROOT / "metadata").resolve()  # in a checkout: the folder people edit


def test_the_wheel_carries_every_file_of_the_package():
    """pyproject's package-data globs, applied as setuptools does, find every authoring file and the figures."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["dhis2_mch"]
    package_dir = ROOT / "src" / "dhis2_mch"
    shipped = {p.relative_to(package_dir).as_posix() for pattern in patterns for p in package_dir.glob(pattern)}
    wanted = {f"programmes/{p.relative_to(ROOT / 'metadata').as_posix()}" for p in (ROOT / "metadata").rglob("*.yaml")}
    assert wanted and wanted <= shipped
    assert "examples/seed_figures.csv" in shipped


def test_compile_gives_typed_objects_and_uids():
    compiled = Project.load(EXAMPLE).compile((2, 40))
    assert isinstance(compiled, Compiled) and compiled.version == (2, 40)
    weighed = next(de for de in compiled.metadata.of(DataElement) if de.code == "EX_WEIGHED")
    assert compiled.uid("dataElements", "EX_WEIGHED") == weighed.id
    (ds,) = compiled.objects(DataSet)
    assert {d.dataElement.id for d in ds.dataSetElements or [] if d.dataElement} >= {weighed.id}
    assert compiled.payload()["dataElements"][0]["id"] in {o.id for o in compiled.metadata.of("dataElements")}
    with pytest.raises(TypeError):
        compiled.metadata.of(Compiled)  # type: ignore[arg-type]


def test_the_same_project_compiles_per_version(tmp_path):
    # a data set without a short name: required (E4000) from DHIS2 2.40 on, fine before
    folder = tmp_path / "pkg"
    folder.mkdir()
    (folder / "a.yaml").write_text(
        "dataSets:\n  - {code: DS_A, name: A data set, periodType: Monthly}\n", encoding="utf-8"
    )
    project = Project.load(folder)
    old, new = project.compile("2.39"), project.compile("40.2.2")
    assert [e.code for e in old.errors] == []
    assert [(e.code, e.property) for e in new.errors] == [("E4000", "shortName")]
    assert old.for_version((2, 39)) is old
    assert [e.code for e in old.for_version("2.40").errors] == ["E4000"]


def test_require_valid_is_the_one_error_policy(tmp_path):
    folder = tmp_path / "pkg"
    folder.mkdir()
    (folder / "a.yaml").write_text(
        "dataElements:\n  - {code: DE_A, name: A, shortName: A, categoryCombo: NOPE}\n", encoding="utf-8"
    )
    compiled = Project.load(folder).compile()
    with pytest.raises(PackageInvalid) as caught:
        compiled.require_valid("nothing was sent")
    assert isinstance(caught.value, ValidationFailed)
    assert re.search(r"1 validation errors for DHIS2 2\.40; nothing was sent:\n  .*a\.yaml:2: E5002", str(caught.value))
    assert Project.load(EXAMPLE).compile().require_valid().ok


def test_a_dhis2_json_file_and_memory_compile_the_same(tmp_path):
    built = Project.load(EXAMPLE).compile().payload()
    path = tmp_path / "built.json"
    path.write_text(json.dumps(built), encoding="utf-8")
    from_file = Project.load(path).compile()
    from_dict = Project.from_dict(built).compile()
    md, findings = load(path)
    from_memory = Project.from_metadata(md, findings).compile()
    for compiled in (from_file, from_dict, from_memory):
        assert compiled.errors == []
        assert compiled.payload() == built


def test_unreadable_sources_are_input_errors(tmp_path):
    with pytest.raises(InputError, match="no such file or folder"):
        Project.load(tmp_path / "nope")
    with pytest.raises(InputError, match=r"expected a version such as 2\.40"):
        Project.load(EXAMPLE).compile("two point forty")
