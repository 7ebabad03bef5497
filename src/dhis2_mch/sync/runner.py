"""One sync run: read what changed, send what is new or changed, mark it from DHIS2's answer.

Order of work, and why each step is where it is:
1. the lock (two runs never interleave on one ledger), the package and every mapping checked against it
   (a typo in a mapping fails the run before anything is read or sent);
2. per instance: each source's files, oldest first; a file whose content (SHA-256) is unchanged and
   that has no unfinished value is not read again;
3. keys resolved column-wise and diffed against the ledger by hash: unchanged values stop here;
4. the preflight (DHIS2's rules) on the rest only; accepted values are marked pending, the files'
   fingerprints recorded, then values go chunk by chunk (``send``);
5. values gone from their files are reported (deleted on the server only when asked);
6. complete data set registrations where every value of a data set / org unit / period is confirmed.
"""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from glob import glob
from pathlib import Path

import numpy as np
import pandas as pd

from dhis2_mch.data.catalogue import Catalogue, build_catalogue
from dhis2_mch.data.mapping import COLUMN, Mapping, check_mapping, load_mapping, read_mapped
from dhis2_mch.data.readers import ROW
from dhis2_mch.dhis2.connection import Connection
from dhis2_mch.errors import Dhis2MchError, InputError
from dhis2_mch.model.metadata import Metadata
from dhis2_mch.sync import completeness, orgunits, reform
from dhis2_mch.sync.config import Source, SyncConfig
from dhis2_mch.sync.keys import resolve
from dhis2_mch.sync.ledger import Ledger
from dhis2_mch.sync.lock import RunLock
from dhis2_mch.sync.report import Problem, RunReport, SourceReport
from dhis2_mch.sync.send import delete_values, send

log = logging.getLogger(__name__)

Connect = Callable[[str | None], Connection]


@dataclass(frozen=True)
class Package:
    metadata: Metadata
    catalogue: Catalogue


def load_package(metadata: Path | None) -> Package:
    """The package, compiled once per run (``None``: the programmes' package shipped with the code);
    a package with errors stops the run before anything is read or sent."""
    from dhis2_mch.data.push import load_package as load

    md = load(metadata).metadata
    return Package(md, build_catalogue(md))


def new_run_id() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ") + "-" + secrets.token_hex(3)


