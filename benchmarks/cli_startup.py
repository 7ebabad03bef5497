"""CLI start-up cost: ``dhis2-mch --help`` must not import pandas or the HTTP stack.

.venv/bin/python benchmarks/cli_startup.py [--runs 10]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

PROBE = (
    "import sys; from dhis2_mch.cli import cli\n"
    "try:\n    cli(['--help'], prog_name='dhis2-mch')\nexcept SystemExit:\n    pass\n"
    "names = ('pandas', 'numpy', 'requests', 'dhis2', 'pydantic', 'yaml', 'openpyxl')\n"
    "heavy = sorted(m for m in names if m in sys.modules)\n"
    "print('HEAVY', heavy, len(sys.modules), file=sys.stderr)"
)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    times = []
    for _ in range(args.runs):
        start = time.perf_counter()
        done = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=True)
        times.append((time.perf_counter() - start) * 1000)
    heavy_line = done.stderr.strip().splitlines()[-1]
    print(f"dhis2-mch --help: median {statistics.median(times):.0f} ms over {args.runs} runs; {heavy_line}")


if __name__ == "__main__":
    main()
