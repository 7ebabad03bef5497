"""Which DHIS2 version the sandbox plays, and the response details that differ between versions.

Every version-dependent behaviour of the sandbox asks this module, so the differences live in one
place and each one names its source (dhis2-core's branches and real responses recorded from DHIS2 servers):

- 2.38 error texts end with "." (ErrorCode.java), 2.39+ do not;
- ``rejectedIndexes`` in an ImportSummary exists from 2.39;
- ``args`` in an ErrorReport exists from 2.41;
- ``responseType`` is the first key of a WebMessage ``response`` up to 2.41 and the last in 2.42;
- 2.42.0–2.42.4 spell it ``<Class>WebMessageResponse`` (``getSimpleName()``; fixed in 2.42.5, DHIS2-21364).

Short versions ("2.40") get a realistic patch level; the 2.38–2.40 defaults are the versions of the
recorded play servers; for 2.40–2.42 the revision and build time are
placeholders (``0000000``), not real builds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

SUPPORTED = (38, 39, 40, 41, 42)

#: minor -> (version string, revision, buildTime); 2.38/2.39 from the recorded play servers.
DEFAULTS = {
    38: ("2.38.4.3", "4119e92", "2023-06-30T12:56:10.000"),
    39: ("2.39.2.1", "99a70d2", "2023-06-30T12:54:22.000"),
    40: ("2.40.4.1", "0000000", "2024-06-01T00:00:00.000"),
    41: ("2.41.4", "0000000", "2025-03-01T00:00:00.000"),
    42: ("2.42.3", "0000000", "2025-09-01T00:00:00.000"),
}

_PATTERN = re.compile(r"^(?:2\.)?(\d{2})((?:\.\d+){0,2})$")


@dataclass(frozen=True)
class Version:
    """A DHIS2 version such as 2.40.4.1; ``minor`` is 40, ``patch`` the numbers after it."""

    minor: int
    patch: tuple[int, ...] = ()

    @property
    def full(self) -> str:
        if self.patch:
            return ".".join(str(p) for p in (2, self.minor, *self.patch))
        return DEFAULTS[self.minor][0]

    @property
    def key(self) -> tuple[int, int]:
        """The (major, minor) pair the shared model table uses (``dhis2_mch.model.types``)."""
        return (2, self.minor)

    @property
    def revision(self) -> str:
        return DEFAULTS[self.minor][1]

    @property
    def build_time(self) -> str:
        return DEFAULTS[self.minor][2]

    @property
    def _patch_numbers(self) -> tuple[int, ...]:
        if self.patch:
            return self.patch
        return tuple(int(p) for p in self.full.split(".")[2:])

    # --- response details -------------------------------------------------------------------

    @property
    def dotted_messages(self) -> bool:
        """ErrorCode texts of 2.38 end with a full stop; 2.39 removed them."""
        return self.minor == 38

    @property
    def rejected_indexes(self) -> bool:
        return self.minor >= 39

    @property
    def error_report_args(self) -> bool:
        return self.minor >= 41

    @property
    def response_type_last(self) -> bool:
        return self.minor >= 42

    @property
    def response_type_suffix_bug(self) -> bool:
        """2.42.0–2.42.4 print the Java class name (``ImportReportWebMessageResponse``)."""
        patch = self._patch_numbers
        return self.minor == 42 and (not patch or patch[0] <= 4)

    @property
    def access_denied(self) -> str:
        """Spring Security's text for a failed ``@PreAuthorize`` (unverified: 2.42 moved to Spring 6)."""
        return "Access Denied" if self.minor >= 42 else "Access is denied"

    def __str__(self) -> str:
        return self.full


def parse_version(text: str | Version) -> Version:
    """``"2.40"``, ``"40"``, ``"2.40.4.1"`` or ``"2.42.3"`` -> Version; anything else raises ValueError."""
    if isinstance(text, Version):
        return text
    match = _PATTERN.match(str(text).strip())
    if not match:
        raise ValueError(f"not a DHIS2 version: {text!r} (expected e.g. 2.40 or 2.42.3)")
    minor = int(match.group(1))
    if minor not in SUPPORTED:
        raise ValueError(f"the sandbox plays DHIS2 2.38 to 2.42, not {text!r}")
    patch = tuple(int(p) for p in match.group(2).split(".")[1:]) if match.group(2) else ()
    return Version(minor, patch)
