"""Client-side cost of a push: read a CSV, preflight every row, build the payloads (no server involved).

    .venv/bin/python benchmarks/push_pipeline.py [--rows 100000]

Rows are monthly values of the First 1000 days data set for invented commune codes, every data
element and option combo, so the preflight sees realistic variety.
"""

from __future__ import annotations

import argparse
import csv
import tempfile
import time
from datetime import date
from pathlib import Path

from dhis2_mch.data.catalogue import build_catalogue
from dhis2_mch.data.payload import envelopes
from dhis2_mch.data.preflight import preflight
from dhis2_mch.data.readers import read_table
from dhis2_mch.package import load

ROOT = Path(__file__).resolve().parents[1]


def write_rows(path: Path, n: int, catalogue) -> None:
    monthly = [i for k, i in catalogue.data_elements.items() if k == i.code and i.data_sets[0].period_type == "Monthly"]
    combos = {i.code: catalogue.combo_choices(i) or ["default"] for i in monthly}
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["orgUnit", "period", "dataElement", "categoryOptionCombo", "value", "comment"])
        i = 0
        while i < n:
            for de in monthly:
                for coc in combos[de.code]:
                    if i >= n:
                        return
                    commune, month = divmod(i // len(monthly), 12)
                    w.writerow([f"{commune % 3000:05d}", f"2024{month + 1:02d}", de.code, coc, str(i % 97), ""])
                    i += 1


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    md, _ = load(ROOT / "metadata")
    catalogue = build_catalogue(md)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "values.csv"
        write_rows(path, args.rows, catalogue)
        t0 = time.perf_counter()
        table = read_table(path)
        t1 = time.perf_counter()
        units = {f"{c:05d}": f"Ou{c:09d}" for c in range(3000)}
        checked = preflight(table.frame, catalogue, units, today=date(2025, 1, 15))
        t2 = time.perf_counter()
        batches = envelopes(checked.accepted)
        t3 = time.perf_counter()
    n = len(table.frame)
    size = sum(len(b.body) for b in batches)
    print(f"{n:,} rows: read {1000 * (t1 - t0):.0f} ms, preflight {1000 * (t2 - t1):.0f} ms, "
          f"payload {1000 * (t3 - t2):.0f} ms ({size / 1e6:.1f} MB JSON); "
          f"{1e6 * (t3 - t0) / n:.1f} µs per row; rejected {len(checked.rejections)}")  # fmt: skip


if __name__ == "__main__":
    main()
