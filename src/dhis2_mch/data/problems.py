"""What is wrong with which rows: ``Problems`` held column-wise while checking, ``Rejection`` per row for the report.

A rule flags thousands of rows with one reason; keeping (positions, column, reasons, stage) per rule
costs an array, not an object per row. Rows become ``Rejection`` objects only for the report.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field
from numbers import Integral

import numpy as np
import pandas as pd

from dhis2_mch.data.readers import ROW, SHEET


@dataclass(frozen=True)
class Rejection:
    row: Hashable  # the row's line number in its file, or its id in a DataFrame
    column: str
    value: str
    reason: str
    stage: str = "preflight"  # or "server" (a conflict DHIS2 reported), "read" (the reader)
    sheet: str = ""

    def as_json(self) -> dict:
        out = {k: v for k, v in self.__dict__.items() if k != "sheet"}
        if self.sheet:
            out["sheet"] = self.sheet
        return out

    def as_text(self) -> str:
        where = f"sheet {self.sheet!r} row {self.row}" if self.sheet else f"row {self.row}"
        return f"{where}, {self.column} `{self.value}`: {self.reason}"


@dataclass
class Problems:
    """Rejections held column-wise: for each rule, the positions it flags and the reason of each."""

    parts: list[tuple[np.ndarray, str, np.ndarray, str]] = field(default_factory=list)

    def add(self, mask: np.ndarray, column: str, reasons: np.ndarray | str) -> None:
        positions = np.flatnonzero(mask)
        if not len(positions):
            return
        if isinstance(reasons, str):
            why = np.empty(len(positions), dtype=object)
            why[:] = reasons
        else:
            why = reasons[positions]
        self.parts.append((positions, column, why, "preflight"))

    def add_answers(self, answers: list[str | None], inverse: np.ndarray, column: str) -> None:
        """Per-distinct reasons (None: fine) spread to the rows whose combination has one."""
        flags = np.array([a is not None for a in answers] + [False], dtype=bool)
        if not flags.any():
            return
        positions = np.flatnonzero(flags[inverse])
        table = np.empty(len(answers) + 1, dtype=object)
        table[: len(answers)] = answers
        self.parts.append((positions, column, table[inverse[positions]], "preflight"))

    def add_at(self, positions: np.ndarray, column: str, reasons: list[str], stage: str = "preflight") -> None:
        if len(positions):
            self.parts.append((np.asarray(positions, dtype=np.int64), column, np.asarray(reasons, dtype=object), stage))

    def only_read_for(self, positions: np.ndarray) -> None:
        """Rows the reader could not take keep only the reader's reason (the rest would follow from it)."""
        if not len(positions):
            return
        self.parts = [
            (ps[keep], c, ws[keep], stage)
            for ps, c, ws, stage in self.parts
            for keep in [np.ones(len(ps), dtype=bool) if stage == "read" else ~np.isin(ps, positions)]
            if keep.any()
        ]

    def positions(self) -> np.ndarray:
        if not self.parts:
            return np.zeros(0, dtype=np.int64)
        return np.unique(np.concatenate([p for p, _, _, _ in self.parts]))

    def __len__(self) -> int:
        return len(self.positions())

    def items(self) -> list[tuple[int, str, str, str]]:
        """(position, column, reason, stage), by position then in rule order."""
        out = [
            (int(p), c, str(w), stage)
            for ps, c, ws, stage in self.parts
            for p, w in zip(ps.tolist(), ws.tolist(), strict=True)
        ]
        return sorted(out, key=lambda t: t[0])


def row_id(value: Hashable) -> Hashable:
    """numpy's integers as Python ints (for JSON and equality with the file's line numbers)."""
    return int(value) if type(value) is not int and isinstance(value, np.integer | Integral) else value


def rejections(frame: pd.DataFrame, problems: Problems) -> list[Rejection]:
    """The column-wise problems as Rejection objects (for the report; only rows that have a problem)."""
    lines = frame[ROW].to_numpy()
    sheets = frame[SHEET].astype(str).to_numpy() if SHEET in frame.columns else None
    out: list[tuple[int, Rejection]] = []
    for positions, column, reasons, stage in problems.parts:
        values = frame[column].astype(str).to_numpy()[positions] if column in frame.columns else [""] * len(positions)
        rows = [row_id(r) for r in lines[positions].tolist()]
        where = sheets[positions].tolist() if sheets is not None else [""] * len(positions)
        out += [
            (p, Rejection(r, column, v, w, stage, sh))
            for p, r, v, w, sh in zip(positions.tolist(), rows, values, reasons.tolist(), where, strict=True)
        ]
    out.sort(key=lambda t: t[0])
    return [r for _, r in out]
