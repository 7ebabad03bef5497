"""What the compiled-package cache saves a command: client CPU of whole ``dhis2-mch`` processes with the cache
off (every run reads and validates the package, as before the cache), cold (empty cache: compile and keep)
and warm (the kept result), interleaved, best of N; and what computing the key costs in-process.

    .venv/bin/python benchmarks/compile_cache.py [--runs 5]

Against a loopback sandbox (DHIS2 2.40) in this process, with the shipped package deployed:
``dhis2-mch push config/examples/seed_figures.csv`` (12 values), ``dhis2-mch plan`` and ``dhis2-mch sync run``
of Lào Cai's example workbook (pushed by the first run, unchanged after: the nightly case). CPU is the child's
user + system time (``os.wait4``), so the server's work is not counted. The figures go into the README by hand.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "config" / "examples" / "seed_figures.csv"
WORKBOOK = ROOT / "config" / "examples" / "f1000_monthly_lao_cai.xlsx"


def cpu_of(cmd: list[str], env: dict[str, str], cwd: Path) -> float:
    """User + system CPU seconds of one whole process (not of its server)."""
    proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode() if proc.stderr else ""
    if proc.returncode not in (0, 1):
        sys.exit(f"{' '.join(cmd[1:3])} exited {proc.returncode}: {err}")
    return usage.ru_utime + usage.ru_stime


def key_cost(runs: int = 50) -> float:
    """Milliseconds to hash the shipped package, dhis2_mch's code and find its entry (a warm cache)."""
    from dhis2_mch.compile_cache import cached_project, load_compiled

    load_compiled(None, (2, 40))
    cached_project(None)
    start = time.process_time()
    for _ in range(runs):
        cached_project(None)
    return (time.process_time() - start) / runs * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    tool = str(Path(sys.executable).with_name("dhis2-mch"))
    from dhis2_mch.sandbox import Sandbox

    with tempfile.TemporaryDirectory(prefix="dhis2-mch-bench-") as tmp, Sandbox("2.40") as sb:
        sb.start()
        work = Path(tmp)
        cache = work / "cache"
        os.environ["DHIS2_MCH_CACHE_DIR"] = str(cache)
        print(f"key (hash package files + dhis2_mch code, find the entry): {key_cost():.1f} ms CPU, in-process")
        base = {**os.environ, "DHIS2_USERNAME": sb.username, "DHIS2_PASSWORD": sb.password}
        base.pop("DHIS2_TOKEN", None)
        subprocess.run([tool, "deploy", "--url", sb.url], env={**base, "DHIS2_MCH_CACHE": "off"}, cwd=work,
                       check=True, capture_output=True)  # fmt: skip
        inbox = work / "inbox"
        inbox.mkdir()
        shutil.copy(WORKBOOK, inbox)
        (work / "sync.yaml").write_text(
            f"ledger: {work / 'ledger.sqlite'}\nlog: {work / 'runs.jsonl'}\nsources:\n  - name: f1000\n"
            f"    files: {inbox}/*.xlsx\n    mapping: {ROOT / 'config/mappings/f1000_monthly.yaml'}\n",
            encoding="utf-8",
        )
        commands = {
            "push seed_figures.csv (12 values)": [tool, "push", str(SEED), "--url", sb.url, "--format", "json"],
            "plan (688 objects, nothing to change)": [tool, "plan", "--url", sb.url, "--format", "json"],
            "sync run (one workbook, unchanged)": [tool, "sync", "run", "--config", str(work / "sync.yaml"),
                                                   "--url", sb.url, "--format", "json"],
        }  # fmt: skip
        load = os.getloadavg()[0]
        print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load {load:.1f}; best of {args.runs}")
        for label, cmd in commands.items():
            best = {"off": float("inf"), "cold": float("inf"), "warm": float("inf")}
            cpu_of(cmd, base, work)  # warm the file system cache and the compiled package
            for _ in range(args.runs):
                best["off"] = min(best["off"], cpu_of(cmd, {**base, "DHIS2_MCH_CACHE": "off"}, work))
                shutil.rmtree(cache, ignore_errors=True)
                best["cold"] = min(best["cold"], cpu_of(cmd, base, work))
                best["warm"] = min(best["warm"], cpu_of(cmd, base, work))
            saved = best["off"] - best["warm"]
            print(f"  dhis2-mch {label}: off {best['off']:.3f} s, cold {best['cold']:.3f} s, "
                  f"warm {best['warm']:.3f} s CPU (warm saves {saved:.3f} s, {saved / best['off']:.0%})")  # fmt: skip


if __name__ == "__main__":
    main()
