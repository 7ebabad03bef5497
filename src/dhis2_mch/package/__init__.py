"""Packages in and out: the YAML authoring format (load), DHIS2 JSON files, and the build."""

from __future__ import annotations

from pathlib import Path

from dhis2_mch.errors import InputError
from dhis2_mch.model.findings import Finding
from dhis2_mch.model.metadata import Metadata

#: the programmes' package, shipped inside the Python package (a link to the checkout's metadata/
#: folder in a source tree; a copy in a wheel), so every command finds it wherever it runs
SHIPPED = Path(__file__).resolve().parent.parent / "programmes"


def shipped_package() -> Path:
    """The folder of the programmes' package that came with this installation of dhis2-mch."""
    if not SHIPPED.is_dir():
        raise InputError(
            f"{SHIPPED}: the programmes' package is missing from this installation of dhis2-mch; "
            "reinstall it, or pass a package with --metadata PATH."
        )
    return SHIPPED.resolve()  # in a checkout: metadata/, so messages name the files people edit


def load(path: Path) -> tuple[Metadata, list[Finding]]:
    """A folder in the authoring format, or a DHIS2 metadata JSON file."""
    if path.is_dir():
        from dhis2_mch.package.authoring import load_project

        return load_project(path)
    if path.is_file():
        from dhis2_mch.package.jsonfile import load_metadata_json

        return load_metadata_json(path)
    if not path.exists():
        raise InputError(f"{path}: no such file or folder.")
    raise InputError(f"{path}: not a metadata folder or a JSON file.")
