"""``push_frame`` / ``push_file``: aggregate values into DHIS2, nothing lost on the way.

By default nothing is sent when the preflight rejects a row (``partial=True`` sends the rest).
Every input row ends stored, rejected (with its reason) or not sent, in ``PushReport.outcomes``;
rows that were not accepted are written to a rejected-rows file in the same long format, so they
can be corrected and pushed again. ``on_chunk`` hears each chunk's outcome as soon as it returns.
"""

from __future__ import annotations

import csv
from collections.abc import Hashable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from dhis2_mch.data.catalogue import build_catalogue
from dhis2_mch.data.outcome import ChunkOutcome, OnChunk, RowOutcomes
from dhis2_mch.data.payload import envelopes
from dhis2_mch.data.preflight import Rejection, preflight
from dhis2_mch.data.readers import OPTIONAL, POS, REQUIRED, ROW, Table, normalise, read_table
from dhis2_mch.dhis2 import api
from dhis2_mch.dhis2.connection import Connection
from dhis2_mch.dhis2.reports import DataValueImportResult
from dhis2_mch.errors import InputError, ValidationFailed
from dhis2_mch.files import atomic_write
from dhis2_mch.model.metadata import Metadata
from dhis2_mch.model.uid import is_valid_uid
from dhis2_mch.package import load

if TYPE_CHECKING:  # the library helper's compiled package; push takes it or a bare Metadata
    from typing import Protocol

    class _Compiled(Protocol):
        metadata: Metadata

    Package = Metadata | _Compiled
else:
    Package = Any

DEFAULT_REJECTED_DIR = Path("build/rejected")
#: values per POST (see benchmarks/push_send.py for the measurement behind it)
DEFAULT_CHUNK_SIZE = 10_000


@dataclass
class PushReport:
    source: Path | str
    target: str
    dry_run: bool
    rows: int
    outcomes: RowOutcomes = field(default_factory=lambda: RowOutcomes(pd.Index([])))
    rejections: list[Rejection] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    sent: int = 0
    data_sets: int = 0
    results: list[DataValueImportResult] = field(default_factory=list)
    held_back: bool = False  # preflight found problems and nothing was sent
    rejected_file: Path | None = None

    def total(self, key: str) -> int:
        return sum(getattr(r, key) for r in self.results)

    @property
    def ok(self) -> bool:
        return not self.rejections and not self.held_back and all(not r.aborted for r in self.results)

    def as_json(self) -> dict:
        return {
            "ok": self.ok,
            "source": str(self.source),
            "target": self.target,
            "dry_run": self.dry_run,
            "rows": self.rows,
            "sent": self.sent,
            "held_back": self.held_back,
            "data_sets": self.data_sets,
            "import_count": {k: self.total(k) for k in ("imported", "updated", "ignored", "deleted")},
            "status": [r.status for r in self.results],
            "rejected": [r.as_json() for r in self.rejections],
            "rejected_file": str(self.rejected_file) if self.rejected_file else None,
            "notes": self.notes,
        }

    def as_text(self) -> str:
        head = f"Push of {self.source} to {self.target}{' (dry run: DHIS2 stores nothing)' if self.dry_run else ''}"
        lines = [head, f"  rows read: {self.rows}"]
        pre = [r for r in self.rejections if r.stage == "preflight"]
        server = [r for r in self.rejections if r.stage == "server"]
        if self.held_back:
            lines.append(
                f"  {len({r.row for r in pre})} rows failed the preflight, so nothing was sent "
                "(fix them, or pass --partial to send the other rows)"
            )
        else:
            lines.append(f"  sent: {self.sent} values in {self.data_sets} data sets")
            lines.append(
                "  DHIS2: "
                + ", ".join(f"{k} {self.total(k)}" for k in ("imported", "updated", "ignored", "deleted"))
                + (f" ({', '.join(sorted({r.status for r in self.results}))})" if self.results else "")
            )
        for title, items in (("rejected before sending", pre), ("rejected by DHIS2", server)):
            if items:
                lines.append(f"  {title}: {len({r.row for r in items})} rows")
                lines += [f"    {r.as_text()}" for r in items[:30]]
                if len(items) > 30:
                    lines.append(f"    ... and {len(items) - 30} more (all of them in the rejected-rows file)")
        if self.rejected_file:
            lines.append(f"  rejected rows kept in {self.rejected_file} (same format: correct and push it again)")
        lines += [f"  note: {n}" for n in self.notes]
        return "\n".join(lines)


