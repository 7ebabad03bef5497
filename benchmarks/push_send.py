"""Client CPU of a whole push, side by side with dhis2.py, against one loopback server.

    .venv/bin/python benchmarks/push_send.py [--rows 1000000] [--chunk-size 5000]

The server (its own process, so its CPU is not counted) is the sandbox with the programmes' package
deployed and as many communes as the rows need, except that ``POST /api/dataValueSets`` is answered
by a fast stand-in: it counts the values in the body and returns DHIS2 2.40's ImportSummary saying
all were imported (the sandbox's own import, a SQLite write per value, is too slow for a million).
Every other request (system info, me, org units, data sets, the default category model) is the
sandbox's. Measured, one after the other:

- ``dhis2-mch push FILE`` as a subprocess: the whole command's CPU (start-up, package, read, preflight,
  payloads, sending, report), from the kernel's accounting of the child;
- ``dhis2-mch``'s sending alone: the CPU of the process inside ``api.import_data_values`` (POST and
  reading the answers), in-process with ``push_file``, best of three;
- dhis2.py 2.3.0 ``Api.post_partitioned("dataValueSets", {"dataValues": [...]}, thresh=chunk)`` with
  the same values already resolved to UIDs (a list of dicts in memory): CPU of that loop only.

The package's bytecode is compiled first (``compileall``), as ``pip install`` of a wheel leaves it:
an editable install run with ``PYTHONDONTWRITEBYTECODE`` set would otherwise compile dhis2-mch's
modules from source on every run (~0.17 s here), which no installed tool pays.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "benchmarks"))

_VALUE = re.compile(rb'\{"dataElement"')


def cpu_self() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def cpu_children() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def communes(n: int) -> list[str]:
    return [f"{10000 + i:05d}" for i in range(n)]


# ---------------------------------------------------------------------------------------------- server


def serve(port_file: Path, units: int) -> None:
    """The loopback server: the sandbox, deployed, with ``units`` communes; fast dataValueSets."""
    import requests
    from bench_units import add_communes

    from dhis2_mch.project import Project
    from dhis2_mch.sandbox import Sandbox
    from dhis2_mch.sandbox.server import run_in_thread
    from dhis2_mch.sandbox.server import serve as http_serve
    from dhis2_mch.sandbox.wire import Response

    sb = Sandbox("2.40").start()
    payload = Project.load(None).compile((2, 40)).payload()
    requests.post(f"{sb.url}/api/metadata", json=payload, auth=sb.auth, timeout=120).raise_for_status()
    add_communes(sb, communes(units))  # not assigned to the data sets: the push warns

    class FastValues:
        """The sandbox, but data value sets are counted, not stored."""

        def handle(self, req):
            if req.method == "POST" and req.path.rstrip("/").endswith("/dataValueSets"):
                n = len(_VALUE.findall(req.body))
                summary = {
                    "responseType": "ImportSummary", "status": "SUCCESS",
                    "description": "Import process completed successfully",
                    "importCount": {"imported": n, "updated": 0, "ignored": 0, "deleted": 0}, "conflicts": [],
                    "rejectedIndexes": [], "dataSetComplete": "false",
                }  # fmt: skip
                return Response.json(200, {"httpStatus": "OK", "httpStatusCode": 200, "status": "OK",
                                           "message": "Import was successful.", "response": summary})  # fmt: skip
            return sb.app.handle(req)

    server = http_serve(FastValues(), "127.0.0.1", 0)
    run_in_thread(server)
    port_file.write_text(str(server.server_address[1]))
    while True:
        time.sleep(3600)


# ---------------------------------------------------------------------------------------------- clients


def ours_in_process(url: str, path: Path, chunk_size: int) -> dict:
    from dhis2_mch.data import push as push_module
    from dhis2_mch.data.push import load_package, push_file
    from dhis2_mch.dhis2 import api
    from dhis2_mch.dhis2.connection import Connection

    spent = [0.0]
    real = api.import_data_values

    def timed(*args, **kwargs):
        t = time.process_time()
        try:
            return real(*args, **kwargs)
        finally:
            spent[0] += time.process_time() - t

    api.import_data_values = timed  # push calls it through the module
    assert push_module.api is api
    with tempfile.TemporaryDirectory() as tmp, Connection(url, username="admin", password="district") as conn:
        package = load_package(None, conn)
        t = time.process_time()
        report = push_file(path, conn, package, chunk_size=chunk_size, rejected_dir=Path(tmp))
        total = time.process_time() - t
    counts = report.outcomes.counts()
    return {"send_s": spent[0], "push_file_s": total, "stored": counts["stored"], "warnings": len(report.warnings)}


def dhis2py(url: str, values: list[dict], chunk_size: int) -> dict:
    from dhis2 import Api

    api = Api(url, "admin", "district")
    t = time.process_time()
    answers = list(api.post_partitioned("dataValueSets", {"dataValues": values}, thresh=chunk_size))
    spent = time.process_time() - t
    imported = sum(r.json()["response"]["importCount"]["imported"] for r in answers)
    return {"post_partitioned_s": spent, "imported": imported, "requests": len(answers)}


def resolved_values(path: Path) -> list[dict]:
    """The file's values as dhis2.py would be given them: dicts with UIDs (built outside the measurement)."""
    from dhis2_mch.data.catalogue import build_catalogue
    from dhis2_mch.data.preflight import UnitAnswer, preflight
    from dhis2_mch.data.readers import read_table
    from dhis2_mch.model.uid import derive_uid
    from dhis2_mch.project import Project

    catalogue = build_catalogue(Project.load(None).compile((2, 40)))
    table = read_table(path)

    def units(texts):
        return {t: UnitAnswer(derive_uid("organisationUnit", f"bench-{t}")) for t in texts}

    from datetime import date

    send = preflight(table.frame, catalogue, units, today=date.today()).send
    cols = {c: send[c].astype(str).tolist() for c in ("de", "period", "ou", "coc", "aoc", "value")}
    return [
        {"dataElement": de, "period": pe, "orgUnit": ou, "categoryOptionCombo": coc, "attributeOptionCombo": aoc,
         "value": v}
        for de, pe, ou, coc, aoc, v in zip(cols["de"], cols["period"], cols["ou"], cols["coc"], cols["aoc"],
                                            cols["value"], strict=True)
    ]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--chunk-size", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3, help="pushes and dhis2.py loops, alternating")
    parser.add_argument("--serve", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--units", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--client", choices=["ours", "dhis2py"], help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--file", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.units)
        return
    if args.client == "ours":
        print(json.dumps(ours_in_process(args.url, args.file, args.chunk_size)))
        return
    if args.client == "dhis2py":
        values = resolved_values(args.file)
        print(json.dumps(dhis2py(args.url, values, args.chunk_size)))
        return

    import push_pipeline

    from dhis2_mch.data.catalogue import build_catalogue
    from dhis2_mch.project import Project

    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "src" / "dhis2_mch")], check=True)
    cells = push_pipeline.monthly_rows(build_catalogue(Project.load(None).compile((2, 40))))
    units = -(-args.rows // (len(cells) * 12))
    with tempfile.TemporaryDirectory() as tmp:
        tmpdir = Path(tmp)
        path = tmpdir / "values.csv"
        push_pipeline.write_rows(path, args.rows, cells, communes=units)
        port_file = tmpdir / "port"
        server = subprocess.Popen([sys.executable, __file__, "--serve", str(port_file), "--units", str(units)])
        try:
            for _ in range(600):
                if port_file.exists() and port_file.read_text():
                    break
                time.sleep(0.2)
            url = f"http://127.0.0.1:{port_file.read_text()}"
            # the compiled-package cache in a folder of its own: the first push compiles (cold), the next reuse it
            env = {**os.environ, "DHIS2_USERNAME": "admin", "DHIS2_PASSWORD": "district",
                   "DHIS2_MCH_CACHE_DIR": str(tmpdir / "cache")}  # fmt: skip
            env.pop("DHIS2_TOKEN", None)
            env.pop("DHIS2_MCH_CACHE", None)
            pushes, theirs_runs = [], []
            for _ in range(args.runs):
                before = cpu_children()
                t = time.perf_counter()
                cli = subprocess.run(
                    [str(Path(sys.executable).parent / "dhis2-mch"), "push", str(path), "--url", url, "--format",
                     "json", "--chunk-size", str(args.chunk_size), "--rejected-dir", str(tmpdir / "rejected")],
                    capture_output=True, text=True, env=env, cwd=tmpdir,
                )  # fmt: skip
                pushes.append((cpu_children() - before, time.perf_counter() - t, cli))
                theirs = subprocess.run(
                    [sys.executable, __file__, "--client", "dhis2py", "--url", url, "--file", str(path),
                     "--chunk-size", str(args.chunk_size)], check=True, capture_output=True, text=True)  # fmt: skip
                theirs_runs.append(json.loads(theirs.stdout))
            sends = [json.loads(subprocess.run(
                [sys.executable, __file__, "--client", "ours", "--url", url, "--file", str(path),
                 "--chunk-size", str(args.chunk_size)], check=True, capture_output=True, text=True).stdout)
                for _ in range(3)]  # fmt: skip
        finally:
            server.terminate()
            server.wait()
    n = args.rows
    print(f"{n:,} values, chunks of {args.chunk_size:,}, loopback server = sandbox + fast dataValueSets stand-in")
    cold_cpu, _, cli = pushes[0]
    report = json.loads(cli.stdout)
    warm = min(pushes[1:], key=lambda p: p[0]) if len(pushes) > 1 else pushes[0]
    theirs_cpu = [r["post_partitioned_s"] for r in theirs_runs]
    best_theirs = min(theirs_cpu)
    print(f"  dhis2-mch push, whole command (exit {cli.returncode}, stored {report['outcomes']['stored']:,}): "
          f"first run {cold_cpu:.2f} s CPU (compiles the package), then best {warm[0]:.2f} s CPU "
          f"({1e6 * warm[0] / n:.2f} µs/value, {warm[1]:.1f} s wall) of {len(pushes) - 1} with the compiled package "
          f"cached; all: {', '.join(f'{p[0]:.2f}' for p in pushes)}")  # fmt: skip
    print(f"  dhis2.py post_partitioned (values already resolved): best {best_theirs:.2f} s CPU "
          f"({1e6 * best_theirs / n:.2f} µs/value), {theirs_runs[0]['requests']} requests, imported "
          f"{theirs_runs[0]['imported']:,}; all: {', '.join(f'{c:.2f}' for c in theirs_cpu)}")  # fmt: skip
    ours_warm = [p[0] for p in pushes[1:]] or [pushes[0][0]]
    pairs = list(zip(ours_warm, theirs_cpu[1:] if len(pushes) > 1 else theirs_cpu, strict=False))
    below = sum(o < t for o, t in pairs)
    med_ours, med_theirs = statistics.median(ours_warm), statistics.median(theirs_cpu)
    print(f"  ratio, warm push / dhis2.py: best {warm[0] / best_theirs:.2f}, median {med_ours / med_theirs:.2f} "
          f"({med_ours:.2f} s vs {med_theirs:.2f} s); the push cost less in {below} of {len(pairs)} pairs")  # fmt: skip
    ours = min(sends, key=lambda s: s["send_s"])
    spent = ", ".join(f"{s['send_s']:.2f}" for s in sends)
    print(f"  dhis2-mch sending alone (POSTs + answers): best {ours['send_s']:.2f} s CPU of 3 in-process pushes "
          f"({1e6 * ours['send_s'] / n:.2f} µs/value; all: {spent}); "
          f"push_file in-process {ours['push_file_s']:.2f} s")  # fmt: skip


if __name__ == "__main__":
    main()
