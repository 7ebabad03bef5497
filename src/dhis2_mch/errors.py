"""One small error hierarchy.

The library raises these; only ``cli`` turns them into messages and exit codes, so that every
other caller (tests, a notebook, a cron wrapper) gets a typed exception instead of a sys.exit.
Messages are one paragraph a user can act on: they name the file, row, column or object.
"""

from __future__ import annotations


class Dhis2MchError(Exception):
    """Base class; ``exit_code`` is what the CLI exits with."""

    exit_code = 1


class InputError(Dhis2MchError):
    """Bad usage, or a file or configuration that cannot be read or parsed."""

    exit_code = 2


class ValidationFailed(Dhis2MchError):
    """The command ran and found problems (validation errors, rejected values, conflicts)."""

    exit_code = 1


class ServerUnavailable(Dhis2MchError):
    """DHIS2 could not be reached, timed out, or answered with a server error or garbage."""

    exit_code = 3


class AuthError(Dhis2MchError):
    """DHIS2 refused the credentials (401) or the user lacks an authority the command needs."""

    exit_code = 3


class PackageInvalid(ValidationFailed):
    """The metadata package has validation errors, so it was not built, deployed or pushed to."""
