"""The push report: what happened to every row, said for the person who will act on it.

Every input row is stored, rejected or not sent (``outcomes``); the text ends with the one thing to
do next, and following it never loses a row: the rows-to-push-again file holds *every* row not yet
stored (rejected ones with their reason, held-back and unsent ones too), so pushing it after
correcting sends exactly what is missing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from dhis2_mch.data.outcome import RowOutcomes
from dhis2_mch.data.problems import Rejection
from dhis2_mch.dhis2.reports import DataValueImportResult

COUNTS = ("imported", "updated", "ignored", "deleted")
SHOWN = 30


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n:,} {word if n == 1 else plural or word + 's'}"


@dataclass
class PushReport:
    source: Path | str
    target: str
    dry_run: bool
    rows: int
    outcomes: RowOutcomes = field(default_factory=lambda: RowOutcomes(pd.Index([])))
    rejections: list[Rejection] = field(default_factory=list)
    #: per data set, the org units of the file it is not assigned to: {"data_set", "org_units", "rows"}
    warnings: list[dict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    sent: int = 0
    data_sets: int = 0
    chunks: int = 0  # chunks answered
    chunks_planned: int = 0
    results: list[DataValueImportResult] = field(default_factory=list)
    held_back: bool = False  # preflight found problems and nothing was sent
    failure: BaseException | None = None  # why the push stopped before its last chunk (also raised)
    rejected_file: Path | None = None  # every row not stored, to correct and push again
    removed_file: Path | None = None  # an earlier push's file, now superseded
    own_file_done: bool = False  # the input was such a file and every row of it is now stored

    def total(self, key: str) -> int:
        return sum(getattr(r, key) for r in self.results)

    @property
    def ok(self) -> bool:
        counts = self.outcomes.counts()
        return self.failure is None and not self.held_back and counts["rejected"] == 0 and counts["not sent"] == 0

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
            "import_count": {k: self.total(k) for k in COUNTS},
            "status": [r.status for r in self.results],
            "rejected": [r.as_json() for r in self.rejections],
            "rejected_file": str(self.rejected_file) if self.rejected_file else None,
            "notes": self.notes,
            "outcomes": self.outcomes.counts(),
            "chunks": {"answered": self.chunks, "planned": self.chunks_planned},
            "failure": (str(self.failure) or type(self.failure).__name__) if self.failure is not None else None,
            "warnings": self.warnings,
            "removed_file": str(self.removed_file) if self.removed_file else None,
        }

    def as_text(self) -> str:
        head = f"Push of {self.source} to {self.target}{' (dry run: DHIS2 stores nothing)' if self.dry_run else ''}"
        counts = self.outcomes.counts()
        stored = "would be stored" if self.dry_run else "stored"
        lines = [head, f"  rows read: {self.rows:,}"]
        lines.append(f"  {stored}: {counts['stored']:,}   rejected: {counts['rejected']:,}   "
                     f"not sent: {counts['not sent']:,}")  # fmt: skip
        pre = [r for r in self.rejections if r.stage in ("read", "preflight")]
        server = [r for r in self.rejections if r.stage == "server"]
        if self.held_back:
            lines.append(
                f"  {_plural(len({(r.sheet, r.row) for r in pre}), 'row')} failed the preflight, so nothing was sent"
            )
        if self.chunks_planned:
            lines.append(
                f"  sent: {_plural(self.sent, 'value')} in {self.chunks} of {_plural(self.chunks_planned, 'chunk')} "
                f"({_plural(self.data_sets, 'data set')})"
            )
            lines.append(
                "  DHIS2: "
                + ", ".join(f"{k} {self.total(k):,}" for k in COUNTS)
                + (f" ({', '.join(sorted({r.status for r in self.results}))})" if self.results else "")
            )
        elif not self.held_back:
            lines.append("  sent: nothing (no row to send)")
        for title, items in (("rejected before sending", pre), ("rejected by DHIS2", server)):
            if items:
                lines.append(f"  {title}: {_plural(len({(r.sheet, r.row) for r in items}), 'row')}")
                lines += _grouped(items)
        for w in self.warnings:
            units = w["org_units"]
            shown = ", ".join(units[:10]) + (f" and {len(units) - 10:,} more" if len(units) > 10 else "")
            lines.append(
                f"  warning: data set {w['data_set']} is not assigned to {_plural(len(units), 'org unit')} of this "
                f"file ({shown}; {_plural(w['rows'], 'row')}): DHIS2 stores their values, but Data Entry and "
                "completeness will not show them. Assign the data set to them, or push with --strict to refuse them."
            )
        if self.failure is not None:
            why = str(self.failure) or "interrupted (Ctrl-C)"
            lines.append(f"  stopped after chunk {self.chunks} of {self.chunks_planned}: {why}")
            if getattr(self.failure, "status", None) == 413:
                lines.append("  (a proxy refused the request's size: push again with --chunk-size 2000)")
        lines += [f"  note: {n}" for n in self.notes]
        lines += self._advice(counts)
        return "\n".join(lines)

    def _advice(self, counts: dict[str, int]) -> list[str]:
        out = []
        if self.rejected_file is not None and self.dry_run:
            out.append(f"  next: {self.rejected_file} holds every row (a dry run stores nothing): correct the rows "
                       "that have a reason, then push it")  # fmt: skip
        elif self.rejected_file is not None:
            todo = counts["rejected"] + counts["not sent"]
            what = "correct the rows that have a reason, then push it" if counts["rejected"] else "push it as it is"
            out.append(f"  next: {self.rejected_file} holds the {_plural(todo, 'row')} not yet stored "
                       f"(stored ones are not in it): {what}.")  # fmt: skip
            if self.held_back:
                out.append("        (or pass --partial to send the rows that passed now, and only the rest stay)")
        if self.rejected_file is not None and (counts["rejected"] or self.dry_run):
            out.append(_EXCEL)
        elif counts["rejected"] or counts["not sent"]:
            out.append("  next: correct the rejected rows and push them again (no rows-to-push-again file written)")
        if self.removed_file is not None:
            out.append(f"  removed {self.removed_file}: an earlier push's rows, all stored now")
        if self.own_file_done:
            out.append(f"  every row of {self.source} is now stored: you may delete it")
        return out


#: opened by a double-click, Excel reads a CSV's 02809 as the number 2809 and 2025-11 as a date, and saves them so
_EXCEL = ("        (to correct it in Excel, open it with Data > From Text/CSV and set orgUnit and period to Text: "
          "a double-click turns 02809 into 2809)")


def _grouped(items: list[Rejection]) -> list[str]:
    """Rows that share a reason on one line (E7617 repeated a thousand times is one line with the rows)."""
    by_reason: dict[tuple[str, str], list[Rejection]] = {}
    for r in items:
        by_reason.setdefault((r.column, r.reason), []).append(r)
    out = []
    if all(len(v) == 1 for v in by_reason.values()):
        out = [f"    {r.as_text()}" for r in items[:SHOWN]]
        if len(items) > SHOWN:
            out.append(f"    ... and {len(items) - SHOWN:,} more (all of them in the rows-to-push-again file)")
        return out
    for (column, reason), rs in list(by_reason.items())[:SHOWN]:
        if len(rs) == 1:
            out.append(f"    {rs[0].as_text()}")
            continue
        where = ", ".join(str(r.row) for r in rs[:6]) + (f" and {len(rs) - 6:,} more" if len(rs) > 6 else "")
        sheet = f"sheet {rs[0].sheet!r} " if rs[0].sheet else ""
        out.append(f"    {sheet}rows {where}, {column}: {reason}")
    if len(by_reason) > SHOWN:
        out.append(f"    ... and {len(by_reason) - SHOWN:,} more reasons (all rows in the rows-to-push-again file)")
    return out
