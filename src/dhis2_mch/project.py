"""A metadata package as a project: loaded once, compiled for a DHIS2 version, then built, planned,
deployed, pushed to, exported and documented from that one compiled result.

``Project`` holds the sources: the YAML authoring files (parsed once), a DHIS2 metadata JSON (a WHO
package, an export) or objects in memory, plus whatever is added in Python with the same
conveniences as YAML (codes for references, ``{en, vi}`` texts, inline children, defaults,
generated option combos). ``compile(version)`` turns them into a ``Compiled``: the typed objects
with their UIDs and every finding, judged by DHIS2's rules for that version. This module is the one
place that decides what counts as an error (``Compiled.errors``) and what happens then
(``require_valid``), so no stage re-loads or re-judges the package by its own rules.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, overload

from dhis2_mch.errors import InputError, PackageInvalid
from dhis2_mch.model.findings import Finding, errors_of, warnings_of
from dhis2_mch.model.metadata import Metadata
from dhis2_mch.model.objects import IdentifiableObject
from dhis2_mch.package import shipped_package

if TYPE_CHECKING:
    from dhis2_mch.package.yamlio import LocatedDict  # PyYAML: only a YAML project needs it
    from dhis2_mch.validate import Report

VersionLike = tuple[int, int] | str | Any  # (2, 40), "2.40" / "40.2.2", or a dhis2.version.Version
DEFAULT_VERSION = (2, 40)
MAX_ERRORS_SHOWN = 10

T = TypeVar("T", bound=IdentifiableObject)


def short_version(version: VersionLike) -> tuple[int, int]:
    """``(2, 40)`` from any of the project's spellings of a DHIS2 version."""
    if isinstance(version, tuple) and len(version) == 2 and all(isinstance(n, int) for n in version):
        return version
    short = getattr(version, "short", None)
    if isinstance(short, tuple):
        return short
    from dhis2_mch.dhis2.version import parse_version

    try:
        return parse_version(str(version)).short
    except ValueError:
        raise InputError(f"DHIS2 version {version!r}: expected a version such as 2.40 or 40.") from None


