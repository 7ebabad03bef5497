"""DHIS2 version strings → comparable tuples.

DHIS2 has spelled its version "2.40.4.1" (hotfix as a fourth number), "2.42.0", "2.41-SNAPSHOT"
(development builds) and, since 2.40 was renamed, "40.2.2". All of them become
``Version(2, 40, 4)``, so code compares ``conn.version >= (2, 41)`` the same way everywhere and the
project's ``(2, 40)`` rule tables apply unchanged.
"""

from __future__ import annotations

import re
from typing import NamedTuple

_VERSION = re.compile(r"^\s*v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:\.(\d+))?(?:[-+_ ].*)?\s*$", re.IGNORECASE)


class Version(NamedTuple):
    major: int
    minor: int
    patch: int = 0

    @property
    def short(self) -> tuple[int, int]:
        """``(2, 40)``: the key the project's per-version rule tables use."""
        return (self.major, self.minor)

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}.{self.patch}"


def parse_version(text: str) -> Version:
    """``"2.40.4.1"`` → ``Version(2, 40, 4)``; ``"40.2.2"`` → ``Version(2, 40, 2)``; raises ValueError."""
    match = _VERSION.match(text or "")
    if not match:
        raise ValueError(f"not a DHIS2 version: {text!r}")
    numbers = [int(g) for g in match.groups() if g is not None]
    if numbers[0] >= 30:  # "40.2.2" = 2.40.2 (DHIS2 dropped the leading "2." from 2.40 on)
        numbers = [2, *numbers]
    if numbers[0] != 2 or len(numbers) < 2:
        raise ValueError(f"not a DHIS2 version: {text!r}")
    return Version(numbers[0], numbers[1], numbers[2] if len(numbers) > 2 else 0)
