"""Client cost of preparing a push: read a CSV, preflight every row, build every chunk's JSON (no server).

    .venv/bin/python benchmarks/push_pipeline.py [--rows 1000000] [--chunk-size 5000]

Rows are monthly values of the programmes' monthly data sets for 3,000 invented commune codes, every
data element and option combination, so the preflight sees realistic variety. The file is written
first; the measured part runs in a fresh process, so its peak memory (``ru_maxrss``) is the push's
own. CPU is user + system time of that process (``resource.getrusage``), split by stage.
"""

from __future__ import annotations

import argparse
import csv
import json
import resource
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))


def cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def monthly_rows(catalogue):
    """(data element code, option combo text) of every monthly aggregate value the package takes."""
    monthly = [i for k, i in catalogue.data_elements.items() if k == i.code and i.data_sets[0].period_type == "Monthly"]
    return [(de.code, coc) for de in monthly for coc in (catalogue.combo_choices(de) or ["default"])]


def write_rows(path: Path, n: int, cells: list[tuple[str, str]], communes: int = 3000) -> None:
    """``n`` distinct values: commune × month × (data element, option combo), the twelve months from August
    2025 (after the 1 July 2025 reform: bare commune codes of earlier periods are refused by default)."""
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["orgUnit", "period", "dataElement", "categoryOptionCombo", "value", "comment"])
        per_commune = len(cells) * 12
        for i in range(n):
            commune, rest = divmod(i, per_commune)
            month, cell = divmod(rest, len(cells))
            de, coc = cells[cell]
            year, month0 = divmod(2025 * 12 + 7 + month, 12)
            w.writerow([f"{commune % communes + 10000:05d}", f"{year}{month0 + 1:02d}", de, coc, str(i % 97), ""])


def measure(path: Path, chunk_size: int) -> dict:
    """Runs in its own process: read, preflight, every body; CPU per stage and the peak memory."""
    from dhis2_mch.data.catalogue import build_catalogue
    from dhis2_mch.data.payload import Payloads
    from dhis2_mch.data.preflight import UnitAnswer, preflight
    from dhis2_mch.data.readers import read_table
    from dhis2_mch.project import Project

    catalogue = build_catalogue(Project.load(None).compile((2, 40)).metadata)
    t0 = cpu()
    table = read_table(path)
    t1 = cpu()

    def units(texts):
        return {t: UnitAnswer(f"Ou{t:0>9}") for t in texts}

    checked = preflight(table.frame, catalogue, units, today=date(2026, 8, 15))
    t2 = cpu()
    size = chunks = 0
    for env in Payloads(checked.send, {}, chunk_size):
        size += len(env.body)
        chunks += 1
    t3 = cpu()
    n = len(table.frame)
    return {
        "rows": n, "read_s": t1 - t0, "preflight_s": t2 - t1, "payload_s": t3 - t2, "total_s": t3 - t0,
        "us_per_value": 1e6 * (t3 - t0) / n, "json_mb": size / 1e6, "chunks": chunks,
        "rejected": len(checked.problems), "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--chunk-size", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3, help="fresh processes; the best CPU is reported")
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure, args.chunk_size)))
        return
    from dhis2_mch.data.catalogue import build_catalogue
    from dhis2_mch.project import Project

    catalogue = build_catalogue(Project.load(None).compile((2, 40)).metadata)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "values.csv"
        write_rows(path, args.rows, monthly_rows(catalogue))
        megabytes = path.stat().st_size / 1e6
        runs = [
            json.loads(subprocess.run(
                [sys.executable, __file__, "--measure", str(path), "--chunk-size", str(args.chunk_size)],
                check=True, capture_output=True, text=True,
            ).stdout)
            for _ in range(args.repeat)
        ]  # fmt: skip
    r = min(runs, key=lambda x: x["total_s"])
    shown = ", ".join(f"{x['us_per_value']:.2f}" for x in runs)
    print(f"runs (µs CPU per value): {shown}; best:")
    print(
        f"{r['rows']:,} rows ({megabytes:.0f} MB CSV): read {r['read_s']:.2f} s, "
        f"preflight {r['preflight_s']:.2f} s, payload {r['payload_s']:.2f} s ({r['chunks']} chunks, "
        f"{r['json_mb']:.0f} MB JSON): {r['us_per_value']:.2f} µs CPU per value; "
        f"peak memory {r['peak_rss_mb']:.0f} MB; rejected {r['rejected']}"
    )  # fmt: skip


if __name__ == "__main__":
    main()
