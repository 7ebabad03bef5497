"""The ``dhis2-mch`` console script: ``dhis2-mch --help`` answered without importing click.

Importing click (and, through it, ``typing``, ``inspect`` and ``datetime``) costs several times
Python's own start-up, which is most of what ``--help`` would cost. The group's help text is
rendered by click once and kept beside the CLI's bytecode (``cli/__pycache__``, written the way
Python writes ``.pyc`` files: only where the package folder is writable, atomically, never
required); it is keyed on the dhis2-mch version, the CLI modules' sizes and modification times and
the terminal width, so a changed command or a narrower terminal renders afresh. Every other command
line goes straight to ``dhis2_mch.cli.main`` (without pydantic's plugin discovery: the CLI has none,
nor numpy's spinning BLAS threads), and its commands load their modules under ``loading``, which keeps
the garbage collector from walking them again and again.
"""

from __future__ import annotations

import gc
import os
import sys

HELP_FLAGS = (["--help"], ["-h"])
CLI_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "cli")


def main() -> None:
    if sys.argv[1:] in HELP_FLAGS:
        cached = _cache_path()
        try:
            with open(cached, encoding="utf-8") as handle:
                text = handle.read()
        except OSError:
            text = _render_and_keep(cached)
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    # pydantic looks for plugins through every installed distribution's entry points on its first model;
    # the CLI uses none, and that scan is a good part of a short command's run time
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    # numpy's OpenBLAS starts a thread per core when imported, and each spins waiting for work (~0.1 s of
    # CPU per run here); no command does linear algebra (OpenBLAS's README, "OPENBLAS_NUM_THREADS")
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    global _OWN_PROCESS
    _OWN_PROCESS = True
    with loading():
        from dhis2_mch.cli import main as cli_main

    try:
        cli_main()
    finally:
        _skip_last_collection()


#: set by ``main``: this process is the console script's and ends with its command
_OWN_PROCESS = False


class loading:
    """Around a command's imports (click, pandas, pydantic, requests: ~100,000 objects that live until
    the exit) and its compiled package: the collector is paused while they load, then what they made is
    frozen, so no later collection walks it again (``gc.freeze``, Python's "gc — Garbage Collector
    interface"). Collecting during the imports cost ~0.08 s of CPU and one full collection during a
    million-row push ~0.05 s more. Only in the console script's own process, which ends with the
    command; a library caller or a test runner keeps its collector as it was. (A class, not
    ``contextlib.contextmanager``: ``--help`` imports this module and nothing else.)"""

    def __enter__(self) -> None:
        self.paused = _OWN_PROCESS and gc.isenabled()
        if self.paused:
            gc.disable()

    def __exit__(self, *exc: object) -> None:
        if self.paused:
            gc.freeze()
            gc.enable()


def _skip_last_collection() -> None:
    """The command is done and its output written; what is left (pandas' modules, a push's frames) is freed
    by the exit, and the interpreter's last full collection would only walk it: ~0.15 s of CPU after a
    million-row push. Young garbage is collected (its finalizers run), the rest is frozen, which every
    later collection skips (``gc.freeze``)."""
    gc.collect(1)
    gc.freeze()


def _width() -> int:
    """What click's wrapping depends on: ``shutil.get_terminal_size``'s columns (``COLUMNS`` first, then the
    terminal, else 80), capped at 80 (``click.formatting.HelpFormatter``)."""
    try:
        columns = int(os.environ.get("COLUMNS", "0"))
    except ValueError:
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns if sys.__stdout__ else 80
        except (AttributeError, ValueError, OSError):
            columns = 80
    return min(columns or 80, 80)


def _cache_path() -> str:
    from dhis2_mch import __version__

    stamp = [__version__, str(_width())]
    for entry in sorted(os.scandir(CLI_DIR), key=lambda e: e.name):
        if entry.name.endswith(".py"):
            info = entry.stat()
            stamp.append(f"{entry.name}:{info.st_size}:{info.st_mtime_ns}")
    key = format(abs(hash_text("|".join(stamp))), "x")
    return os.path.join(CLI_DIR, "__pycache__", f"dhis2-mch-help-{key}.txt")


def hash_text(text: str) -> int:
    """A stable hash (``hash()`` of a str changes per process): FNV-1a, 64 bits."""
    value = 0xCBF29CE484222325
    for byte in text.encode("utf-8"):
        value = ((value ^ byte) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return value


def _render_and_keep(path: str) -> str:
    """Click's own help text for the group, kept at ``path`` for next time when the folder allows."""
    from dhis2_mch.cli import cli

    with cli.make_context("dhis2-mch", [], resilient_parsing=True) as ctx:  # the group's own settings
        text = ctx.get_help() + "\n"
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        tmp = f"{path}.{os.getpid()}.tmp"
        with open(tmp, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except OSError:
        pass  # a read-only installation: render each time, as click would
    return text
