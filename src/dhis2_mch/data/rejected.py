"""The rows-to-push-again file: every input row not yet stored, in the input's own columns and order.

Named after the input *and* a digest of its full path (``monthly.3f9a1c2b.csv``), so two inputs both
called ``monthly.csv`` in different folders never overwrite each other's file. It holds rejected rows
(with the reason) and rows not sent (held back, or after a failure), never stored ones, so pushing it
after correcting sends exactly what is missing, and pushing it twice stores nothing twice. Pushing
the file itself rewrites it with what is still not stored; when everything of an input is stored,
the file an earlier push left for it is removed. Written to a temporary file and renamed, so an
interrupted write never leaves half a file.
"""

from __future__ import annotations

import csv
import hashlib
import re
from pathlib import Path

import numpy as np

from dhis2_mch.data.outcome import RowOutcomes
from dhis2_mch.data.readers import CARRIED, COLUMNS, MARKERS, ROW, SHEET, Table
from dhis2_mch.errors import InputError
from dhis2_mch.files import atomic_write

_OURS = re.compile(r"\.[0-9a-f]{8}\.csv$")


def path_for(source: Path, folder: Path) -> Path:
    """``folder/<stem>.<8 hex of the input's absolute path>.csv``; an input that is such a file is its own."""
    source = source.resolve()
    if is_ours(source, folder):
        return source
    digest = hashlib.sha1(str(source).encode("utf-8")).hexdigest()[:8]
    return folder / f"{source.stem}.{digest}.csv"


def is_ours(source: Path, folder: Path) -> bool:
    return bool(_OURS.search(source.name)) and source.resolve().parent == folder.resolve()


def write(
    table: Table, outcomes: RowOutcomes, folder: Path, *, settle: bool = True
) -> tuple[Path | None, Path | None, bool]:
    """Write the file, or when every row is stored (``settle``: not a dry run) remove the one an earlier push
    left. Returns (file written, stale file removed, the input is such a file and is now all stored)."""
    target = path_for(table.path, folder)
    todo = np.flatnonzero(outcomes.code != 0)  # 0 = stored
    own = target == table.path.resolve()
    if not len(todo):
        if not settle:
            return None, None, False
        if own:
            return None, None, True
        if target.exists():
            target.unlink()
            return None, target, False
        return None, None, False
    frame = table.frame.iloc[todo]
    columns = [(i, c) for i, c in enumerate(table.columns) if c not in MARKERS] or list(enumerate(COLUMNS))
    raw_of = {v.strip().lower(): k for k, v in table.raw.items()}
    header = [c for _, c in columns] + ["line"] + (["sheet"] if SHEET in frame.columns else []) + ["reason"]
    reasons = outcomes.reason_array(todo)
    data = []
    for i, name in columns:
        canonical = raw_of.get(name.strip().lower())
        source = canonical if canonical in frame.columns else f"{CARRIED}{i}"
        data.append(frame[source].astype(str).to_numpy() if source in frame.columns else
                    np.full(len(frame), "", dtype=object))  # fmt: skip
    _restore_split_lines(table, todo, columns, raw_of, data)
    cells = dict(enumerate(data))
    extra = [frame[ROW].to_numpy()] + ([frame[SHEET].astype(str).to_numpy()] if SHEET in frame.columns else [])
    try:
        folder.mkdir(parents=True, exist_ok=True)
        atomic_write_csv(target, header, [*cells.values(), *extra, reasons])
    except OSError as exc:
        raise InputError(f"{target}: cannot write the rows to push again ({exc.strerror or exc}).") from None
    return target, None, False


def _restore_split_lines(table: Table, todo: np.ndarray, columns: list[tuple[int, str]], raw_of: dict[str, str],
                         data: list[np.ndarray]) -> None:  # fmt: skip
    """A line with more fields than the header (an unquoted ``1,541``) was read as its first fields; written
    back like that, it would push as ``1`` with the comment ``541``. Its fields are written again regrouped
    (``_regroup``): the row as it was typed, refused again until corrected, nothing of it lost.
    ``columns``: (position in the input, name) of each cell written."""
    split = {p.position: p.value for p in table.problems if _SPLIT_REASON in p.reason}
    at = {raw_of.get(n.strip().lower()): i for i, n in columns}
    where = {int(p): k for k, p in enumerate(todo.tolist()) if int(p) in split}
    if not where or at.get("value") is None:
        return
    for j in range(len(data)):
        data[j] = data[j].astype(object)
    for position, k in where.items():
        fields = _fields(split[position], table.separator)
        cells = _regroup(fields, len(table.columns), at["value"], at.get("comment"), table.separator)
        for j, (i, _) in enumerate(columns):
            data[j][k] = cells[i].strip() if cells is not None else data[j][k]


def _fields(text: str, sep: str) -> list[str]:
    """The line's fields as the reader split it (a line break inside a field: split at the separator)."""
    try:
        return next(csv.reader([text], delimiter=sep), [])
    except csv.Error:
        return text.split(sep)


def _regroup(fields: list[str], width: int, value_at: int, comment_at: int | None, sep: str) -> list[str] | None:
    """The fields of a line with ``len(fields) - width`` too many, as ``width`` cells: the surplus goes into the
    value cell, so the value keeps its separator and is refused again (``1,541``); only when the fields after
    the value are digit groups (``541``) does the value take just those and a comment after it the rest (an
    unquoted comma in the comment too). Never a grouping that would pass as a clean number."""
    surplus = len(fields) - width
    if surplus <= 0:
        return None
    groups = 0
    while groups < surplus and value_at + 1 + groups < len(fields) and _GROUP.match(fields[value_at + 1 + groups]):
        groups += 1
    take = {value_at: 1 + surplus}
    if groups and comment_at is not None and comment_at > value_at:
        take = {value_at: 1 + groups, comment_at: 1 + surplus - groups}
    cells, f = [], 0
    for i in range(width):
        n = take.get(i, 1)
        cells.append(sep.join(fields[f : f + n]))
        f += n
    return cells


_GROUP = re.compile(r"^\s*\d{3}\s*$")
_SPLIT_REASON = "fields where the header has"


def atomic_write_csv(path: Path, header: list[str], columns: list[np.ndarray]) -> None:
    """UTF-8 with BOM (Excel opens it with the right letters), all of it or none (``files.atomic_write``)."""
    with atomic_write(path, encoding="utf-8", newline="") as fh:
        fh.write("\ufeff")  # the BOM once (the utf-8-sig codec would run its encoder on every row)
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(zip(*(c.tolist() for c in columns), strict=True))  # Python objects: numpy's are slow to str
