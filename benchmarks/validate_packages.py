"""Offline validation speed, as whole processes side by side with a bare ``json.load`` of the same file.

    .venv/bin/python benchmarks/validate_packages.py [--runs 9]

For every real package beside the checkout (../shared/dhis2/packages: NUT_AGG, IMM_BCU and the corpus),
interleaved so machine load hits both alike: ``python -c "import json; json.load(open(PATH))"`` and
``dhis2-mch validate PATH`` (at the package's own DHIS2 version). Prints medians, the ratio (target for
the WHO Nutrition package: at most 6x) and the errors/warnings the validator reports, then the
in-process time of compiling ``metadata/`` (load, compile, validate, build).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ROOT.parent / "shared" / "dhis2" / "packages"
TARGET = 6.0


def timed(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - start


def side_by_side(path: Path, runs: int) -> tuple[float, float]:
    tool = str(Path(sys.executable).with_name("dhis2-mch"))
    base = [sys.executable, "-c", f"import json; json.load(open({str(path)!r}, 'rb'))"]
    mine = [tool, "validate", str(path)]
    timed(base), timed(mine)  # warm the file cache
    a, b = [], []
    for _ in range(runs):
        a.append(timed(base))
        b.append(timed(mine))
    return statistics.median(a), statistics.median(b)


def counts(path: Path) -> tuple[int, int]:
    tool = str(Path(sys.executable).with_name("dhis2-mch"))
    out = subprocess.run([tool, "validate", str(path), "--format", "json"], capture_output=True, text=True)
    report = json.loads(out.stdout)
    return len(report["errors"]), len(report["warnings"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    paths = sorted(PACKAGES.glob("*/metadata.json")) + sorted((PACKAGES / "corpus").glob("*.json"))
    if not paths:
        sys.exit(f"{PACKAGES}: no packages (the shared reference material beside the checkout)")
    print(f"{'package':<36}{'MB':>6}{'json.load ms':>14}{'validate ms':>13}{'ratio':>7}{'errors':>8}{'warn':>6}")
    verdict = 0
    for path in paths:
        label = path.parent.name if path.name == "metadata.json" else path.stem
        base, mine = side_by_side(path, args.runs)
        errors, warnings = counts(path)
        ratio = mine / base
        print(f"{label:<36}{path.stat().st_size / 1e6:>6.2f}{base * 1000:>14.1f}{mine * 1000:>13.1f}"
              f"{ratio:>6.1f}x{errors:>8}{warnings:>6}")  # fmt: skip
        if label.startswith("NUT_AGG"):
            verdict = 0 if ratio <= TARGET else 1
            nut = ratio
    print(f"WHO Nutrition: validate / json.load = {nut:.2f}x (target <= {TARGET:g}x)")

    from dhis2_mch.project import Project

    times = []
    for _ in range(args.runs):
        start = time.perf_counter()
        compiled = Project.load(ROOT / "metadata").compile("2.40")
        compiled.to_json_bytes()
        times.append(time.perf_counter() - start)
    print(f"metadata/ load+compile+validate+build in-process: median {statistics.median(times) * 1000:.1f} ms, "
          f"{compiled.metadata.count()} objects, {len(compiled.errors)} errors")  # fmt: skip
    sys.exit(verdict)


if __name__ == "__main__":
    main()