def push_frame(
    frame: pd.DataFrame,
    conn: Connection,
    package: Package,
    *,
    dry_run: bool = False,
    partial: bool = False,
    chunk_size: int | None = None,
    on_chunk: OnChunk | None = None,
    strict: bool = False,
    today: date | None = None,
    source: str = "the DataFrame",
) -> PushReport:
    """Push a long-format frame (orgUnit, period, dataElement, value; optional categoryOptionCombo,
    attributeOptionCombo, comment) and say, per row (the frame's index labels are the row ids), whether
    it was stored, rejected or not sent. ``package``: the compiled package (or its ``Metadata``).

    ``strict``: org units without the value's data set assigned are errors, not warnings.
    """
    table, _ = normalise(frame, source)
    return _push(table, frame.index, conn, _metadata(package), dry_run=dry_run, partial=partial,
                 chunk_size=chunk_size, on_chunk=on_chunk, strict=strict, today=today, source=source)  # fmt: skip


def push_file(
    path: Path,
    conn: Connection,
    package: Package,
    *,
    sheet: str | None = None,
    rejected_dir: Path | None = DEFAULT_REJECTED_DIR,
    dry_run: bool = False,
    partial: bool = False,
    chunk_size: int | None = None,
    on_chunk: OnChunk | None = None,
    strict: bool = False,
    today: date | None = None,
) -> PushReport:
    """Push a CSV or Excel file; row ids are the file's line numbers. Rows not stored are written to
    ``rejected_dir`` (``None``: not written) in the file's own format, to be corrected and pushed again."""
    table = read_table(path, sheet)
    report = _push(table.frame, table.frame.index, conn, _metadata(package), dry_run=dry_run, partial=partial,
                   chunk_size=chunk_size, on_chunk=on_chunk, strict=strict, today=today, source=path)  # fmt: skip
    if report.rejections and rejected_dir is not None:
        report.rejected_file = write_rejected(table, report.rejections, rejected_dir)
    return report


def push(
    source: Path,
    conn: Connection,
    *,
    metadata: Path = Path("metadata"),
    dry_run: bool = False,
    partial: bool = False,
    rejected_dir: Path = DEFAULT_REJECTED_DIR,
    sheet: str | None = None,
    today: date | None = None,
    chunk_size: int | None = None,
) -> PushReport:
    """``push_file`` with the package read from a folder (the CLI's and the demo's way)."""
    md = load_package(metadata)
    return push_file(source, conn, md, sheet=sheet, rejected_dir=rejected_dir, dry_run=dry_run, partial=partial,
                     today=today, chunk_size=chunk_size)  # fmt: skip


def load_package(metadata: Path) -> Metadata:
    """The one place the package is read (switches to ``Project.load(...).compile(...)`` with the library)."""
    md, findings = load(metadata)
    broken = [f for f in findings if f.severity == "error"]
    if broken:
        raise InputError(f"{metadata}: the package has errors ({broken[0].as_text()}); run `dhis2-mch validate`.")
    return md


def _metadata(package: Package) -> Metadata:
    return package if isinstance(package, Metadata) else package.metadata


