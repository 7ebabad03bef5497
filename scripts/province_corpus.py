"""Push many generated messy province files through the CLI to a sandbox and check every row's fate.

    .venv/bin/python scripts/province_corpus.py --seeds 20            # seeds 0..19: 17 files each, pushed
                                                                      # default, --partial and --dry-run (advice
                                                                      # followed), and as a restricted user
    .venv/bin/python scripts/province_corpus.py --seeds 5 --keep out/ # keep the files to look at them

The files and the checks are ``tests/support/province_corpus.py`` (the test suite runs one seed of them);
exit 1 when any file breaks the promise (each failure is printed with its file, flow, sheet and line).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, default=10, help="how many seeds (files per seed: 17)")
    parser.add_argument("--first", type=int, default=0, help="first seed")
    parser.add_argument("--keep", type=Path, help="write the files and the servers' databases here")
    args = parser.parse_args()

    from click.testing import CliRunner

    from dhis2_mch.cli import cli
    from dhis2_mch.sandbox import Sandbox
    from support.province_corpus import Uids, run_case, run_dry, run_restricted, write_corpus

    root = args.keep or Path(tempfile.mkdtemp(prefix="province-corpus-"))
    root.mkdir(parents=True, exist_ok=True)
    deployed = root / "deployed.sqlite"
    with Sandbox("2.40", deployed) as sb:
        env = {"DHIS2_USERNAME": sb.username, "DHIS2_PASSWORD": sb.password, "DHIS2_TOKEN": None}
        result = CliRunner(env=env).invoke(cli, ["deploy", "--url", sb.url])
        if result.exit_code != 0:
            print(result.output, file=sys.stderr)
            return 2
    uids = Uids()
    started: list[Sandbox] = []

    def start() -> Sandbox:
        db = root / f"server-{len(started)}.sqlite"
        shutil.copy(deployed, db)
        server = Sandbox("2.40", db).start()
        started.append(server)
        return server

    began, files, pushes, broken = time.perf_counter(), 0, 0, 0
    for seed in range(args.first, args.first + args.seeds):
        cases = write_corpus(root / f"seed-{seed}", seed)
        for case in cases:
            files += 1
            for flow in ("default", "partial", "dry-run", "restricted"):
                work = root / f"work-{seed}" / case.name.replace("/", "_")
                if flow in ("default", "partial"):
                    outcome = run_case(case, start, uids, work, partial=flow == "partial")
                else:
                    outcome = (run_dry if flow == "dry-run" else run_restricted)(case, start, uids, work)
                pushes += outcome.pushes
                for server in started:
                    server.stop()
                started.clear()
                if outcome.failures:
                    broken += 1
                    print(f"seed {seed} {case.name} [{outcome.flow}]:")
                    for failure in outcome.failures:
                        print(f"    {failure[:500]}")
    took = time.perf_counter() - began
    print(f"{files} files x 4 flows, {pushes} pushes, {broken} file-flows broke the promise ({took:.0f} s)")
    if args.keep is None:
        shutil.rmtree(root, ignore_errors=True)
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
