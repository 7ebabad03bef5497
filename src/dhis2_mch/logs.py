"""Logging that cannot leak a password or a token.

Secrets reach this process from the environment or a permission-checked file (see
``dhis2.profiles``); every value read is registered here, and ``redact`` scrubs them, and anything
shaped like an ``Authorization`` header, from every message dhis2-mch builds.

Scrubbing log records is the application's choice, because it touches the whole process: the CLI
calls ``install()`` (through ``configure``), which scrubs every record at creation, in the log
record factory rather than in a filter on one handler, because filters on a handler miss handlers
added later (pytest's caplog, a cron wrapper's file handler) and filters on a logger miss records
propagated from child loggers. A program using the library calls ``install()`` itself, or puts a
``RedactingFilter`` on its own handlers; merely opening a ``Connection`` changes nothing global.
"""

from __future__ import annotations

import base64
import logging
import re
import sys
import threading

REDACTED = "[redacted]"

_lock = threading.Lock()
_secrets: set[str] = set()
_installed = False

# Authorization headers in any spelling, PAT-shaped strings, Basic credentials, and URL userinfo.
_PATTERNS = (
    re.compile(r"(?i)(authorization['\"]?\s*[:=]\s*['\"]?)(?:basic|apitoken|bearer)?\s*[^\s'\",}]+"),
    re.compile(r"(?i)\b(apitoken|bearer)\s+[A-Za-z0-9\-._~+/]{8,}=*"),
    re.compile(r"d2pat_[A-Za-z0-9]{8,}"),
    re.compile(r"(?i)\b(basic)\s+([A-Za-z0-9+/]{4,}={0,2})"),
    # credentials inside a URL (a proxy's http://user:password@host, a pasted DHIS2 URL)
    re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/\s@:]+:[^/\s@]+@"),
)


def _basic(match: re.Match) -> str:
    # only what decodes to "user:password" is a credential; "Basic authentication" stays readable
    try:
        decoded = base64.b64decode(match.group(2), validate=True)
    except ValueError:
        return match.group(0)
    return f"{match.group(1)} {REDACTED}" if b":" in decoded else match.group(0)


def register_secret(value: str | None, *, username: str | None = None) -> None:
    """Remember a secret so that it is scrubbed from every log record and every message we build.

    With ``username``, the Basic header form ``base64(username:value)`` is remembered too.
    """
    if not value:
        return
    with _lock:
        _secrets.add(value)
        if username is not None:
            _secrets.add(base64.b64encode(f"{username}:{value}".encode()).decode("ascii"))


def redact(text: str) -> str:
    """``text`` with every registered secret and every credential-shaped string replaced."""
    if not text:
        return text
    with _lock:
        secrets = sorted(_secrets, key=len, reverse=True)
    for secret in secrets:
        if secret in text:
            text = text.replace(secret, REDACTED)
    text = _PATTERNS[0].sub(lambda m: m.group(1) + REDACTED, text)
    text = _PATTERNS[1].sub(lambda m: m.group(1) + " " + REDACTED, text)
    text = _PATTERNS[2].sub(REDACTED, text)
    text = _PATTERNS[3].sub(_basic, text)
    return _PATTERNS[4].sub(lambda m: m.group(1) + REDACTED + "@", text)


def _scrub(record: logging.LogRecord) -> logging.LogRecord:
    try:
        message = record.getMessage()
    except Exception:  # a malformed format string: keep what we can, never raise from logging
        message = str(record.msg)
    record.msg, record.args = redact(message), None
    if record.exc_info and not record.exc_text:
        record.exc_text = logging.Formatter().formatException(record.exc_info)
    if record.exc_text:
        record.exc_text = redact(record.exc_text)
        # the formatter would re-render exc_info on some handlers; the scrubbed text is what stays
        record.exc_info = None
    if record.stack_info:
        record.stack_info = redact(record.stack_info)
    return record


class _Stderr(logging.StreamHandler):
    """Writes to whatever ``sys.stderr`` is at the time (test runners and click swap it)."""

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, _value) -> None:
        pass


class RedactingFilter(logging.Filter):
    """For handlers configured outside this process's record factory (e.g. a logging config file)."""

    def filter(self, record: logging.LogRecord) -> bool:
        _scrub(record)
        return True


def install() -> None:
    """Scrub every log record at creation (idempotent; chains any factory installed before)."""
    global _installed
    with _lock:
        if _installed:
            return
        previous = logging.getLogRecordFactory()

        def factory(*args, **kwargs) -> logging.LogRecord:
            return _scrub(previous(*args, **kwargs))

        logging.setLogRecordFactory(factory)
        _installed = True


def configure(verbosity: int = 0) -> None:
    """Send dhis2-mch's log to stderr: warnings by default, info with 1, debug with 2 (idempotent)."""
    install()
    level = logging.WARNING if verbosity <= 0 else logging.INFO if verbosity == 1 else logging.DEBUG
    logger = logging.getLogger("dhis2_mch")
    logger.setLevel(level)
    if not any(getattr(h, "_dhis2_mch", False) for h in logger.handlers):
        handler = _Stderr()
        handler.setFormatter(logging.Formatter("%(levelname)s: %(message)s"))
        handler.addFilter(RedactingFilter())
        handler._dhis2_mch = True  # type: ignore[attr-defined]
        logger.addHandler(handler)
