"""Runs that fail half-way: the server answering 503 or dropping connections, the process killed with
SIGKILL between the ledger's marks and DHIS2's answer. Repeated runs must converge: every value on the
server, the ledger agreeing with it, nothing lost, nothing confirmed sent again."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys

import pytest

from sync.conftest import Requests, drop_examples, env, sync, write_config
from sync.test_sync_e2e import both_examples, on_server

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")


def ledger(folder) -> dict[tuple, tuple[str, str, int]]:
    """(de, pe, ou, coc) → (value, status, attempts)."""
    with sqlite3.connect(folder / "ledger.sqlite") as db:
        rows = db.execute("SELECT de, pe, ou, coc, value, status, attempts FROM value").fetchall()
    return {(de, pe, ou, coc): (value, status, attempts) for de, pe, ou, coc, value, status, attempts in rows}


def run_process(sb, config, kill: str | None = None) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in {**os.environ, **env(sb)}.items() if v is not None}
    if kill:
        environment["DHIS2_MCH_SYNC_KILL"] = kill
    command = [sys.executable, "-m", "dhis2_mch", "sync", "run", "--config", str(config), "--url", sb.url]
    return subprocess.run(command, env=environment, capture_output=True, text=True, timeout=120)


def test_killed_and_faulty_runs_converge(sandbox_factory, deployed_db, tmp_path):
    from dhis2_mch.sandbox import Faults

    db = tmp_path / "server.sqlite"
    shutil.copy(deployed_db, db)
    faults = Faults(error_rate=0.12, drop_rate=0.08, retry_after=0, seed=13)
    sb = sandbox_factory("2.40", db=db, faults=faults, log=Requests())
    # the connection retries each request up to 4 times (no waiting: Retry-After 0, no backoff), a chunk twice
    config = write_config(tmp_path, retries={"attempts": 2, "delay": 0, "request_attempts": 4, "backoff": 0})
    drop_examples(tmp_path)
    seen: dict[tuple, tuple[str, str, int]] = {}
    codes = []
    for kill in ("before_send:1", "after_send:2", "after_mark:4", None, None, None, None, None):
        proc = run_process(sb, config, kill)
        assert "Traceback" not in proc.stderr, proc.stderr
        codes.append(proc.returncode)
        if kill:
            assert proc.returncode == -signal.SIGKILL, proc.stderr
            assert (tmp_path / "ledger.sqlite.lock").exists()  # left behind by the dead process: stale next time
        else:
            assert proc.returncode in (0, 3), proc.stdout + proc.stderr
        now = ledger(tmp_path)
        # a value once confirmed is never chosen again while its source is unchanged
        for key, (value, status, attempts) in seen.items():
            if status == "confirmed":
                assert now[key] == (value, status, attempts), key
        seen = now
        if proc.returncode == 0:
            break
    assert codes[-1] == 0, codes
    sb.faults = None
    want = both_examples()
    assert on_server(sb) == want
    final = ledger(tmp_path)
    assert len(final) == len(want) and {s for _, s, _ in final.values()} == {"confirmed"}
    stored = {(v["de"], v["pe"], v["ou"], v["coc"]): v["value"] for v in sb.data_values()}
    assert {k: v for k, (v, _, _) in final.items()} == stored  # the ledger agrees with the server
    assert any(a > 1 for _, _, a in final.values())  # the killed chunks were sent again


def test_a_server_that_stays_down_leaves_the_values_pending_and_exits_3(server, tmp_path, monkeypatch):
    from dhis2_mch.sandbox import Faults
    from dhis2_mch.sync import send as sending

    config = write_config(tmp_path)
    drop_examples(tmp_path)
    real = sending.push_frame

    def down(*args, **kwargs):  # DHIS2 goes down once the run has read and checked everything
        server._server.faults = Faults(error_rate=1.0, status=503, retry_after=0)
        return real(*args, **kwargs)

    monkeypatch.setattr(sending, "push_frame", down)
    result, report = sync(server, config)
    assert result.exit_code == 3, result.output
    assert report["failure"] and "503" in report["failure"]
    assert report["counts"]["unfinished"] == 645 and report["counts"]["confirmed"] == 0
    assert server.data_values() == []
    assert {s for _, s, _ in ledger(tmp_path).values()} <= {"pending", "sent"}
    assert len(ledger(tmp_path)) == 645

    monkeypatch.setattr(sending, "push_frame", real)
    server._server.faults = None
    again, report = sync(server, config)  # the files did not change: the unfinished values are sent anyway
    assert again.exit_code == 0, again.output
    assert report["counts"]["confirmed"] == 645
    assert on_server(server) == both_examples()


def test_a_second_run_waits_for_the_first(server, tmp_path):
    config = write_config(tmp_path)
    drop_examples(tmp_path)
    lock = tmp_path / "ledger.sqlite.lock"
    lock.write_text(f'{{"pid": {os.getpid()}, "host": "{os.uname().nodename}"}}', encoding="utf-8")
    result, _ = sync(server, config)
    assert result.exit_code == 1 and "Another sync run holds" in result.output
    assert server.data_values() == [] and lock.exists()
    # a lock whose process is gone is stale: taken over
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    lock.write_text(f'{{"pid": {dead.stdout.strip()}, "host": "{os.uname().nodename}"}}', encoding="utf-8")
    result, report = sync(server, config)
    assert result.exit_code == 0, result.output
    assert report["counts"]["confirmed"] == 645 and not lock.exists()