class Project:
    """A metadata package to compile: authored documents and/or typed objects, from files or Python.

    Build one with ``Project.load(path)`` (``None`` = the programmes' package shipped with dhis2-mch),
    ``Project.from_metadata(md)`` or ``Project.from_dict(dhis2_json)``; extend it with ``add`` and
    ``get``; then ``compile(version)``.
    """

    def __init__(
        self,
        *,
        documents: list[LocatedDict] | None = None,
        metadata: Metadata | None = None,
        findings: list[Finding] | None = None,
        source: str = "(in memory)",
    ) -> None:
        self.documents: list[LocatedDict] = list(documents or [])  # authoring files, then Python additions
        self.metadata = metadata  # typed objects as read (a DHIS2 JSON file, or given in memory)
        self.load_findings: list[Finding] = list(findings or [])
        self.source = source

    # ---- sources -------------------------------------------------------------------------------------

    @classmethod
    def load(cls, path: Path | str | None = None) -> Project:
        """A folder in the authoring format or a DHIS2 metadata JSON file; ``None`` = the shipped package.

        Unreadable or malformed files raise ``InputError`` here; problems in the content become
        findings of ``compile``.
        """
        if path is None:
            from dhis2_mch.package.authoring.reader import display

            path = shipped_package()
            shown = display(path)  # metadata/ in a checkout; the installed folder otherwise
        else:
            path = Path(path)
            shown = str(path)
        if path.is_dir():
            from dhis2_mch.package.authoring.reader import read_folder

            return cls(documents=[doc for _, doc in read_folder(path)], source=shown)
        if path.is_file():
            from dhis2_mch.package.jsonfile import load_metadata_json

            md, findings = load_metadata_json(path)
            return cls(metadata=md, findings=findings, source=shown)
        if not path.exists():
            raise InputError(f"{path}: no such file or folder.")
        raise InputError(f"{path}: not a metadata folder or a JSON file.")

    @classmethod
    def from_metadata(cls, md: Metadata, findings: list[Finding] | None = None, *, source: str = "(in memory)"):
        """Typed objects already in memory (they are used as they are, not copied)."""
        return cls(metadata=md, findings=findings, source=source)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, source: str = "(in memory)") -> Project:
        """A DHIS2 metadata JSON document (``{"dataElements": [...], ...}``) already parsed."""
        from dhis2_mch.package.jsonfile import metadata_from_dict

        md, findings = metadata_from_dict(dict(data))
        return cls(metadata=md, findings=findings, source=source)

    # ---- authoring from Python -------------------------------------------------------------------------

    def add(self, plural: str, obj: Mapping[str, Any] | IdentifiableObject) -> Project:
        """Add one object written as in the YAML files (a dict) or as a typed object; returns the project.

        References by code, ``{"en": ..., "vi": ...}`` texts, inline children, DHIS2's defaults and
        generated option combos work exactly as in YAML, because the same compiler reads both.
        Problems are findings of ``compile`` that point at the line of the caller.
        """
        from dhis2_mch.package.authoring.tables import TOP_LEVEL
        from dhis2_mch.package.yamlio import located

        if plural not in TOP_LEVEL:
            raise InputError(
                f"project.add({plural!r}, ...): not a collection the authoring format defines at top level "
                f"({', '.join(TOP_LEVEL)}); children such as options or program stages go inline in their parent."
            )
        if isinstance(obj, IdentifiableObject):
            data: dict[str, Any] = _authored(obj)
        elif isinstance(obj, Mapping):
            data = dict(obj)
        else:
            raise InputError(
                f"project.add({plural!r}, ...): expected a dict or a typed object, got {type(obj).__name__}."
            )
        frame = sys._getframe(1)
        where = f"{frame.f_code.co_filename}", frame.f_lineno
        doc = located({plural: [data]}, *where)
        doc.key_lines[plural] = where[1]
        self.documents.append(doc)
        return self

    def get(self, plural: str, code: str) -> dict[str, Any]:
        """The authored object of this collection with this code, to edit in place before compiling.

        ``project.get("dataSets", "F1000_MONTHLY")["dataSetElements"].append("F1000_NEW_DE")``
        """
        for doc in self.documents:
            for item in doc.get(plural) or []:
                if isinstance(item, dict) and item.get("code") == code:
                    return item
        raise KeyError(f"{self.source}: no authored {plural} with the code {code!r}")

    # ---- compiling -------------------------------------------------------------------------------------

    def compile(
        self, version: VersionLike = DEFAULT_VERSION, *, locale: str = "vi", conventions: bool | None = None
    ) -> Compiled:
        """Objects, UIDs and findings for DHIS2 ``version``: loader and compiler findings first, then the
        validator's (DHIS2's import rules for that version, and the project's conventions for ``locale``:
        on authored packages, or when ``conventions`` asks)."""
        from dhis2_mch.validate import validate

        short = short_version(version)
        md, findings = self._objects()
        findings = validate(md, version=short, locale=locale, prior=findings, conventions_check=conventions)
        return Compiled(md, findings, short, self.source, locale, project=self)

    def _objects(self) -> tuple[Metadata, list[Finding]]:
        if not self.documents:
            return self.metadata or Metadata(), list(self.load_findings)
        from dhis2_mch.package.authoring.compiler import Compiler
        from dhis2_mch.package.authoring.reader import feed

        compiler = Compiler(known=self.metadata)
        for doc in self.documents:
            feed(compiler, doc)
        authored, findings = compiler.finish()
        return _merge(self.metadata, authored), [*self.load_findings, *findings]