def _push(
    frame: pd.DataFrame,
    ids: pd.Index,
    conn: Connection,
    md: Metadata,
    *,
    dry_run: bool,
    partial: bool,
    chunk_size: int | None,
    on_chunk: OnChunk | None,
    strict: bool,
    today: date | None,
    source: Path | str,
) -> PushReport:
    catalogue = build_catalogue(md)
    report = PushReport(source, conn.where, dry_run, len(frame))
    report.outcomes = RowOutcomes(ids)
    position = pd.Series(range(len(ids)), index=ids)
    frame = frame.assign(**{POS: position.loc[frame.index].to_numpy()}).reset_index(drop=True)
    units = sorted(set(frame["orgUnit"]) - {""})
    found = api.org_units(conn, codes=units, ids=[u for u in units if is_valid_uid(u)])
    org_units = {u.code: u.id for u in found if u.code} | {u.id: u.id for u in found}
    checked = preflight(frame, catalogue, org_units, today=today or date.today(), server=conn.where)
    report.rejections, report.notes = list(checked.rejections), list(checked.notes)
    by_row = dict(zip(frame[ROW], frame[POS], strict=True))
    for r in checked.rejections:
        report.outcomes.set([by_row[r.row]], "rejected", r.as_text())
    if checked.rejections and not partial:
        report.held_back = True
        report.outcomes.default_reason["not sent"] = "held back: other rows failed the preflight"
    elif len(checked.accepted):
        _require_deployed(conn, catalogue, checked.accepted)
        batches = envelopes(checked.accepted, api.default_category_model(conn).substitutions(),
                            chunk_size or DEFAULT_CHUNK_SIZE)  # fmt: skip
        for number, env in enumerate(batches, 1):
            result = api.import_data_values(conn, env.body, dry_run=dry_run)
            report.results.append(result)
            rejected = _server_rejections(result, env.rows, frame)
            report.rejections += rejected
            refused = {by_row[r.row]: f"{r.stage}: {r.reason}" for r in rejected}
            stored = [p for p in env.positions if p not in refused]
            report.outcomes.set(stored, "stored")
            for p, why in refused.items():
                report.outcomes.set([p], "rejected", why)
            report.sent += env.size
            if on_chunk is not None:
                on_chunk(ChunkOutcome(
                    number, len(batches), env.data_set, ids[env.positions].tolist(), ids[stored].tolist(),
                    {ids[p]: why for p, why in refused.items()}, result.imported, result.updated, result.ignored,
                    result.deleted, dry_run,
                ))  # fmt: skip
        report.data_sets = len({e.data_set for e in batches})
    return report


def _require_deployed(conn: Connection, catalogue, accepted) -> None:
    """DHIS2 would refuse every value of a data set it does not know (E7600): say why, before sending."""
    wanted = sorted(set(accepted["ds"]))
    found = {o["id"] for o in api.fetch_objects(conn, "dataSets", ids=wanted, fields="id")}
    missing = [ds for ds in wanted if ds not in found]
    if missing:
        names = {d.uid: d.code or d.uid for info in catalogue.data_elements.values() for d in info.data_sets}
        raise ValidationFailed(
            f"{conn.where} has no data set {', '.join(f'{names.get(m, m)} [{m}]' for m in missing)}: the package is "
            "not deployed there (run `dhis2-mch deploy` first). Nothing was sent."
        )


def _server_rejections(result: DataValueImportResult, rows: list[Hashable], frame) -> list[Rejection]:
    """DHIS2's conflicts point at positions in the envelope: turn them back into file rows."""
    by_row = frame.set_index(ROW)
    out = []
    for conflict in result.conflicts:
        column = conflict.property if conflict.property in by_row.columns else "value"
        for index in conflict.indexes:
            if 0 <= index < len(rows):
                row = rows[index]
                reason = f"{conflict.error_code or 'conflict'}: {conflict.message}"
                out.append(Rejection(row, column, str(by_row.at[row, column]), reason, "server"))
    if result.aborted:  # the whole set was refused (data set, org unit, attribute combo): every row with it
        why = "; ".join(c.describe() for c in result.conflicts) or result.description or result.status
        out += [Rejection(r, "dataSet", "", f"DHIS2 refused the whole data value set: {why}", "server") for r in rows]
    return out


def write_rejected(table: Table, rejections: list[Rejection], folder: Path) -> Path:
    path = folder / f"{table.path.stem}.rejected.csv"
    reasons: dict[int, list[Rejection]] = {}
    for r in rejections:
        reasons.setdefault(r.row, []).append(r)
    rows = table.frame.set_index(ROW)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with atomic_write(path, encoding="utf-8-sig", newline="") as fh:  # whole or not at all
            writer = csv.writer(fh)
            writer.writerow([*REQUIRED, *OPTIONAL, "row", "column", "reason"])
            for row in sorted(reasons):
                source = rows.loc[row]
                writer.writerow(
                    [
                        *(source[c] for c in (*REQUIRED, *OPTIONAL)),
                        row,
                        "; ".join(dict.fromkeys(r.column for r in reasons[row])),
                        "; ".join(f"{r.stage}: {r.reason}" for r in reasons[row]),
                    ]
                )
    except OSError as exc:
        raise InputError(f"{path}: cannot write the rejected rows ({exc.strerror or exc}).") from None
    return path
