"""``push_frame`` / ``push_file``: aggregate values into DHIS2, nothing lost on the way.

read (file) → preflight (every row, column-wise, against the package and the server's org units and
data set assignments) → bounded chunks, each POSTed and its answer checked against what was sent →
per-row outcomes → the rows-to-push-again file.

By default nothing is sent when the preflight rejects a row (``partial=True`` sends the rest). A
chunk's rows are *stored* only when DHIS2's counts for it add up; a 200 whose counts do not is a
failure. When the server fails midway the push stops: the rows of chunks already answered keep their
outcome, every other row is *not sent*, and the file lists them, so pushing it finishes the job
(values DHIS2 may already hold from an unanswered chunk are only updated, never duplicated).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from dhis2_mch.data import rejected as rejected_file
from dhis2_mch.data.catalogue import Catalogue, build_catalogue
from dhis2_mch.data.outcome import ChunkOutcome, OnChunk, RowOutcomes
from dhis2_mch.data.payload import Envelope, Payloads
from dhis2_mch.data.preflight import preflight
from dhis2_mch.data.problems import Problems, Rejection, rejections, row_id
from dhis2_mch.data.readers import ROW, SHEET, Table, normalise, read_table
from dhis2_mch.data.report import PushReport
from dhis2_mch.data.units import BeforeReform, ServerUnits, legacy_hook
from dhis2_mch.dhis2 import api
from dhis2_mch.dhis2.connection import Connection
from dhis2_mch.dhis2.reports import DataValueImportResult
from dhis2_mch.errors import InputError, ServerUnavailable, UnexpectedResponse, ValidationFailed
from dhis2_mch.model.metadata import Metadata
from dhis2_mch.project import Compiled

if TYPE_CHECKING:
    from dhis2_mch.data.progress import Progress

#: what push reads its catalogue from: the compiled package (``Project.load(...).compile(...)``), or a Metadata
Package = Compiled | Metadata

__all__ = ["DEFAULT_CHUNK_SIZE", "PushReport", "load_package", "push", "push_file", "push_frame"]

DEFAULT_REJECTED_DIR = Path("build/rejected")
#: values per POST. benchmarks/push_send.py (1M values, loopback): the client's CPU for sending falls from
#: 0.66 µs a value at 1,000 a chunk to 0.19 at 5,000, 0.14 at 10,000 and 0.10 at 20,000 (a request costs
#: ~0.6 ms whatever its size). 10,000 values are ~1.2 MB of JSON here: above nginx's 1 MB default
#: client_max_body_size, which a proxy in front of DHIS2 raises anyway for app uploads; a 413 says to
#: push again with a smaller --chunk-size.
DEFAULT_CHUNK_SIZE = 10_000
_UID = re.compile(r"\b[A-Za-z][A-Za-z0-9]{10}\b")


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
    before_reform: BeforeReform = "refuse",
    reform_choices: str | None = None,
    today: date | None = None,
    progress: Progress | None = None,
    source: str = "the DataFrame",
) -> PushReport:
    """Push a long-format frame (orgUnit, period, dataElement, value; optional categoryOptionCombo,
    attributeOptionCombo, comment; any dtypes) and say, per row, whether it was stored, rejected or
    not sent. The frame's index labels are the row ids (``report.outcomes``, ``on_chunk``).
    ``package``: the compiled package (or its ``Metadata``). ``strict``: org units the value's data set
    is not assigned to are errors, not warnings. ``before_reform``: what a bare official code means in a row
    of a period before 1 July 2025 (or spanning it), when the reform reused codes: ``"refuse"`` (the
    default: the row is rejected, naming both meanings), ``"pre-reform"`` (the unit of that time, its
    ``PRE2025-`` copy: ``dhis2_mch.orgunits.resolve_legacy``) or ``"current"`` (today's unit, deliberately).
    ``reform_choices``: how the caller's user makes that choice, for the refusal's reason (default: the
    push command's options)."""
    table = Table(Path(source), normalise(frame, source), [str(c) for c in frame.columns])
    return _push(table, frame.index, conn, _metadata(package), dry_run=dry_run, partial=partial,
                 chunk_size=chunk_size, on_chunk=on_chunk, strict=strict, before_reform=before_reform, today=today,
                 progress=progress, source=source, reform_choices=reform_choices)  # fmt: skip


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
    before_reform: BeforeReform = "refuse",
    today: date | None = None,
    progress: Progress | None = None,
) -> PushReport:
    """Push a CSV or Excel file. Row ids are its physical line numbers (for a workbook of several sheets,
    the running row number; ``ROW`` and the sheet are in the messages). Every row not stored goes to the
    rows-to-push-again file in ``rejected_dir`` (``None``: no file)."""
    table = read_table(path, sheet, progress=progress)
    if not len(table.frame) and not table.problems:
        raise InputError(f"{path}: no rows under the header: nothing to push.")
    lines = table.frame[ROW].to_numpy()
    rising = len(lines) < 2 or bool(np.all(lines[1:] > lines[:-1]))  # a CSV's lines: unique without hashing
    ids = pd.Index(lines) if rising or table.frame[ROW].is_unique else pd.RangeIndex(len(table.frame))
    try:
        report = _push(table, ids, conn, _metadata(package), dry_run=dry_run, partial=partial, chunk_size=chunk_size,
                       on_chunk=on_chunk, strict=strict, before_reform=before_reform, today=today, progress=progress,
                       source=path)  # fmt: skip
    except (ServerUnavailable, KeyboardInterrupt) as exc:  # stopped midway: the rows not stored still get their file
        stopped: PushReport | None = getattr(exc, "report", None)
        if stopped is not None and rejected_dir is not None:
            stopped.rejected_file, _, _ = rejected_file.write(table, stopped.outcomes, rejected_dir, settle=False)
        raise
    if rejected_dir is not None and dry_run:  # nothing is stored: a file with problems holds every row
        if report.outcomes.counts()["stored"] < len(table.frame):
            report.rejected_file, _, _ = rejected_file.write(table, report.outcomes.unstored("dry run"), rejected_dir,
                                                             settle=False)  # fmt: skip
    elif rejected_dir is not None:
        report.rejected_file, report.removed_file, report.own_file_done = rejected_file.write(
            table, report.outcomes, rejected_dir
        )
    return report


def push(source: Path, conn: Connection, *, metadata: Path | None = None, **options: Any) -> PushReport:
    """``push_file`` with the package read from a folder or file (None: the programmes' package shipped)."""
    return push_file(source, conn, load_package(metadata, conn), **options)


def load_package(metadata: Path | None = None, conn: Connection | None = None) -> Compiled:
    """The package compiled for the server's version (the shipped one when ``metadata`` is None); a package
    with errors stops the push before anything is read or sent."""
    from dhis2_mch.compile_cache import load_compiled

    compiled = load_compiled(metadata, conn.version if conn is not None else (2, 40))
    return compiled.require_valid("nothing was sent")


def _columns_hint(names: list[str]) -> str:
    """``valeu (did you mean value?)``: a misspelt optional column is otherwise silently left out."""
    from difflib import get_close_matches

    from dhis2_mch.data.readers import COLUMNS

    out = []
    for name in names:
        close = get_close_matches(name.strip().lower(), [c.lower() for c in COLUMNS], n=1, cutoff=0.75)
        canonical = next((c for c in COLUMNS if close and c.lower() == close[0]), None)
        out.append(f"{name} (did you mean {canonical}?)" if canonical else name)
    return ", ".join(out)


def _metadata(package: Package) -> Metadata:
    return package if isinstance(package, Metadata) else package.metadata


@dataclass
class _Run:
    table: Table
    ids: pd.Index
    report: PushReport
    catalogue: Catalogue
    units: ServerUnits

    @property
    def outcomes(self) -> RowOutcomes:
        return self.report.outcomes


def _push(table: Table, ids: pd.Index, conn: Connection, md: Metadata, *, dry_run: bool, partial: bool,
          chunk_size: int | None, on_chunk: OnChunk | None, strict: bool, before_reform: BeforeReform,
          today: date | None, progress: Progress | None, source: Path | str,
          reform_choices: str | None = None) -> PushReport:  # fmt: skip
    frame = table.frame
    catalogue = build_catalogue(md)
    report = PushReport(source, conn.where, dry_run, len(frame), outcomes=RowOutcomes(ids))
    report.notes += table.notes
    if table.ignored_columns:
        report.notes.append(f"columns not part of the long format, ignored: {_columns_hint(table.ignored_columns)}")
    run = _Run(table, ids, report, catalogue, ServerUnits(conn))
    wanted = sorted({d.uid for info in catalogue.data_elements.values() for d in info.data_sets})
    found = {o["id"]: o for o in api.fetch_objects(conn, "dataSets", ids=wanted, fields="id,organisationUnits[id]")}
    assigned = {k: frozenset(u["id"] for u in v.get("organisationUnits") or []) for k, v in found.items()}
    initial = Problems()
    for p in table.problems:
        initial.add_at(np.asarray([p.position]), p.column, [p.reason], "read")
    checked = preflight(frame, catalogue, run.units, today=today or date.today(), assigned=assigned, strict=strict,
                        legacy=legacy_hook(before_reform, reform_choices, within=frame["orgUnit"]),
                        problems=initial)  # fmt: skip
    checked.problems.only_read_for(np.asarray([p.position for p in table.problems], dtype=np.int64))
    if progress is not None:
        progress.checked(len(frame))
    report.rejections = rejections(frame, checked.problems)
    report.warnings = [] if strict else checked.warned
    report.notes += checked.notes
    report.outcomes.reject(checked.problems.parts)
    positions_rejected = checked.problems.positions()
    if len(positions_rejected) and not partial:
        report.held_back = True
        report.outcomes.default_reason["not sent"] = "not sent: held back because other rows failed the preflight"
    elif len(checked.send):
        missing = sorted(set(checked.send["ds"].cat.categories) - set(found))
        if missing:
            raise ValidationFailed(
                f"{conn.where} has no data set {', '.join(f'{catalogue.labels.get(m, m)} [{m}]' for m in missing)}: "
                "the package is not deployed there (run `dhis2-mch deploy` first). Nothing was sent."
            )
        payloads = Payloads(checked.send, api.default_category_model(conn).substitutions(),
                            chunk_size or DEFAULT_CHUNK_SIZE)  # fmt: skip
        _send(run, conn, payloads, dry_run, on_chunk, progress)
    twins, kept = checked.twins
    if len(twins):
        report.outcomes.code[twins] = report.outcomes.code[kept]
        for t, k in zip(twins.tolist(), kept.tolist(), strict=True):
            if k in report.outcomes.reasons:
                report.outcomes.reasons[t] = report.outcomes.reasons[k]
    if progress is not None:
        progress.done()
    if report.failure is not None:  # the caller hears it as the error it is, with every row's outcome attached
        report.failure.report = report  # type: ignore[attr-defined]
        raise report.failure
    return report


def _send(run: _Run, conn: Connection, payloads: Payloads, dry_run: bool, on_chunk: OnChunk | None,
          progress: Progress | None) -> None:  # fmt: skip
    report = run.report
    report.chunks_planned = len(payloads)
    report.outcomes.default_reason["not sent"] = "not sent: the push stopped before this row's chunk was answered"
    data_sets = set()
    total = payloads.values
    for env in payloads:
        try:
            result = api.import_data_values(conn, env.body, dry_run=dry_run, values=(env.size, env.zero))
        except ServerUnavailable as exc:  # transport, HTTP status, authentication: the push stops here
            report.failure = exc
            if getattr(exc, "may_have_applied", False):
                report.outcomes.set(env.positions, "not sent", (
                    f"not sent: chunk {env.number} got no answer and may already be stored; pushing it again is "
                    "safe (DHIS2 keeps one value per data element, period, org unit and option combo)"
                ))  # fmt: skip
            break
        except KeyboardInterrupt as exc:
            report.failure = exc
            report.outcomes.set(env.positions, "not sent", (
                f"not sent: interrupted while chunk {env.number} was being sent; it may already be stored, and "
                "pushing it again is safe"
            ))  # fmt: skip
            break
        report.results.append(result)
        report.sent += env.size
        report.chunks += 1
        data_sets.add(env.data_set)
        problem = _counts_problem(result, env)
        if problem:
            report.failure = UnexpectedCounts(problem, may_have_applied=True)
            report.outcomes.set(env.positions, "not sent", f"not sent: {problem}")
            break
        outcome = _record(run, env, result, dry_run, len(payloads), on_chunk is not None)
        if progress is not None:
            progress.sent(report.sent, total, env.number, len(payloads))
        if on_chunk is not None and outcome is not None:
            on_chunk(outcome)
    report.data_sets = len(data_sets)


class UnexpectedCounts(UnexpectedResponse):
    """DHIS2 answered, but its counts do not account for the values sent: nothing of the chunk is trusted."""


def _counts_problem(result: DataValueImportResult, env: Envelope) -> str | None:
    """DefaultDataValueSetService counts every value once (imported, updated, ignored or deleted) except a
    zero it skips as not significant (``skipValue`` counts on a summary whose count is then replaced)."""
    if result.aborted:
        return None  # the whole set was refused; every row is rejected with DHIS2's reason
    low, high = env.size - env.zero, env.size
    if not low <= result.total <= high or result.ignored < len(_refused(result, env.size)):
        return (
            f"DHIS2 answered chunk {env.number} ({env.size:,} values) with counts that do not add up (imported "
            f"{result.imported}, updated {result.updated}, ignored {result.ignored}, deleted {result.deleted})"
        )
    return None


def _refused(result: DataValueImportResult, size: int) -> dict[int, list[str]]:
    """Value index in the chunk -> DHIS2's reasons (conflicts point at indexes; rejectedIndexes from 2.39)."""
    out: dict[int, list[str]] = {}
    for conflict in result.conflicts:
        for i in conflict.indexes:
            if 0 <= i < size:
                out.setdefault(i, []).append(f"{conflict.error_code or 'conflict'}: {conflict.message}")
    for i in result.rejected_indexes:
        if 0 <= i < size:
            out.setdefault(i, ["DHIS2 ignored this value"])
    return out


def _record(run: _Run, env: Envelope, result: DataValueImportResult, dry_run: bool, of: int,
            wanted: bool) -> ChunkOutcome | None:  # fmt: skip
    """Each row of the chunk stored or rejected (with DHIS2's reason, its UIDs named); the ChunkOutcome
    for ``on_chunk`` when ``wanted`` (row ids as Python objects: only for a caller that asked)."""
    frame, report = run.table.frame, run.report
    if not result.conflicts and not result.rejected_indexes and not result.aborted:
        report.outcomes.set(env.positions, "stored")
        if not wanted:
            return None
        rows = run.ids[env.positions].tolist()
        return ChunkOutcome(env.number, of, env.data_set, rows, rows, {}, result.imported, result.updated,
                            result.ignored, result.deleted, dry_run)  # fmt: skip
    labels = {**run.catalogue.labels, **run.units.labels}
    if result.aborted:
        why = "; ".join(_humane(c.describe(), labels) for c in result.conflicts) or result.description or result.status
        refused = {key: [f"DHIS2 refused the whole data value set: {why}"] for key in range(env.size)}
    else:
        refused = {i: [_humane(m, labels) for m in ms] for i, ms in _refused(result, env.size).items()}
    bad = np.fromiter(refused, dtype=np.int64, count=len(refused))
    stored_mask = np.ones(env.size, dtype=bool)
    stored_mask[bad] = False
    report.outcomes.set(env.positions[stored_mask], "stored")
    reasons: dict = {}
    for i, ms in refused.items():
        pos = int(env.positions[i])
        reason = "; ".join(dict.fromkeys(ms))
        report.outcomes.set([pos], "rejected", f"server: {reason}")
        column = _column_of(result, i)
        value = str(frame[column].iat[pos]) if column in frame.columns else ""
        report.rejections.append(Rejection(row_id(frame[ROW].iat[pos]), column, value, reason, "server",
                                           str(frame[SHEET].iat[pos]) if SHEET in frame.columns else ""))  # fmt: skip
        reasons[run.ids[pos]] = reason
    return ChunkOutcome(
        env.number, of, env.data_set, run.ids[env.positions].tolist(), run.ids[env.positions[stored_mask]].tolist(),
        reasons, result.imported, result.updated, result.ignored, result.deleted, dry_run,
    )  # fmt: skip


_PROPERTY_COLUMN = {"dataElement": "dataElement", "period": "period", "orgUnit": "orgUnit", "value": "value",
                    "categoryOptionCombo": "categoryOptionCombo", "attributeOptionCombo": "attributeOptionCombo",
                    "comment": "comment"}  # fmt: skip
_OBJECT_COLUMN = {"organisationUnit": "orgUnit", "dataElement": "dataElement", "period": "period",
                  "categoryOptionCombo": "categoryOptionCombo"}  # fmt: skip


def _column_of(result: DataValueImportResult, index: int) -> str:
    for c in result.conflicts:
        if index in c.indexes:
            if c.property in _PROPERTY_COLUMN:
                return _PROPERTY_COLUMN[c.property]
            for key in c.objects:
                if key in _OBJECT_COLUMN:
                    return _OBJECT_COLUMN[key]
    return "value"


def _humane(message: str, labels: dict[str, str]) -> str:
    """DHIS2's messages name objects by UID: add the code (and name) a person knows them by."""
    return _UID.sub(lambda m: f"{m.group(0)} ({labels[m.group(0)]})" if m.group(0) in labels else m.group(0), message)
