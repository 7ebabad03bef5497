"""A sync run over a million ledgered, unchanged values: how long, and that no data is POSTed.

    .venv/bin/python benchmarks/sync_unchanged.py [--values 1000000] [--runs 3]

Setup (not timed): a sandbox (loopback HTTP, SQLite file) with the package deployed, as many synthetic
communes under Lào Cai (province 15) as the values need (codes 10000, 10001, ..., open since 1 July
2025, the First 1000 days monthly data set assigned to them, as a real deployment assigns it), and one
CSV in the First 1000 days monthly layout naming each commune by its code (``orgUnit: {by: code}``),
for the six months after the 1 July 2025 reform, July-December 2025 (the sync's ``today`` is
1 January 2026: the data set has no open future periods, which in DHIS2 locks the current month too,
DataSet.getLatestOpenFuturePeriod): 46 value columns x 6 months x 3,624 communes = 1,000,224 values,
pushed once by a first ``sync run``. Timed: further runs (median of ``--runs``):

- *unchanged files*: the files' SHA-256 match the ledger, nothing is read;
- *--reread*: every file is read, keys resolved (the codes looked up on the server) and hashed
  column-wise, and diffed against the ledger's million hashes (the case of a workbook re-saved without
  changes, or a changed file among unchanged values).

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
from bench_units import add_communes

from dhis2_mch.dhis2.connection import Connection, RetryPolicy
from dhis2_mch.sandbox import Sandbox
from dhis2_mch.sync.config import SyncConfig
from dhis2_mch.sync.runner import run

ROOT = Path(__file__).resolve().parents[1]
PERIODS = tuple(f"2025{m:02d}" for m in range(7, 13))  # after the reform of 1 July 2025
TODAY = date(2026, 1, 1)  # December 2025 is the latest open period (no open future periods)
PROVINCE = "15"  # Lào Cai
CODE_COLUMN = "Mã xã"


def commune_codes(n: int) -> list[str]:
    return [f"{10000 + i:05d}" for i in range(n)]


def write_csv(folder: Path, codes: list[str]) -> tuple[Path, int]:
    spec = yaml.safe_load((ROOT / "config/mappings/f1000_monthly.yaml").read_text(encoding="utf-8"))
    spec.update(sheet=0, headerRow=1, period={"column": "Tháng", "format": "YYYYMM"},
                orgUnit={"column": CODE_COLUMN, "by": "code"})  # fmt: skip
    mapping = folder / "f1000_csv.yaml"
    mapping.write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
    columns = [v["column"] for v in spec["values"]]
    path = folder / "inbox" / "f1000.csv"
    path.parent.mkdir(parents=True)
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow([CODE_COLUMN, "Tháng", *columns, "Ghi chú"])
        for i, pe in enumerate(PERIODS):
            for j, code in enumerate(codes):
                w.writerow([code, pe, *(str((i * 7 + j * 3 + k) % 50 + 1) for k in range(len(columns))), ""])
    return mapping, len(PERIODS) * len(codes) * len(columns)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--values", type=int, default=1_000_000, help="at least this many (whole communes)")
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
                codes = commune_codes(-(-args.values // (46 * len(PERIODS))))
                add_communes(sb, codes, PROVINCE, data_set="F1000_MONTHLY")
                mapping, n = write_csv(folder, codes)
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

            today = TODAY
            if not reuse:
                started = time.perf_counter()
                first = run(config, connect, today=today)
                setup = time.perf_counter() - started
                assert first.exit_code == 0 and first.total("confirmed") == n, first.as_text()
                print(f"setup: first run sent and confirmed {first.total('confirmed'):,} values ({n:,} in the "
                      f"file, {n // 46 // len(PERIODS):,} communes x {len(PERIODS)} months) in {setup:.1f} s, "
                      f"{len(posts)} POSTs")  # fmt: skip
            for label, reread in (("unchanged files", False), ("--reread (column-wise diff)", True)):
                times, client = [], []
                for _ in range(args.runs):
                    posts.clear()
                    started, cpu = time.perf_counter(), time.thread_time()
                    report = run(config, connect, reread=reread, today=today)
                    times.append(time.perf_counter() - started)
                    client.append(time.thread_time() - cpu)
                    assert report.exit_code == 0 and not posts, (report.as_text(), posts)
                    assert reread is False or report.total("unchanged") == n
                print(f"{label}: {n:,} ledgered values, median {statistics.median(times):.2f} s over {args.runs} runs "
                      f"(min {min(times):.2f}, max {max(times):.2f}), of which the sync's own CPU "
                      f"{statistics.median(client):.2f} s (the rest: the sandbox answering in its threads); "
                      "0 POST /api/dataValueSets")  # fmt: skip
    finally:
        if not args.workdir:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
