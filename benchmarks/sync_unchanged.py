"""A sync run over a million ledgered, unchanged values: how long, and that no data is POSTed.

    .venv/bin/python benchmarks/sync_unchanged.py [--months 5435] [--runs 3]

Setup (not timed): a sandbox (loopback HTTP, SQLite file) with the package deployed, and one CSV in the
First 1000 days monthly layout (4 Lào Cai communes by name × 46 value columns × ``--months`` months,
so 5,435 months give 1,000,040 values), pushed once by a first ``sync run``. Timed: further runs
(median of ``--runs``):

- *unchanged files*: the files' SHA-256 match the ledger, nothing is read;
- *--reread*: every file is read, keys resolved and hashed column-wise, and diffed against the
  ledger's million hashes (the case of a workbook re-saved without changes, or a changed file
  among unchanged values).

Each timed run must exit 0 and the sandbox must see no POST /api/dataValueSets.
"""

from __future__ import annotations

import argparse
import csv
import shutil
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import yaml

from dhis2_mch.dhis2.connection import Connection, RetryPolicy
from dhis2_mch.sandbox import Sandbox
from dhis2_mch.sync.config import SyncConfig
from dhis2_mch.sync.runner import run

ROOT = Path(__file__).resolve().parents[1]
COMMUNES = ("Si Ma Cai", "Bát Xát", "Mường Khương", "Bảo Yên")


def write_csv(folder: Path, months: int) -> tuple[Path, int]:
    spec = yaml.safe_load((ROOT / "config/mappings/f1000_monthly.yaml").read_text(encoding="utf-8"))
    spec.update(sheet=0, headerRow=1, period={"column": "Tháng", "format": "YYYYMM"})
    mapping = folder / "f1000_csv.yaml"
    mapping.write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
    columns = [v["column"] for v in spec["values"]]
    path = folder / "inbox" / "f1000.csv"
    path.parent.mkdir(parents=True)
    year, month = 2025, 9
    periods = []
    for _ in range(months):
        periods.append(f"{year}{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["Tên xã", "Tháng", *columns, "Ghi chú"])
        for i, pe in enumerate(periods):
            for j, unit in enumerate(COMMUNES):
                w.writerow([unit, pe, *(str((i * 7 + j * 3 + k) % 50 + 1) for k in range(len(columns))), ""])
    return mapping, months * len(COMMUNES) * len(columns)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--months", type=int, default=5435)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--workdir", type=Path, help="keep the sandbox, ledger and CSV here, and reuse them next time")
    args = ap.parse_args()
    folder = args.workdir or Path(tempfile.mkdtemp(prefix="sync-bench-"))
    reuse = (folder / "ledger.sqlite").exists()
    folder.mkdir(parents=True, exist_ok=True)
    posts: list[str] = []

    def log(line: str) -> None:
        if '"POST /api/dataValueSets' in line:
            posts.append(line)

    try:
        # the ledger keys values by the instance's URL: a reused work folder needs the same port again
        port_file = folder / "port"
        port = int(port_file.read_text()) if reuse and port_file.exists() else 0
        with Sandbox("2.40", folder / "server.sqlite", log=log).start(port=port) as sb:
            port_file.write_text(sb.url.rsplit(":", 1)[1])
            from click.testing import CliRunner

            from dhis2_mch.cli import cli

            env = {"DHIS2_USERNAME": sb.username, "DHIS2_PASSWORD": sb.password}
            if not reuse:
                deployed = CliRunner(env=env).invoke(cli, ["deploy", "--url", sb.url, "--metadata",
                                                           str(ROOT / "metadata")])  # fmt: skip
                assert deployed.exit_code == 0, deployed.output
                mapping, n = write_csv(folder, args.months)
            else:
                mapping = folder / "f1000_csv.yaml"
                n = (len((folder / "inbox/f1000.csv").read_text(encoding="utf-8").splitlines()) - 1) * 46
            config = SyncConfig(
                ledger=folder / "ledger.sqlite", log=folder / "runs.jsonl", metadata=ROOT / "metadata",
                chunk_size=20_000, sources=[{"name": "f1000", "files": [str(folder / "inbox/*.csv")],
                                             "mapping": mapping}],
            )  # fmt: skip

            def connect(_name: str | None) -> Connection:
                return Connection(sb.url, username=sb.username, password=sb.password, retry=RetryPolicy(attempts=2))

            today = date(2025, 12, 1)
            if not reuse:
                started = time.perf_counter()
                first = run(config, connect, today=today)
                setup = time.perf_counter() - started
                assert first.exit_code == 0, first.as_text()
                print(f"setup: first run sent and confirmed {first.total('confirmed'):,} values "
                      f"({n:,} in the file) in {setup:.1f} s, {len(posts)} POSTs")  # fmt: skip
            for label, reread in (("unchanged files", False), ("--reread (column-wise diff)", True)):
                times = []
                for _ in range(args.runs):
                    posts.clear()
                    started = time.perf_counter()
                    report = run(config, connect, reread=reread, today=today)
                    times.append(time.perf_counter() - started)
                    assert report.exit_code == 0 and not posts, (report.as_text(), posts)
                    assert reread is False or report.total("unchanged") == n
                print(f"{label}: {n:,} ledgered values, median {statistics.median(times):.2f} s over {args.runs} runs "
                      f"(min {min(times):.2f}, max {max(times):.2f}); 0 POST /api/dataValueSets")  # fmt: skip
    finally:
        if not args.workdir:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