def fingerprint(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def run(
    config: SyncConfig,
    connect: Connect,
    *,
    delete_missing: bool | None = None,
    complete: bool | None = None,
    reread: bool = False,
    today: date | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> RunReport:
    """Run the sync once. ``reread`` ignores the files' fingerprints (every file is read and diffed)."""
    started = time.monotonic()
    report = RunReport(new_run_id(), datetime.now(UTC).isoformat(timespec="seconds"))
    config.ledger.parent.mkdir(parents=True, exist_ok=True)
    with RunLock(config.lock):
        ledger = Ledger(config.ledger)
        ledger.start_run(report.run_id)
        try:
            package = load_package(config.metadata)
            mappings = {s.name: load_mapping(s.mapping) for s in config.sources}
            problems = [p for m in mappings.values() for p in check_mapping(m, package.catalogue)]
            if problems:
                raise InputError("The mappings do not fit the package: " + "; ".join(problems[:10]) + ".")
            by_instance: dict[str | None, list[Source]] = {}
            for s in config.sources:
                by_instance.setdefault(s.instance, []).append(s)
            for name, sources in by_instance.items():
                with connect(name) as conn:
                    _sync_instance(conn, sources, mappings, package, ledger, config, report,
                                   delete_missing=config.delete_missing if delete_missing is None else delete_missing,
                                   complete=config.complete if complete is None else complete,
                                   reread=reread, today=today or date.today(), sleep=sleep)  # fmt: skip
                if report.failure:
                    break
            report.exit_code = 3 if report.failure else 1 if report.total("rejected") + report.total("problems") else 0
        except Dhis2MchError as exc:
            from dhis2_mch.cli import exit_code  # the run log records the code the command exits with

            report.exit_code, report.failure = exit_code(exc), str(exc)
            raise
        except BaseException:
            report.exit_code = report.exit_code or 1
            raise
        finally:
            report.duration = time.monotonic() - started
            ledger.finish_run(report.run_id, report.exit_code, json.dumps(report.log_line(), ensure_ascii=False))
            ledger.close()
            _append_log(config.log, report)
    return report


def _append_log(path: Path, report: RunReport) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(report.log_line(), ensure_ascii=False) + "\n")
    except OSError as exc:
        log.warning("Cannot write the sync run log %s (%s).", path, exc.strerror or exc)


def _sync_instance(conn: Connection, sources: list[Source], mappings: dict[str, Mapping], package: Package,
                   ledger: Ledger, config: SyncConfig, report: RunReport, *, delete_missing: bool, complete: bool,
                   reread: bool, today: date, sleep: Callable[[float], None]) -> None:  # fmt: skip
    instance = conn.base_url
    reports = {s.name: SourceReport(s.name, instance) for s in sources}
    report.sources += reports.values()
    frames, recorded, gone_ids = _read_sources(sources, mappings, ledger, reports, reread)
    if frames:
        frame = pd.concat(frames, ignore_index=True)
        frame, held = reform.place(frame, {s.name: s.before_reform for s in sources})
        units, hints = orgunits.lookup(conn, frame, sources, mappings, ledger, instance)
        keyed = resolve(frame, package.catalogue, units)
        keyed["ou"] = keyed["ou"].where(~held, "")  # unresolved: the push's preflight says why (reform.py)
        keyed["resolved"] = keyed["resolved"].to_numpy() & ~held
        keyed["_file_row"] = keyed[ROW]
        keyed[ROW] = range(len(keyed))  # one id per row across files
        keyed = keyed.set_index(ROW, drop=False)
        keyed = _supersede(keyed, reports)
        known = ledger.hashes(instance)
        todo = _diff(keyed, known, ledger, instance, reports)
    else:
        keyed = todo = pd.DataFrame(columns=["file_id", "khash", "resolved", "source"])
        # nothing read: the ledger is scanned only when a file has gone (its values are missing)
        known = ledger.hashes(instance) if gone_ids else pd.DataFrame(columns=["khash", "l_file"])
        hints = {}
    chosen = todo[todo["resolved"]]
    if len(chosen):
        ledger.mark_pending(instance, chosen, report.run_id)
    for fid, fp, mtime, rows in recorded:  # after the marks: a file is skipped only once its values are ledgered
        ledger.record_file(fid, fingerprint=fp, mtime=mtime, rows=rows, problems=0, summary="", run_id=report.run_id)
    _missing(conn, ledger, instance, keyed, known, gone_ids, reports, delete_missing, report.run_id, config, package)
    if len(todo):
        rows = todo.assign(orgUnit=todo["ou"].where(todo["ou"] != "", todo["orgUnit"]),
                           khash=todo["khash"].where(todo["resolved"], 0))  # fmt: skip
        result = send(conn, ledger, instance, rows, package.metadata, run_id=report.run_id,
                      chunk_size=config.chunk_size, retries=config.retries, today=today, sleep=sleep)  # fmt: skip
        _account(todo, result, hints, reports)
        for rep in reports.values():  # rows the preflight refused have no ledger key: the file keeps the count
            by_file: dict[str, list[Problem]] = {}
            for p in rep.problems:
                if p.stage == "preflight":
                    by_file.setdefault(p.file, []).append(p)
            for path, items in by_file.items():
                ledger.note_problems(path, len(items), "; ".join(p.as_text() for p in items[:3]))
        if result.failure:
            report.failure = result.failure
            return
    _complete(conn, ledger, instance, report, complete)


def _read_sources(sources: list[Source], mappings: dict[str, Mapping], ledger: Ledger,
                  reports: dict[str, SourceReport], reread: bool):  # fmt: skip
    """The files that changed (or have unfinished values), read through their mappings, oldest first."""
    frames, recorded, gone_ids = [], [], []
    for order, source in enumerate(sources):
        rep = reports[source.name]
        paths = sorted({Path(p) for pattern in source.files for p in glob(pattern, recursive=True)},
                       key=lambda p: (p.stat().st_mtime, str(p)))  # fmt: skip
        known = ledger.files_of(source.name)
        rep.files_gone = sorted(set(known) - {str(p) for p in paths})
        gone_ids += [known[p] for p in rep.files_gone]
        for number, path in enumerate(paths):
            fid = ledger.file_id(str(path), source.name)
            fp = fingerprint(path)
            before = ledger.file_record(str(path)) or {}
            if not reread and before.get("fingerprint") == fp and not ledger.has_unfinished(fid):
                rep.files_unchanged.append(str(path))
                continue
            frame = read_mapped(path, mappings[source.name])
            frame["file_id"], frame["source"], frame["_file"] = fid, source.name, str(path)
            frame["_order"] = order * 1_000_000 + number
            frames.append(frame)
            rep.files_read.append(str(path))
            recorded.append((fid, fp, path.stat().st_mtime, len(frame)))
    return frames, recorded, gone_ids


def _account(todo: pd.DataFrame, result, hints: dict[str, str], reports: dict[str, SourceReport]) -> None:
    """Counts and problems per source, each problem at its file, row and workbook column."""
    sent = todo[todo["resolved"]]
    for name, n in sent["source"].value_counts().items():
        reports[str(name)].counts["sent"] += int(n)
    for name, n in todo.loc[todo.index.isin(list(result.confirmed)), "source"].value_counts().items():
        reports[str(name)].counts["confirmed"] += int(n)
    for r in result.rejections:
        src = todo.loc[r.row]
        rep = reports[str(src["source"])]
        reason = hints.get(r.value, r.reason) if r.column == "orgUnit" else r.reason
        column = "value" if r.stage == "server" else r.column  # DHIS2 refused the value in that cell
        rep.problems.append(Problem(str(src["_file"]), int(src["_file_row"]), _column(src, column),
                                    str(src[column]) if column in src else r.value, reason, r.stage))  # fmt: skip
        rep.counts["rejected" if r.stage == "server" else "problems"] += 1
    if result.failure:
        for rep in reports.values():
            rep.counts["unfinished"] = rep.counts["sent"] - rep.counts["confirmed"] - rep.counts["rejected"]


def _column(src: pd.Series, column: str) -> str:
    """The workbook's own header for a value's column (wide layouts), else the long format's name."""
    return str(src[COLUMN]) if column == "value" and src.get(COLUMN) else column


def _supersede(keyed: pd.DataFrame, reports: dict[str, SourceReport]) -> pd.DataFrame:
    """A key given by several files: the newest file wins (a corrected workbook re-sent beside the old one)."""
    if keyed["_order"].nunique() <= 1:
        return keyed
    ok = keyed["resolved"]
    newest = keyed[ok].groupby("khash")["_order"].transform("max")
    old = pd.Series(False, index=keyed.index)
    old.loc[newest.index] = keyed.loc[newest.index, "_order"] < newest
    if old.any():
        for name, n in keyed[old]["source"].value_counts().items():
            reports[str(name)].notes.append(f"{n} values of older files are replaced by a newer file's")
    return keyed[~old]


def _diff(keyed: pd.DataFrame, known: pd.DataFrame, ledger: Ledger, instance: str,
          reports: dict[str, SourceReport]) -> pd.DataFrame:  # fmt: skip
    """The rows to check and send: new, changed, unfinished, unresolved, or disagreeing within one file."""
    for name, n in keyed["source"].value_counts().items():
        reports[str(name)].counts["read"] += int(n)
    if not len(known):  # a first run: everything is new
        known = pd.DataFrame({"khash": [0], "l_vhash": [0], "l_file": [0], "l_unfinished": [True]})
    # position of each row's key in the ledger (-1: new); hashes stay int64 throughout (a float would lose bits)
    at = pd.Index(known["khash"].to_numpy()).get_indexer(keyed["khash"].to_numpy())
    found = at >= 0
    pick = np.where(found, at, 0)
    same_value = found & (known["l_vhash"].to_numpy()[pick] == keyed["vhash"].to_numpy())
    settled = found & ~known["l_unfinished"].to_numpy()[pick]
    resolved = keyed["resolved"].to_numpy()
    in_file_dup = resolved & keyed.duplicated(["file_id", "khash"], keep=False).to_numpy()
    unchanged = pd.Series(resolved & ~in_file_dup & same_value & settled, index=keyed.index)
    moved = unchanged & (known["l_file"].to_numpy()[pick] != keyed["file_id"].to_numpy())
    if moved.any():
        ledger.move(instance, keyed[moved].assign(_row=keyed.loc[moved, "_file_row"]))
    for name, n in keyed[unchanged]["source"].value_counts().items():
        reports[str(name)].counts["unchanged"] += int(n)
    return keyed[~unchanged]


def _missing(conn: Connection, ledger: Ledger, instance: str, keyed: pd.DataFrame, known: pd.DataFrame,
             gone_ids: list[int],
             reports: dict[str, SourceReport], delete: bool, run_id: str, config: SyncConfig,
             package: Package) -> None:  # fmt: skip
    """Values whose file was re-read without them, or whose file is gone: reported, flagged in the ledger,
    and deleted on the server only when asked (then also those flagged by earlier runs)."""
    read_ids = [int(i) for i in keyed["file_id"].unique()] if len(keyed) else []
    present = keyed["khash"].to_numpy(dtype="int64") if len(keyed) else np.empty(0, dtype="int64")
    of_files = known[known["l_file"].isin(read_ids + gone_ids)]["khash"].to_numpy()
    gone = ledger.details(instance, of_files[~pd.Index(of_files).isin(present)])  # hashed: np.isin sorts, 10x
    sources = dict(ledger.db.execute("SELECT id, source FROM file"))
    paths = dict(ledger.db.execute("SELECT id, path FROM file"))
    code = {uid: info.code for uid, info in package.catalogue.data_elements.items()}

    def count(frame: pd.DataFrame, key: str) -> None:
        for fid, group in frame.groupby("file_id"):
            rep = reports.get(str(sources.get(fid)))
            if rep is not None:
                rep.counts[key] += len(group)
                if key == "missing":
                    rep.missing += [f"{paths.get(fid)} row {r.row}: {code.get(str(r.de), r.de)} {r.pe} (was {r.status})"
                                    for r in group.head(10).itertuples()]  # fmt: skip

    if len(gone):
        count(gone, "missing")
        ledger.flag_missing(instance, gone["khash"])
    if delete:
        doomed = ledger.flagged_missing(instance)
        if len(doomed):
            deleted = delete_values(conn, doomed, config.chunk_size)
            ledger.forget(instance, deleted, run_id)
            count(doomed[doomed["khash"].isin(deleted)], "deleted")


def _complete(conn: Connection, ledger: Ledger, instance: str, report: RunReport, wanted: bool) -> None:
    if not wanted:
        return
    candidates = ledger.complete_candidates(instance)
    if not candidates:
        return
    results = completeness.register(conn, candidates)
    ledger.record_completion(instance, results, report.run_id)
    report.completed += sum(1 for r in results if r[4] == "registered")
    report.completion_problems += [f"{ds} {pe} {ou}: {why}" for ds, pe, ou, _, s, why in results if s != "registered"]
