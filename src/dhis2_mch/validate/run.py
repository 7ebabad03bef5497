"""Load and validate in one call: what ``dhis2-mch validate`` and ``build`` run."""

from __future__ import annotations

from pathlib import Path

from dhis2_mch.model.metadata import Metadata
from dhis2_mch.package import load
from dhis2_mch.validate import Report, validate


def check(path: Path, *, version=(2, 40), locale="vi") -> tuple[Metadata, Report]:
    md, prior = load(path)
    findings = validate(md, version=version, locale=locale, prior=prior)
    return md, Report(objects=md.count(), findings=findings, source=str(path))


def validate_paths(paths: list[Path], *, version=(2, 40), locale="vi") -> list[Report]:
    return [check(p, version=version, locale=locale)[1] for p in paths]
