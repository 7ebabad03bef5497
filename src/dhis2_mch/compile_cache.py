"""Compiled packages kept on disk, so a push or a nightly sync does not read and judge the same files every run.

Loading the programmes' package (21 YAML files) and compiling it for a DHIS2 version costs about 0.2 s of
CPU; unpickling the result costs a few milliseconds. As dbt's partial parsing does, the result is reused
while nothing it depends on has changed. The key is a SHA-256 over every input of the result: the bytes
of every file the package is read from with the names messages give them (which depend on the current
folder), the DHIS2 version, locale and conventions, the dhis2_mch version, the Python version, the
installed pydantic and PyYAML, and every ``.py`` file of dhis2_mch itself (path, size, modification time),
so an edited checkout never reads a stale result. The compiler reads no data files besides the package.

The cache lives in ``$DHIS2_MCH_CACHE_DIR``, else ``$XDG_CACHE_HOME/dhis2-mch``, else
``~/.cache/dhis2-mch`` (created private); ``DHIS2_MCH_CACHE=off`` turns it off. A file that is damaged,
truncated or written for other inputs is ignored and rewritten; a folder that cannot be written means no
cache. Either way the result is the one a fresh compile gives, and nothing is said except in debug logs.
A package with errors is kept too, so ``require_valid`` refuses it with the same message.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import pickle
import stat
import sys
import time
from pathlib import Path
from typing import Any

from dhis2_mch.project import DEFAULT_VERSION, Compiled, Project, VersionLike, short_version

log = logging.getLogger(__name__)

ENV_DIR = "DHIS2_MCH_CACHE_DIR"
ENV_SWITCH = "DHIS2_MCH_CACHE"  # "off" (or 0, false, no) turns the cache off
KEEP = 20  # compiled results kept; the least recently used go first
MAGIC = b"dhis2-mch compiled package 1\n"
#: the installed dhis2_mch whose .py files are fingerprinted (tests point it elsewhere)
CODE_ROOT = Path(__file__).resolve().parent
#: libraries whose code shapes the result or its pickle: the typed objects, the YAML reader
DEPENDENCIES = ("pydantic", "pydantic_core", "yaml")
_STARTED_NS = time.time_ns()  # fallback for when this process started, where /proc does not say


def load_compiled(
    path: Path | str | None, version: VersionLike = DEFAULT_VERSION, *, locale: str = "vi",
    conventions: bool | None = None,
) -> Compiled:  # fmt: skip
    """``Project.load(path).compile(version, ...)``, answered from the cache when nothing it depends on has
    changed since an earlier run (``None`` = the programmes' package shipped with dhis2-mch).

    The result equals a fresh compile (objects, findings, source); its ``project`` is read from the files
    only if something asks for it (``for_version`` with another version, ``get``, ``add``).
    """
    return cached_project(path).compile(version, locale=locale, conventions=conventions)


def cached_project(path: Path | str | None = None) -> Project:
    """``Project.load(path)`` whose ``compile`` is answered from the cache when it can be.

    What a command calls before it connects: a file that cannot be read or parsed raises ``InputError``
    here, as ``Project.load`` does, unless these very files were read without error before.
    """
    root = cache_dir()
    if root is None:
        return Project.load(path)
    try:
        where, shown = _source(path)
        digest = _package_digest(where, shown)
    except (OSError, ValueError) as exc:  # missing or unreadable: Project.load says so in its own words
        log.debug("compiled-package cache not used for %s: %s", path, exc)
        return Project.load(path)
    return _CachedProject(path, shown, root, digest)


def cache_dir() -> Path | None:
    """The cache folder, created private (0700) when missing; ``None`` when it is off or unusable."""
    if os.environ.get(ENV_SWITCH, "").strip().lower() in ("off", "0", "false", "no"):
        return None
    try:
        given = os.environ.get(ENV_DIR)
        xdg = os.environ.get("XDG_CACHE_HOME")
        if given:
            root = Path(given).expanduser()
        elif xdg and os.path.isabs(xdg):  # the XDG spec: a relative path is invalid, ignore it
            root = Path(xdg) / "dhis2-mch"
        else:
            root = Path.home() / ".cache" / "dhis2-mch"
        root.mkdir(mode=0o700, parents=True, exist_ok=True)
        st = root.stat()
    except (OSError, RuntimeError) as exc:  # RuntimeError: no home folder to expand
        log.debug("compiled-package cache off: %s", exc)
        return None
    # pickles are code: only read them from a folder nobody else can write to
    if not stat.S_ISDIR(st.st_mode) or (hasattr(os, "getuid") and (st.st_uid != os.getuid() or st.st_mode & 0o022)):
        log.debug("compiled-package cache off: %s is not a folder only this user can write to", root)
        return None
    return root


class _CachedProject(Project):
    """A project whose files are hashed, and parsed only when a compile misses the cache (or when its
    documents are asked for: then it is an ordinary project, and edits to it are never cached)."""

    def __init__(self, path: Path | str | None, shown: str, root: Path, digest: bytes) -> None:
        self._path, self._root, self._digest = path, root, digest
        self._fresh: Project | None = None  # the files as parsed for a compile that missed
        self._pristine = True
        self.source = shown
        if not any(name.startswith(digest.hex()[:32]) for name in _listdir(root)):
            self._fresh = Project.load(path)  # files never read before: their errors come now, not mid-command

    def __getattr__(self, name: str) -> Any:
        """``documents``, ``metadata``, ``load_findings``: the files, parsed on first use."""
        if name not in ("documents", "metadata", "load_findings"):
            raise AttributeError(name)
        self.__dict__.update(vars(self._parsed()))
        self._pristine = False
        return self.__dict__[name]

    def _parsed(self) -> Project:
        if self._fresh is None:
            self._fresh = Project.load(self._path)
        return self._fresh

    def compile(
        self, version: VersionLike = DEFAULT_VERSION, *, locale: str = "vi", conventions: bool | None = None
    ) -> Compiled:
        if not self._pristine:
            return super().compile(version, locale=locale, conventions=conventions)
        short = short_version(version)
        key = hashlib.sha256(self._digest + repr((short, locale, conventions)).encode()).digest()
        file = self._root / f"{self._digest.hex()[:32]}-{key.hex()[:32]}.pickle"
        compiled = _read(file, key)
        if compiled is None:
            compiled = self._parsed().compile(short, locale=locale, conventions=conventions)
            _store(file, key, compiled, self._digest, self._path, self.source)
        compiled.project = self
        return compiled


def _source(path: Path | str | None) -> tuple[Path, str]:
    """Where the package is read from, and how ``Project.load`` names it."""
    if path is None:
        from dhis2_mch.package import shipped_package

        where = shipped_package()
        return where, _shown(where)
    return Path(path), str(Path(path))  # as Project.load names it


def _shown(path: Path, cwd: Path | None = None) -> str:
    """``path`` as messages name it: the rule of ``package.authoring.reader.display`` (relative to the
    current folder when below it), repeated here so a cache hit does not import the YAML reader."""
    try:
        return str(path.resolve().relative_to(cwd or Path.cwd()))
    except ValueError:
        return str(path)


def _yaml_files(root: Path) -> list[Path]:
    """The files ``package.authoring.reader.read_folder`` reads, in its order."""
    return sorted(p for p in root.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())


def _package_digest(where: Path, shown: str) -> bytes:
    """SHA-256 of everything a compile depends on except version, locale and conventions."""
    h = hashlib.sha256()
    _feed(h, MAGIC, sys.version, sys.implementation.cache_tag or "", shown)
    from dhis2_mch import __version__

    _feed(h, __version__, repr(_code_fingerprint()), repr(_dependencies()))
    if where.is_dir():
        files = _yaml_files(where)
        if not files:
            raise ValueError(f"{where}: no .yaml files")
        cwd = Path.cwd()
        for file in files:
            _feed(h, _shown(file, cwd), file.read_bytes())
    elif where.is_file():
        _feed(h, "json", where.read_bytes())
    else:
        raise ValueError(f"{where}: no such file or folder")
    return h.digest()


def _feed(h: Any, *parts: str | bytes) -> None:
    for part in parts:
        data = part.encode() if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "big"))
        h.update(data)


def _code_fingerprint() -> list[tuple[str, int, int]]:
    """(relative path, size, mtime_ns) of every ``.py`` file of dhis2_mch: an edit changes the key."""
    root = str(CODE_ROOT)
    cut = len(root) + 1
    out = []
    stack = [root]
    while stack:
        with os.scandir(stack.pop()) as entries:
            for entry in entries:
                if entry.name.endswith(".py"):
                    st = entry.stat()
                    out.append((entry.path[cut:], st.st_size, st.st_mtime_ns))
                elif entry.name != "__pycache__" and entry.is_dir(follow_symlinks=False):
                    stack.append(entry.path)
    out.sort()
    return out


def _dependencies() -> list[tuple[str, str, int, int]]:
    """The installed pydantic, pydantic-core and PyYAML, by their main file (found, not imported)."""
    from importlib.util import find_spec

    out = []
    for name in DEPENDENCIES:
        spec = find_spec(name)
        origin = spec.origin if spec is not None and spec.origin else ""
        st = os.stat(origin) if origin else None
        out.append((name, origin, st.st_size if st else 0, st.st_mtime_ns if st else 0))
    return out


def _listdir(root: Path) -> list[str]:
    try:
        return os.listdir(root)
    except OSError:
        return []


def _read(file: Path, key: bytes) -> Compiled | None:
    """The compiled package kept in ``file`` for ``key``; ``None`` when there is none or it is not sound."""
    try:
        data = file.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        log.debug("compiled-package cache: %s unreadable (%s); compiling", file, exc)
        return None
    head = len(MAGIC) + 64
    if (
        len(data) < head
        or data[: len(MAGIC)] != MAGIC
        or data[len(MAGIC) : len(MAGIC) + 32] != key
        or hashlib.sha256(data[head:]).digest() != data[len(MAGIC) + 32 : head]
    ):
        log.debug("compiled-package cache: %s is damaged or for other inputs; compiling", file)
        return None
    try:
        compiled = pickle.loads(data[head:])
    except Exception as exc:  # written by an incompatible library version under the same key: recompile
        log.debug("compiled-package cache: %s does not unpickle (%s); compiling", file, exc)
        return None
    if not isinstance(compiled, Compiled):
        return None
    with contextlib.suppress(OSError):
        os.utime(file)  # recently used: kept when older ones are dropped
    return compiled


def _store(file: Path, key: bytes, compiled: Compiled, digest: bytes, path: Path | str | None, shown: str) -> None:
    """Keep ``compiled`` under ``key``, if the files and dhis2_mch's code are still those it was made from."""
    from dataclasses import replace

    from dhis2_mch.files import atomic_write

    try:
        where, _ = _source(path)
        if _package_digest(where, shown) != digest:  # edited while being compiled: keep nothing
            return
        if max(m for _, _, m in _code_fingerprint()) >= _process_start_ns():
            log.debug("compiled-package cache: dhis2_mch's code changed since this process started; not kept")
            return
        payload = pickle.dumps(replace(compiled, project=None), protocol=pickle.HIGHEST_PROTOCOL)
        with atomic_write(file, "wb") as f:
            f.write(MAGIC + key + hashlib.sha256(payload).digest() + payload)
        _prune(file.parent)
    except Exception as exc:  # a cache that cannot be written is no cache, never a failed command
        log.debug("compiled-package cache: not kept in %s (%s)", file.parent, exc)


def _prune(root: Path) -> None:
    """Drop all but the ``keep`` most recently used results, and temporary files a crash left behind."""
    now = time.time()
    kept: list[tuple[float, Path]] = []
    for name in _listdir(root):
        path = root / name
        with contextlib.suppress(OSError):
            mtime = path.stat().st_mtime
            if name.endswith(".pickle"):
                kept.append((mtime, path))
            elif name.startswith(".") and name.endswith(".tmp") and now - mtime > 3600:
                path.unlink()
    for _, path in sorted(kept, reverse=True)[KEEP:]:
        with contextlib.suppress(OSError):
            path.unlink()


def _process_start_ns() -> int:
    """When this process started (Linux: /proc), else when this module was imported: a result compiled by
    code loaded before a source file changed must not be kept under the changed file's fingerprint."""
    with contextlib.suppress(OSError, ValueError, IndexError, AttributeError):
        ticks = int(Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()[19])  # starttime, since boot
        age = time.clock_gettime(time.CLOCK_BOOTTIME) - ticks / os.sysconf("SC_CLK_TCK")
        return time.time_ns() - int(age * 1e9) - 50_000_000  # ticks are 10 ms: a margin of five
    return _STARTED_NS


__all__ = ["cache_dir", "cached_project", "load_compiled"]
