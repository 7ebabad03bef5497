"""Start-up cost of the CLI, as whole processes side by side with bare Python doing the least it could.

    .venv/bin/python benchmarks/cli_startup.py [--runs 15] [--package PATH]

Two pairs, each run interleaved (so machine load hits both alike), from an empty temporary folder:

* ``dhis2-mch --help`` against ``python -c pass`` (target: at most 4x);
* ``dhis2-mch validate`` of the WHO Nutrition package (NUT_AGG 2.40, 1.1 MB of DHIS2 JSON) against
  ``python -c "import json; json.load(open(PATH))"`` of the same file (target: at most 6x).

Medians and their ratios are printed; ``--help`` also reports whether pandas, requests or pydantic were
imported (they must not be). The figures go into the README by hand.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NUT = ROOT.parent / "shared" / "dhis2" / "packages" / "NUT_AGG_2.40" / "metadata.json"


def script(name: str) -> str:
    """The installed console script beside this interpreter (``.venv/bin/dhis2-mch``)."""
    path = Path(sys.executable).with_name(name)
    if not path.exists():
        sys.exit(f"{path}: not found; install dhis2-mch into this interpreter's environment first.")
    return str(path)


def timed(cmd: list[str], cwd: str) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - start


def pair(
    label: str, names: tuple[str, str], base: list[str], tool: list[str], runs: int, cwd: str, target: float
) -> bool:
    timed(base, cwd), timed(tool, cwd)  # warm the file cache (and the help cache) first
    a, b = [], []
    for _ in range(runs):
        a.append(timed(base, cwd))
        b.append(timed(tool, cwd))
    ma, mb = statistics.median(a), statistics.median(b)
    ratio = mb / ma
    verdict = "ok" if ratio <= target else "OVER TARGET"
    print(f"{label}\n  {names[0]:<44} median {ma * 1000:7.1f} ms\n  {names[1]:<44} median {mb * 1000:7.1f} ms")
    print(f"  ratio {ratio:.2f}x (target <= {target:g}x): {verdict}")
    return ratio <= target


def heavy_modules(cwd: str) -> str:
    """Which heavy libraries ``dhis2-mch --help`` imports (it must import none of them)."""
    probe = (
        "import sys\nsys.argv = ['dhis2-mch', '--help']\nfrom dhis2_mch.launch import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "names = ('pandas', 'numpy', 'requests', 'pydantic', 'yaml', 'openpyxl', 'click')\n"
        "print(sorted(m for m in names if m in sys.modules), file=sys.stderr)"
    )
    done = subprocess.run([sys.executable, "-c", probe], cwd=cwd, capture_output=True, text=True, check=True)
    return done.stderr.strip().splitlines()[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--package", type=Path, default=NUT, help="DHIS2 metadata JSON to validate")
    args = parser.parse_args()
    tool = script("dhis2-mch")
    with tempfile.TemporaryDirectory(prefix="dhis2-mch-bench-") as cwd:
        load = os.getloadavg()[0]
        print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load {load:.1f}; {args.runs} runs each")
        names = ("python -c pass", "dhis2-mch --help")
        ok = pair("start-up", names, [sys.executable, "-c", "pass"], [tool, "--help"], args.runs, cwd, 4)
        print(f"  heavy modules imported by --help (must be none): {heavy_modules(cwd)}")
        if args.package.is_file():
            load = f"import json; json.load(open({str(args.package)!r}, 'rb'))"
            names = ("python -c 'json.load(open(PATH))'", "dhis2-mch validate PATH")
            ok &= pair(f"validate {args.package}", names, [sys.executable, "-c", load],
                       [tool, "validate", str(args.package)], args.runs, cwd, 6)  # fmt: skip
        else:
            print(f"validate: {args.package} is absent (../shared beside the checkout); skipped")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
