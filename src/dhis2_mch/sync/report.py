"""What a sync run did, for people (text), for machines (JSON) and for the run log (one JSON line)."""

from __future__ import annotations

from dataclasses import dataclass, field

COUNTS = ("read", "unchanged", "sent", "confirmed", "rejected", "unfinished", "problems", "missing", "deleted")


@dataclass
class Problem:
    """A row that was not sent or not accepted: where it is and why."""

    file: str
    row: int
    column: str
    value: str
    reason: str
    stage: str  # preflight | server

    def as_text(self) -> str:
        shown = f" `{self.value}`" if self.value else ""
        return f"{self.file} row {self.row}, {self.column}{shown}: {self.reason}"


@dataclass
class SourceReport:
    name: str
    instance: str = ""
    files_read: list[str] = field(default_factory=list)
    files_unchanged: list[str] = field(default_factory=list)
    files_gone: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNTS, 0))
    problems: list[Problem] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # descriptions of vanished values (first few)
    notes: list[str] = field(default_factory=list)

    def as_json(self) -> dict:
        return {
            "name": self.name,
            "instance": self.instance,
            "files_read": self.files_read,
            "files_unchanged": self.files_unchanged,
            "files_gone": self.files_gone,
            "counts": self.counts,
            "problems": [p.__dict__ for p in self.problems],
            "missing": self.missing,
            "notes": self.notes,
        }


@dataclass
class RunReport:
    run_id: str
    started: str
    duration: float = 0.0
    exit_code: int = 0
    sources: list[SourceReport] = field(default_factory=list)
    completed: int = 0
    completion_problems: list[str] = field(default_factory=list)
    failure: str | None = None

    def total(self, key: str) -> int:
        return sum(s.counts[key] for s in self.sources)

    def as_json(self) -> dict:
        return {
            "ok": self.exit_code == 0,
            "run_id": self.run_id,
            "started": self.started,
            "duration_s": round(self.duration, 3),
            "exit_code": self.exit_code,
            "counts": {k: self.total(k) for k in COUNTS} | {"completed": self.completed},
            "failure": self.failure,
            "completion_problems": self.completion_problems,
            "sources": [s.as_json() for s in self.sources],
        }

    def log_line(self) -> dict:
        """The run log's record: no row-level detail, so a year of nightly runs stays small."""
        return {k: v for k, v in self.as_json().items() if k not in ("sources", "completion_problems")} | {
            "sources": {s.name: s.counts for s in self.sources}
        }

    def as_text(self) -> str:
        lines = [f"Sync run {self.run_id} ({self.duration:.1f} s)"]
        for s in self.sources:
            c = s.counts
            lines.append(
                f"  {s.name} → {s.instance}: {len(s.files_read)} files read, {len(s.files_unchanged)} unchanged; "
                f"{c['read']} values read, {c['unchanged']} unchanged, {c['sent']} sent: {c['confirmed']} confirmed, "
                f"{c['rejected']} rejected, {c['unfinished']} left pending"
            )
            if s.problems:
                lines.append(f"    {len(s.problems)} values not accepted:")
                lines += [f"      {p.as_text()}" for p in s.problems[:20]]
                if len(s.problems) > 20:
                    lines.append(f"      ... and {len(s.problems) - 20} more (--format json lists them all)")
            if c["missing"]:
                verb = "deleted on the server" if c["deleted"] else "still on the server (delete_missing is off)"
                lines.append(f"    {c['missing']} values are no longer in their source files, {verb}:")
                lines += [f"      {m}" for m in s.missing[:10]]
            lines += [f"    gone: {f} (its values are reported as missing)" for f in s.files_gone]
            lines += [f"    note: {n}" for n in s.notes]
        if self.completed:
            lines.append(f"  registered complete: {self.completed} data set / org unit / period")
        lines += [f"  completeness not registered: {p}" for p in self.completion_problems]
        if self.failure:
            lines.append(f"  stopped: {self.failure}")
            lines.append("  the values not sent stay pending; the next run sends them")
        return "\n".join(lines)
