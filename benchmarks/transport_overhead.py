"""What the transport's safety costs per request and per data value, beside what it replaces.

    .venv/bin/python benchmarks/transport_overhead.py [--values 100000] [--requests 20000]

* the watchdog that bounds each exchange (``dhis2._transport.Watch``, one shared thread) against a
  ``threading.Timer`` per request (what a naive bound costs);
* counting the values of a serialised DataValueSet to check DHIS2's counts (``_count_sent``) against
  parsing the bytes again with ``json.loads``;
* one GET through ``Connection`` with the in-process ``SandboxAdapter`` (no socket), i.e. the client's
  own per-request cost (requests, the body loop, error mapping) plus the sandbox's handler.

Best of 5 runs; the figures go into the README by hand.
"""

from __future__ import annotations

import argparse
import json
import threading
import time


def best(func, runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        func()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--values", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=20_000)
    args = parser.parse_args()

    from dhis2_mch.dhis2._transport import Watch
    from dhis2_mch.dhis2.datavalues import _count_sent

    def watches() -> None:
        for _ in range(args.requests):
            with Watch(300):
                pass

    def timers() -> None:
        for _ in range(args.requests // 10):
            timer = threading.Timer(300, lambda: None)
            timer.start()
            timer.cancel()

    print(f"watchdog per request:     {best(watches) / args.requests * 1e6:8.2f} µs")
    print(f"a Timer per request:      {best(timers) / (args.requests // 10) * 1e6:8.2f} µs")

    rows = [
        {"dataElement": "AbCdEfGhIj1", "period": "202406", "orgUnit": "QwErTyUiOp1",
         "categoryOptionCombo": "HllvX50cXC0", "value": str(i % 50)}
        for i in range(args.values)
    ]  # fmt: skip
    body = json.dumps({"dataSet": "QX4ZTUbOt3a", "dataValues": rows}, separators=(",", ":")).encode()
    assert _count_sent(body) == args.values
    print(f"count check per value:    {best(lambda: _count_sent(body)) / args.values * 1e9:8.0f} ns")
    print(f"json.loads per value:     {best(lambda: json.loads(body)) / args.values * 1e9:8.0f} ns")

    from dhis2_mch.dhis2.connection import Connection
    from dhis2_mch.sandbox import Sandbox
    from dhis2_mch.sandbox.adapter import SandboxAdapter

    sb = Sandbox("2.40")
    try:
        conn = Connection("http://dhis2.localhost", token=sb.token, transport=SandboxAdapter(sb))
        n = 2000

        def gets() -> None:
            for _ in range(n):
                conn.get("system/info")

        print(f"GET via SandboxAdapter:   {best(gets, 3) / n * 1e6:8.0f} µs (client + in-process sandbox)")
    finally:
        sb.stop()


if __name__ == "__main__":
    main()
