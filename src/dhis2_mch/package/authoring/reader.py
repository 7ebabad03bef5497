"""Authoring files → the compiler: read every ``*.yaml`` of a folder, apply each file's ``defaults:``,
keep the ``package:`` block, and hand every object (with its inline children) to the compiler with
its ``file:line``.

Only an unreadable or malformed file stops the load (InputError); problems in the content become
findings.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from dhis2_mch.errors import InputError
from dhis2_mch.model.findings import Finding
from dhis2_mch.model.metadata import Metadata
from dhis2_mch.model.types import BY_PLURAL, MetadataType
from dhis2_mch.package.authoring import sharing
from dhis2_mch.package.authoring.compiler import Compiler, Raw, where
from dhis2_mch.package.authoring.tables import BUILTIN_DEFAULTS, INLINE, TOP_LEVEL
from dhis2_mch.package.yamlio import LocatedDict, read_yaml


def load_project(root: Path) -> tuple[Metadata, list[Finding]]:
    """Every ``*.yaml`` under ``root`` (sorted by path), as one package."""
    compiler = Compiler()
    for _display_name, doc in read_folder(root):
        feed(compiler, doc)
    return compiler.finish()


def read_folder(root: Path) -> list[tuple[str, LocatedDict]]:
    """Parse every ``*.yaml`` under ``root`` (sorted by path): ``(file as displayed, top-level mapping)``.

    Parsing is the slow part and never depends on the DHIS2 version, so a project reads its files
    once and compiles them as often as it likes.
    """
    if not root.is_dir():
        raise InputError(f"{root}: not a folder of metadata YAML files.")
    files = sorted(p for p in root.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())
    if not files:
        raise InputError(f"{root}: no .yaml files found; expected the metadata authoring format here.")
    docs = []
    for path in files:
        shown = display(path)
        doc = read_yaml(path, shown)
        if doc is None:
            continue
        if not isinstance(doc, LocatedDict):
            raise InputError(
                f"{shown}: expected a mapping of collections (dataElements:, dataSets: ...) at the top, "
                f"found a {type(doc).__name__}."
            )
        docs.append((shown, doc))
    return docs


def display(path: Path) -> str:
    """``path`` relative to the current folder when it is below it (how messages name files)."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def feed(compiler: Compiler, doc: LocatedDict) -> None:
    """Hand one file's objects (and their inline children) to the compiler, with the file's defaults."""
    defaults = _file_defaults(doc)
    for key, value in doc.items():
        if key in ("defaults", "package"):
            if key == "package":
                _read_package(compiler, doc, value)
            continue
        if key == "sharing":  # rules giving sharing to objects of other files (authoring/sharing.py)
            sharing.collect(compiler, doc, value)
            continue
        if key not in TOP_LEVEL:
            compiler.unknown_key(doc, key, (*TOP_LEVEL, "defaults", "package", "sharing"), "file", None)
            continue
        read_collection(compiler, doc, key, value, BY_PLURAL[key], defaults, parent=None)


def _file_defaults(doc: LocatedDict) -> dict[str, dict]:
    given = doc.get("defaults") or {}
    if not isinstance(given, dict):
        raise InputError(f"{doc.where('defaults')}: `defaults` must map collections to default properties.")
    merged = {k: dict(v) for k, v in BUILTIN_DEFAULTS.items()}
    for plural, props in given.items():
        if plural not in BY_PLURAL or not isinstance(props, dict):
            raise InputError(
                f"{where(given, plural) or doc.where('defaults')}: `defaults.{plural}` must be a known collection "
                f"(dataElements, dataSets ...) mapping to properties."
            )
        merged.setdefault(plural, {}).update(props)
    return merged


def _read_package(compiler: Compiler, doc: LocatedDict, value: Any) -> None:
    if not isinstance(value, dict):
        raise InputError(f"{doc.where('package')}: `package` must be a mapping (code, name, version ...).")
    if compiler.package is not None:
        raise InputError(f"{doc.where('package')}: a second `package` block; keep one, in metadata/package.yaml.")
    compiler.package = dict(value)


def read_collection(
    compiler: Compiler, doc: LocatedDict, key: str, items: Any, mtype: MetadataType,
    defaults: dict[str, dict], parent: Raw | None,
) -> list[Raw]:  # fmt: skip
    if not isinstance(items, list):
        raise InputError(f"{doc.where(key)}: `{key}` must be a list of objects (each starting with `- `).")
    out = []
    for position, data in enumerate(items):
        if not isinstance(data, LocatedDict):
            raise InputError(f"{doc.where(key)}: item {position + 1} of `{key}` is not a mapping.")
        raw = compiler.identify(mtype, data, defaults, parent, position)
        if raw is None:
            continue
        for (parent_plural, child_key), child_plural in INLINE.items():
            if parent_plural == mtype.plural and child_key in data:
                raw.children[child_key] = read_collection(
                    compiler, data, child_key, data[child_key], BY_PLURAL[child_plural], defaults, parent=raw
                )
        out.append(raw)
    return out
