"""``sync status``: what the ledger says, per source and per org unit, without touching DHIS2."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from dhis2_mch.errors import InputError
from dhis2_mch.sync.ledger import STATUSES


@dataclass
class Status:
    ledger: Path
    sources: list[dict] = field(default_factory=list)
    runs: list[dict] = field(default_factory=list)

    def as_json(self) -> dict:
        return {"ledger": str(self.ledger), "sources": self.sources, "runs": self.runs}

    def as_text(self) -> str:
        lines = [f"Sync ledger {self.ledger}"]
        if not self.sources:
            lines.append("  no values yet: run `dhis2-mch sync run`")
        for s in self.sources:
            last = s["last_pushed"] or "-"
            lines.append(f"  {s['source']} → {s['instance']}: {_counts(s['counts'])}; last pushed {last}")
            for u in s["org_units"]:
                label = " ".join(p for p in (u["code"], u["name"]) if p) or u["uid"]
                lines.append(f"    {label}: {_counts(u['counts'])}; last pushed {u['last_pushed'] or '-'}")
            for f in s.get("files_with_problems", []):
                lines.append(f"    {f['path']}: {f['rows']} values not sent (read {f['read_at']}): {f['first']}")
        for r in self.runs[:5]:
            lines.append(f"  run {r['run_id']}: started {r['started']}, exit {r['exit_code']}")
        return "\n".join(lines)


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{counts[k]} {k}" for k in STATUSES if counts.get(k)) or "nothing"


def read_status(path: Path, runs: int = 10) -> Status:
    if not path.is_file():
        raise InputError(f"{path}: no sync ledger here yet (it is created by the first `dhis2-mch sync run`).")
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        rows = db.execute(
            "SELECT v.source, v.instance, v.ou, o.code, o.name, v.status, COUNT(*), MAX(v.pushed) FROM value v "
            "LEFT JOIN orgunit o ON o.instance = v.instance AND o.uid = v.ou "
            "GROUP BY v.source, v.instance, v.ou, v.status ORDER BY v.source, o.code, v.ou"
        ).fetchall()
        problem_files = db.execute(
            "SELECT source, path, problems, problem_summary, read_at FROM file WHERE problems > 0 ORDER BY path"
        ).fetchall()
        run_rows = db.execute(
            "SELECT run_id, started, finished, exit_code, summary FROM run ORDER BY started DESC LIMIT ?", (runs,)
        ).fetchall()
        db.close()
    except sqlite3.DatabaseError as exc:
        raise InputError(f"{path}: not a readable sync ledger ({exc}).") from None
    status = Status(path)
    by_source: dict[tuple[str, str], dict] = {}
    for source, instance, ou, code, name, st, n, pushed in rows:
        s = by_source.setdefault((source, instance), {"source": source, "instance": instance, "counts": {},
                                                      "last_pushed": None, "org_units": {}})  # fmt: skip
        u = s["org_units"].setdefault(ou, {"uid": ou, "code": code, "name": name, "counts": {}, "last_pushed": None})
        for target in (s, u):
            target["counts"][st] = target["counts"].get(st, 0) + n
            if pushed and (target["last_pushed"] is None or pushed > target["last_pushed"]):
                target["last_pushed"] = pushed
    for s in by_source.values():
        s["org_units"] = list(s["org_units"].values())
        s["files_with_problems"] = []
        status.sources.append(s)
    for source, file_path, count, summary, read_at in problem_files:
        for s in status.sources:
            if s["source"] == source:
                s["files_with_problems"].append({"path": file_path, "rows": count, "first": summary,
                                                 "read_at": read_at})  # fmt: skip
    for run_id, started, finished, code, summary in run_rows:
        counts = (json.loads(summary) or {}).get("counts") if summary else None
        status.runs.append({"run_id": run_id, "started": started, "finished": finished, "exit_code": code,
                            "counts": counts})  # fmt: skip
    return status
