"""CPU the reform check adds to the preflight: ``before_reform="refuse"`` (a hook per distinct (code,
period) pair) against ``"current"`` (no hook), on the same frame of monthly rows, no server.

    .venv/bin/python benchmarks/preflight_reform.py [--rows 1000000]

Rows as in push_pipeline.py (3,000 commune codes × 12 months × every monthly cell), months after the
reform (August 2025 – July 2026: every pair is checked and passes). Each choice runs twice, alternating;
the second run of each is the one to read (the first pays the registers' one-off load).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "benchmarks"))


def main() -> None:
    from push_pipeline import monthly_rows, write_rows

    from dhis2_mch.data.catalogue import build_catalogue
    from dhis2_mch.data.preflight import UnitAnswer, preflight
    from dhis2_mch.data.readers import read_table
    from dhis2_mch.data.units import legacy_hook
    from dhis2_mch.project import Project

    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    n = parser.parse_args().rows
    catalogue = build_catalogue(Project.load(None).compile((2, 40)).metadata)
    cells = monthly_rows(catalogue)
    path = Path(tempfile.mkdtemp()) / "rows.csv"
    write_rows(path, n, cells)
    table = read_table(path)

    def units(texts):
        return {t: UnitAnswer(f"Ou{t:0>9}") for t in texts}

    for how in ("current", "refuse", "current", "refuse"):
        t = time.process_time()
        checked = preflight(table.frame, catalogue, units, today=date(2026, 12, 1), legacy=legacy_hook(how))
        print(f"{how:<8} {n:,} rows: preflight {time.process_time() - t:.2f} s CPU, {len(checked.send):,} sendable")


if __name__ == "__main__":
    main()
