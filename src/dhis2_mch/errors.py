"""Errors named by what went wrong, as httpx names its exceptions.

The library raises these; only ``cli`` turns them into exit codes and one-paragraph messages
(``cli.EXIT_CODES``), so every other caller (tests, a notebook, a scheduled job) gets a typed
exception it can act on without parsing English:

    Dhis2MchError
    ├── InputError                 bad usage or input the user can fix
    │   ├── ConfigError            instance profiles, secrets, command options
    │   └── SourceError            a file that cannot be read or parsed (path, line)
    ├── ValidationFailed           the command ran and found problems
    │   └── PackageInvalid         the metadata package has errors (findings)
    └── ServerUnavailable          (base kept for older callers)
        └── TransportError         anything between us and DHIS2; may_have_applied says if a retry is safe
            ├── ConnectError       no connection (DNS, refused, proxy, connect timeout): never sent
            ├── TLSError           the certificate did not verify, or the port does not speak TLS
            ├── ReadTimeout        no answer within the read timeout
            ├── DeadlineExceeded   the command's overall deadline passed
            ├── HTTPStatusError    DHIS2 answered an error status (status, error_code, method, path)
            │   ├── Unauthorized   credentials refused (401, or a redirect to the login page)
            │   └── Forbidden      an authority or sharing access is missing (authority)
            └── UnexpectedResponse an answer that is not DHIS2's (login page, wrong shape, cut off)

``AuthError`` stays the base of ``Unauthorized`` and ``Forbidden`` so ``except AuthError`` keeps
working. ``may_have_applied`` is False only when the request provably changed nothing on the server
(never sent, a read, or refused before it was applied); a job that polls it must check before sending
a write again when it is True.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


class Dhis2MchError(Exception):
    """Base class of every error dhis2-mch raises on purpose."""


class InputError(Dhis2MchError):
    """Bad usage, or a file or configuration that cannot be read or parsed."""


class ConfigError(InputError):
    """An instance profile, a secret or a command option is wrong or missing."""


class SourceError(InputError):
    """A file the user gave cannot be read or parsed; ``path`` and ``line`` say where."""

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None):
        super().__init__(message)
        self.path = path
        self.line = line


class ValidationFailed(Dhis2MchError):
    """The command ran and found problems (validation errors, rejected values, conflicts)."""


class PackageInvalid(ValidationFailed):
    """The metadata package has errors; ``findings`` lists them (nothing was sent)."""

    def __init__(self, message: str, findings: Sequence[Any] = ()):
        super().__init__(message)
        self.findings = list(findings)


class ServerUnavailable(Dhis2MchError):
    """DHIS2 could not be used: unreachable, timed out, refused, or answered something else."""


class AuthError(ServerUnavailable):
    """DHIS2 refused the credentials, or the user lacks an authority the command needs."""


class TransportError(ServerUnavailable):
    """Something went wrong between dhis2-mch and DHIS2.

    ``may_have_applied``: whether the request may already have changed something on the server.
    ``method`` and ``path`` name the request (``path`` relative to the server, e.g. ``/api/metadata``).
    """

    def __init__(
        self, message: str, *, may_have_applied: bool = False, method: str | None = None, path: str | None = None
    ):
        super().__init__(message)
        self.may_have_applied = may_have_applied
        self.method = method
        self.path = path


class ConnectError(TransportError):
    """No connection could be made (DNS, refused, unreachable, proxy, connect timeout): nothing was sent."""


class TLSError(TransportError):
    """The TLS handshake failed; ``problem`` says why in words (unknown CA, expired, wrong host, not TLS)."""

    def __init__(self, message: str, *, problem: str = "", **kwargs: Any):
        super().__init__(message, **kwargs)
        self.problem = problem


class ReadTimeout(TransportError):
    """DHIS2 did not answer (or did not finish answering) within the read timeout."""


class DeadlineExceeded(TransportError):
    """The command's overall deadline passed before the work was done."""


class HTTPStatusError(TransportError):
    """DHIS2 answered with an error status; ``status`` and DHIS2's ``error_code`` (E4000 ...) say which."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None,
        error_code: str | None = None,
        may_have_applied: bool = False,
        method: str | None = None,
        path: str | None = None,
    ):
        super().__init__(message, may_have_applied=may_have_applied, method=method, path=path)
        self.status = status
        self.error_code = error_code


class Unauthorized(HTTPStatusError, AuthError):
    """DHIS2 did not accept the credentials (401, or a redirect to its login page)."""


class Forbidden(HTTPStatusError, AuthError):
    """The user lacks ``authority`` (or sharing access); raised on a 403 or before sending anything."""

    def __init__(self, message: str, *, authority: str | None = None, status: int | None = 403, **kwargs: Any):
        super().__init__(message, status=status, **kwargs)
        self.authority = authority


class UnexpectedResponse(TransportError):
    """The server answered, but not as DHIS2 does: a login or proxy page, a wrong shape, a cut-off body."""
