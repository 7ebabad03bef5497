"""Offline validation speed: the WHO packages must validate "well under a second".

.venv/bin/python benchmarks/validate_packages.py [--runs 7]
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from dhis2_mch.package import load
from dhis2_mch.package.build import to_json_bytes
from dhis2_mch.validate import validate

ROOT = Path(__file__).resolve().parents[1]
TARGETS = {
    "NUT_AGG_2.40 (1.2 MB JSON)": ROOT.parent / "shared/dhis2/packages/NUT_AGG_2.40/metadata.json",
    "IMM_BCU_2.40 (0.5 MB JSON)": ROOT.parent / "shared/dhis2/packages/IMM_BCU_2.40/metadata.json",
    "metadata/ (YAML)": ROOT / "metadata",
}


def once(path: Path) -> tuple[float, int, int]:
    start = time.perf_counter()
    md, prior = load(path)
    findings = validate(md, prior=prior)
    if path.is_dir():
        to_json_bytes(md)
    return time.perf_counter() - start, md.count(), sum(f.severity == "error" for f in findings)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    print(f"{'target':<30}{'objects':>8}{'errors':>8}{'median ms':>12}{'max ms':>10}")
    for label, path in TARGETS.items():
        if not path.exists():
            print(f"{label:<30} (missing: {path})")
            continue
        runs = [once(path) for _ in range(args.runs)]
        times = [r[0] * 1000 for r in runs]
        print(f"{label:<30}{runs[0][1]:>8}{runs[0][2]:>8}{statistics.median(times):>12.1f}{max(times):>10.1f}")


if __name__ == "__main__":
    main()