@dataclass
class Compiled:
    """A project compiled for one DHIS2 version: what build, plan, deploy, push, export and docs take."""

    metadata: Metadata
    findings: list[Finding]
    version: tuple[int, int]
    source: str = "(in memory)"
    locale: str = "vi"
    project: Project | None = field(default=None, repr=False, compare=False)

    @property
    def errors(self) -> list[Finding]:
        """What stops a build, a deploy or a push: findings of severity ``error``."""
        return errors_of(self.findings)

    @property
    def warnings(self) -> list[Finding]:
        return warnings_of(self.findings)

    @property
    def ok(self) -> bool:
        return not self.errors

    def require_valid(self, consequence: str = "nothing was done") -> Compiled:
        """Itself when there are no errors; otherwise ``PackageInvalid`` listing the first ten."""
        errors = self.errors
        if errors:
            shown = "\n".join(f"  {e.as_text()}" for e in errors[:MAX_ERRORS_SHOWN])
            more = f"\n  ... and {len(errors) - MAX_ERRORS_SHOWN} more" if len(errors) > MAX_ERRORS_SHOWN else ""
            raise PackageInvalid(
                f"{self.source}: {len(errors)} validation errors for DHIS2 {'.'.join(map(str, self.version))}; "
                f"{consequence}:\n{shown}{more}",
                errors,
            )
        return self

    def for_version(self, version: VersionLike) -> Compiled:
        """This result if it was compiled for ``version``, else the project compiled again for it."""
        short = short_version(version)
        if short == self.version:
            return self
        if self.project is None:
            raise InputError(
                f"{self.source} was compiled for DHIS2 {'.'.join(map(str, self.version))}, the server runs "
                f"{'.'.join(map(str, short))}; compile the project for that version."
            )
        return self.project.compile(short, locale=self.locale)

    def payload(self) -> dict[str, Any]:
        """The package as DHIS2 metadata JSON (what ``POST /api/metadata`` takes), top-level keys in order."""
        return self.metadata.dump()

    def to_json_bytes(self) -> bytes:
        """The deterministic build: byte-identical for the same sources."""
        from dhis2_mch.package.build import to_json_bytes

        return to_json_bytes(self.metadata)

    @overload
    def objects(self, kind: type[T]) -> list[T]: ...
    @overload
    def objects(self, kind: str) -> list[IdentifiableObject]: ...
    def objects(self, kind: type[T] | str) -> list[T] | list[IdentifiableObject]:
        """``compiled.objects(DataElement)`` (typed) or ``compiled.objects("dataElements")``."""
        return self.metadata.of(kind)

    def uid(self, plural: str, code: str) -> str:
        """The UID of the object of this collection with this code (``KeyError`` if there is none)."""
        for obj in self.metadata.of(plural):
            if obj.code == code and obj.id:
                return obj.id
        raise KeyError(f"{self.source}: no {plural} with the code {code!r}")

    def report(self) -> Report:
        """The validation report (``dhis2-mch validate``'s text and JSON)."""
        from dhis2_mch.validate import Report

        return Report(objects=self.metadata.count(), findings=self.findings, source=self.source, version=self.version)


def _authored(obj: IdentifiableObject) -> dict[str, Any]:
    """A typed object as the authoring format writes it: translations back beside their texts
    (``name: {en: ..., vi: ...}``), so it goes through the compiler like a YAML object."""
    from dhis2_mch.model.translations import translation_property

    data = obj.model_dump(mode="json", exclude_unset=True, exclude_none=True)
    by_property: dict[str, dict[str, str]] = {}
    for t in data.pop("translations", None) or []:
        by_property.setdefault(t["property"], {})[t["locale"]] = t["value"]
    for prop in obj.TRANSLATABLE:
        others = by_property.pop(translation_property(prop), None)
        if others and isinstance(data.get(prop), str):
            data[prop] = {"en": data[prop], **others}
    if by_property:  # a translation of a text the object does not have: kept, so the compiler reports it
        data["translations"] = [
            {"property": prop, "locale": locale, "value": value}
            for prop, texts in by_property.items()
            for locale, value in texts.items()
        ]
    return data


def compile_path(path: Path | None, version: VersionLike = DEFAULT_VERSION, *, locale: str = "vi") -> Compiled:
    """``Project.load(path).compile(version)``: the convenience the CLI uses."""
    return Project.load(path).compile(version, locale=locale)


def _merge(typed: Metadata | None, authored: Metadata) -> Metadata:
    """Objects read as DHIS2 JSON followed by the ones authored on top of them, one package."""
    if typed is None or not typed.objects:
        if typed is not None:
            authored.extras = {**typed.extras, **authored.extras}
        return authored
    md = Metadata(
        objects={k: list(v) for k, v in typed.objects.items()},
        extras=dict(typed.extras),
        key_order=list(typed.key_order),
        origins=dict(typed.origins),
    )
    for plural, objs in authored.objects.items():
        for obj in objs:
            md.add(plural, obj, authored.origins.get(obj.id or ""))
    for key, value in authored.extras.items():
        md.extras.setdefault(key, value)
        if key not in md.key_order:
            md.key_order.insert(0, key)
    return md


__all__ = ["Compiled", "Project", "compile_path", "short_version"]
