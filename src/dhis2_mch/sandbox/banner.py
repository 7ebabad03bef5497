"""What ``dhis2-mch sandbox`` prints when it starts: where it is, who may log in, what it leaves out."""

from __future__ import annotations

from dhis2_mch.sandbox.honesty import NOT_IMPLEMENTED
from dhis2_mch.sandbox.seed import ADMIN_PASSWORD, ADMIN_USERNAME, PASSWORD, USERS


def users_lines() -> list[str]:
    lines = [f"{ADMIN_USERNAME} / {ADMIN_PASSWORD}: superuser (ALL), captures everywhere"]
    lines += [f"{name} / {PASSWORD}: {why}" for name, (_, _, _, _, why) in USERS.items()]
    return lines


def not_implemented_lines() -> list[str]:
    return list(NOT_IMPLEMENTED)
