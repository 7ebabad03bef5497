"""The compiled-package cache: a hit is the fresh compile, anything the result depends on invalidates it,
and a cache that is damaged, unwritable or off never fails a command nor changes its result."""

import json
import logging
import os
import pickle
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from dhis2_mch import compile_cache
from dhis2_mch.cli import cli
from dhis2_mch.compile_cache import cached_project, load_compiled
from dhis2_mch.errors import InputError
from dhis2_mch.project import Compiled, Project

ROOT = Path(__file__).parents[2]
EXAMPLE = ROOT / "tests" / "fixtures" / "example"
ERROR = "dataElements:\n  - {code: EX_BROKEN, name: Broken, shortName: Broken, categoryCombo: NOPE}\n"


@pytest.fixture(autouse=True)
def code(tmp_path, monkeypatch):
    """dhis2_mch's code as the key sees it: one file, last changed long before this process started (the
    real files may have changed a moment before the tests started, and then no result is kept)."""
    folder = tmp_path / "code"
    (folder / "validate").mkdir(parents=True)
    source = folder / "validate" / "rules.py"
    source.write_text("RULES = 1\n")
    os.utime(source, ns=(10**18, 10**18))
    monkeypatch.setattr(compile_cache, "CODE_ROOT", folder)
    return source


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """An empty cache folder of this test."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("DHIS2_MCH_CACHE_DIR", str(folder))
    monkeypatch.delenv("DHIS2_MCH_CACHE", raising=False)
    return folder


@pytest.fixture
def package(tmp_path):
    """The example package with one error (so findings are compared too), in a folder the test may edit."""
    folder = tmp_path / "package"
    shutil.copytree(EXAMPLE, folder)
    (folder / "demo" / "broken.yaml").write_text(ERROR, encoding="utf-8")
    return folder


@pytest.fixture
def loads(monkeypatch):
    """How often the package files are parsed (a hit parses nothing)."""
    calls = []
    real = Project.load.__func__

    def counting(cls, path=None):
        calls.append(path)
        return real(cls, path)

    monkeypatch.setattr(Project, "load", classmethod(counting))
    return calls


def same(a: Compiled, b: Compiled) -> None:
    assert a.to_json_bytes() == b.to_json_bytes()
    assert a.findings == b.findings and a.findings
    assert (a.source, a.version, a.locale) == (b.source, b.version, b.locale)
    assert a.metadata.origins == b.metadata.origins


def entries(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.pickle"))


def test_a_hit_is_the_fresh_compile_without_reading_the_package(cache, package, loads):
    first = load_compiled(package, (2, 40))
    assert len(loads) == 1 and len(entries(cache)) == 1
    assert (cache.stat().st_mode & 0o777) == 0o700
    second = load_compiled(package, (2, 40))
    assert len(loads) == 1  # not parsed again
    same(second, Project.load(package).compile((2, 40)))
    same(second, first)


def test_the_names_in_findings_follow_the_current_folder(cache, package, monkeypatch):
    load_compiled(package, (2, 40))
    monkeypatch.chdir(package.parent)
    here = load_compiled(Path("package"), (2, 40))
    assert any(o.startswith("package/demo/") for o in here.metadata.origins.values())
    same(here, Project.load(Path("package")).compile((2, 40)))


@pytest.mark.parametrize("edit", ["change", "add", "remove"])
def test_editing_the_package_invalidates(cache, package, loads, edit):
    load_compiled(package, (2, 40))
    aggregate = package / "demo" / "aggregate.yaml"
    if edit == "change":
        aggregate.write_text(aggregate.read_text(encoding="utf-8").replace("Children weighed", "Babies weighed"))
    elif edit == "add":
        (package / "demo" / "more.yaml").write_text(ERROR.replace("EX_BROKEN", "EX_BROKEN2"), encoding="utf-8")
    else:
        (package / "demo" / "broken.yaml").unlink()
        (package / "demo" / "broken2.yaml").write_text(ERROR.replace("EX_BROKEN", "EX_OTHER"), encoding="utf-8")
    again = load_compiled(package, (2, 40))
    assert len(loads) == 2
    same(again, Project.load(package).compile((2, 40)))
    if edit == "change":
        assert b"EX - Babies weighed" in again.to_json_bytes()


def test_version_locale_and_conventions_are_part_of_the_key(cache, package):
    results = [
        load_compiled(package, (2, 40)),
        load_compiled(package, "2.38"),
        load_compiled(package, (2, 40), locale="fr"),
        load_compiled(package, (2, 40), conventions=False),
    ]
    assert len(entries(cache)) == 4
    assert [r.version for r in results] == [(2, 40), (2, 38), (2, 40), (2, 40)]
    same(load_compiled(package, (2, 40), locale="fr"), Project.load(package).compile((2, 40), locale="fr"))
    same(
        load_compiled(package, (2, 40), conventions=False),
        Project.load(package).compile((2, 40), conventions=False),
    )


def test_an_edit_of_dhis2_mch_source_invalidates(cache, package, loads, code):
    source = code
    load_compiled(package, (2, 40))
    load_compiled(package, (2, 40))
    assert len(loads) == 1
    os.utime(source, ns=(10**18 + 1, 10**18 + 1))  # touched
    load_compiled(package, (2, 40))
    assert len(loads) == 2
    # edited after this process started (so its code may predate the edit): compiled, and not kept
    source.write_text("RULES = 22\n")
    load_compiled(package, (2, 40))
    load_compiled(package, (2, 40))
    assert len(loads) == 4


@pytest.mark.parametrize("damage", ["garbage", "truncated", "empty", "other key", "foreign pickle", "not compiled"])
def test_a_damaged_cache_file_is_compiled_again_and_rewritten(cache, package, loads, damage):
    load_compiled(package, (2, 40))
    [file] = entries(cache)
    data = file.read_bytes()
    head = len(compile_cache.MAGIC) + 64
    key = data[len(compile_cache.MAGIC) : len(compile_cache.MAGIC) + 32]

    def sealed(payload: bytes, key: bytes = key) -> bytes:
        import hashlib

        return compile_cache.MAGIC + key + hashlib.sha256(payload).digest() + payload

    file.write_bytes({
        "garbage": b"\x00not a pickle" * 100,
        "truncated": data[: len(data) // 2],
        "empty": b"",
        "other key": sealed(data[head:], bytes(32)),
        "foreign pickle": sealed(b"\x80\x05\x95garbled by another Python"),
        "not compiled": sealed(pickle.dumps({"metadata": "a dict"})),
    }[damage])  # fmt: skip
    again = load_compiled(package, (2, 40))
    assert file.read_bytes() == data  # rewritten, whole
    load_compiled(package, (2, 40))
    assert len(loads) == 2  # compiled once more, then read from the rewritten file
    same(again, Project.load(package).compile((2, 40)))


def test_an_unusable_cache_folder_means_no_cache(tmp_path, package, monkeypatch, caplog):
    monkeypatch.delenv("DHIS2_MCH_CACHE", raising=False)
    (tmp_path / "a-file").write_text("")
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)  # anyone could plant a pickle there
    for folder in (tmp_path / "a-file" / "cache", shared):
        monkeypatch.setenv("DHIS2_MCH_CACHE_DIR", str(folder))
        with caplog.at_level(logging.DEBUG, logger="dhis2_mch.compile_cache"):
            same(load_compiled(package, (2, 40)), Project.load(package).compile((2, 40)))
        assert "compiled-package cache off" in caplog.text
        caplog.clear()
    assert list(shared.iterdir()) == []


def test_a_cache_that_cannot_be_written_is_no_cache(cache, package, monkeypatch, caplog):
    import dhis2_mch.files

    def refuse(*args, **kwargs):
        raise OSError(30, "Read-only file system")

    monkeypatch.setattr(dhis2_mch.files, "atomic_write", refuse)
    with caplog.at_level(logging.DEBUG, logger="dhis2_mch.compile_cache"):
        same(load_compiled(package, (2, 40)), Project.load(package).compile((2, 40)))
    assert "Read-only file system" in caplog.text and entries(cache) == []


def test_the_off_switch(cache, package, loads, monkeypatch):
    monkeypatch.setenv("DHIS2_MCH_CACHE", "off")
    assert type(cached_project(package)) is Project
    load_compiled(package, (2, 40))
    load_compiled(package, (2, 40))
    assert len(loads) == 3 and not cache.exists()


def test_at_most_keep_results_are_kept(cache, package, monkeypatch):
    monkeypatch.setattr(compile_cache, "KEEP", 3)
    for minor in (36, 37, 38, 39, 40):
        load_compiled(package, (2, minor))
    assert len(entries(cache)) == 3
    assert sorted(load_compiled(package, (2, minor)).version for minor in (38, 39, 40)) == [(2, 38), (2, 39), (2, 40)]
    assert len(entries(cache)) == 3


def test_unreadable_packages_fail_as_before_and_before_connecting(cache, tmp_path, package):
    with pytest.raises(InputError, match="no such file or folder"):
        cached_project(tmp_path / "missing")
    (package / "demo" / "bad.yaml").write_text("dataElements: [\n", encoding="utf-8")
    with pytest.raises(InputError) as fresh:
        Project.load(package)
    with pytest.raises(InputError) as cached:
        cached_project(package)
    assert str(cached.value) == str(fresh.value) and "bad.yaml" in str(cached.value)


def test_the_project_of_a_hit_reads_its_files_when_asked(cache, package, loads):
    load_compiled(package, (2, 40))
    hit = load_compiled(package, (2, 40))
    assert len(loads) == 1
    same(hit.for_version("2.39"), Project.load(package).compile((2, 39)))
    project = cached_project(package)
    project.get("dataElements", "EX_WEIGHED")["name"] = "EX - Edited in Python"
    assert b"EX - Edited in Python" in project.compile((2, 40)).to_json_bytes()
    assert b"EX - Edited in Python" not in load_compiled(package, (2, 40)).to_json_bytes()  # never cached


def test_the_key_reads_the_files_the_reader_reads_and_names_them_alike(package, monkeypatch):
    from dhis2_mch.package.authoring.reader import display, read_folder

    monkeypatch.chdir(package.parent)
    files = compile_cache._yaml_files(Path("package"))
    assert [compile_cache._shown(f) for f in files] == [shown for shown, _ in read_folder(Path("package"))]
    assert [compile_cache._shown(f) for f in files] == [display(f) for f in files]
    assert compile_cache._shown(EXAMPLE) == display(EXAMPLE)


def test_push_refuses_a_package_with_errors_the_same_way_from_the_cache(cache, package, sandbox, tmp_path, loads):
    values = tmp_path / "values.csv"
    values.write_text("orgUnit,period,dataElement,categoryOptionCombo,value\n23053,202601,EX_WEIGHED,,3\n")
    env = {"DHIS2_USERNAME": sandbox.username, "DHIS2_PASSWORD": sandbox.password, "DHIS2_TOKEN": None,
           "DHIS2_URL": None, "DHIS2_MCH_CONFIG": None}  # fmt: skip
    runs = [
        CliRunner(env=env).invoke(cli, ["push", str(values), "--metadata", str(package), "--url", sandbox.url])
        for _ in range(2)
    ]
    assert len(loads) == 1 and len(entries(cache)) == 1  # the second push read the compiled package
    assert [r.exit_code for r in runs] == [1, 1]
    assert runs[0].output == runs[1].output
    assert "validation errors for DHIS2 2.40; nothing was sent" in runs[1].output
    assert "broken.yaml:2: E5002" in runs[1].output and "Traceback" not in runs[1].output
    assert sandbox.data_values() == []


def test_the_key_covers_every_python_file_of_dhis2_mch(monkeypatch):
    real = Path(compile_cache.__file__).resolve().parent
    monkeypatch.setattr(compile_cache, "CODE_ROOT", real)
    names = {Path(name).as_posix() for name, _, _ in compile_cache._code_fingerprint()}
    wanted = {p.relative_to(real).as_posix() for p in real.rglob("*.py") if "__pycache__" not in p.parts}
    assert names == wanted and {"project.py", "validate/__init__.py", "package/authoring/compiler.py"} <= names


def test_a_dhis2_json_file_is_cached_by_its_bytes(cache, package, tmp_path, loads):
    path = tmp_path / "package.json"
    payload = Project.load(package).compile((2, 40)).payload()
    payload["dataElements"][0]["valueType"] = "NOT_A_TYPE"  # a finding to compare
    path.write_text(json.dumps(payload), encoding="utf-8")
    load_compiled(path, (2, 40))
    hit = load_compiled(path, (2, 40))
    assert len(loads) == 2
    same(hit, Project.load(path).compile((2, 40)))
    path.write_text(json.dumps(payload | {"dataElements": payload["dataElements"][1:]}), encoding="utf-8")
    assert load_compiled(path, (2, 40)).metadata.count() == hit.metadata.count() - 1


def test_an_unreadable_cache_file_is_compiled_around(cache, package, loads, caplog):
    load_compiled(package, (2, 40))
    [file] = entries(cache)
    file.unlink()
    file.mkdir()  # cannot be read as a file, nor replaced by one (chmod 000 does not stop root)
    with caplog.at_level(logging.DEBUG, logger="dhis2_mch.compile_cache"):
        again = load_compiled(package, (2, 40))
    assert len(loads) == 2 and "unreadable" in caplog.text and "not kept" in caplog.text
    same(again, Project.load(package).compile((2, 40)))
