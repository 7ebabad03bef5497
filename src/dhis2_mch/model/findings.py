"""A finding is one problem in a metadata package, in the shape DHIS2 reports it.

``code`` is DHIS2's ErrorCode where one exists (E4000, E5002 ...) so a finding reads like the
import report a user would otherwise have got from the server, and dhis2-mch's own ``MCH…`` codes
otherwise.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Literal

Severity = Literal["error", "warning"]

# dhis2-mch's own codes, for rules DHIS2 has no ErrorCode for.
UNKNOWN_KEY = "MCH001"  # authoring file: a key the type does not have
BAD_VALUE = "MCH002"  # a property of the wrong JSON type (DHIS2 would fail to parse the payload)
UNKNOWN_ENUM = "MCH003"  # valueType / aggregationType / periodType / domainType ... not in the enum
WRONG_DOMAIN = "MCH004"  # aggregate data set with a tracker data element, or the reverse
BAD_EXPRESSION = "MCH005"  # indicator expression that does not parse or refers to nothing
CATEGORY_MODEL = "MCH006"  # category combo / option combo that does not add up
ON_SERVER = "MCH007"  # warning: a reference the package does not carry; DHIS2 resolves it on the server
CONVERTED = "MCH008"  # warning: a value DHIS2's JSON reader silently changes (a float truncated to an int)
CODE_CASE = "MCH101"  # warning: code not upper case
NO_TRANSLATION = "MCH102"  # warning: translatable text without the project's locale (vi)
NO_DESCRIPTION = "MCH103"  # warning: object without a description


@dataclass(frozen=True)
class Finding:
    severity: Severity
    code: str
    type: str  # DHIS2 type name, singular (dataElement)
    id: str | None
    name: str | None
    property: str | None
    message: str
    location: str | None = None  # "file:line" for authored objects

    def as_json(self) -> dict:
        data = asdict(self)
        del data["severity"]
        if data["location"] is None:
            del data["location"]
        return data

    def as_text(self) -> str:
        where = f"{self.location}: " if self.location else ""
        return f"{where}{self.code} {self.type} {describe(self.id, self.name)}: {self.message}"


def describe(uid: str | None, name: str | None) -> str:
    if name and uid:
        return f"'{name}' [{uid}]"
    return f"[{uid}]" if uid else f"'{name}'" if name else "(no id)"


def error(code, type_, obj_id, name, prop, message, location=None) -> Finding:
    return Finding("error", code, type_, obj_id, name, prop, message, location)


def warning(code, type_, obj_id, name, prop, message, location=None) -> Finding:
    return Finding("warning", code, type_, obj_id, name, prop, message, location)


def errors_of(findings: list[Finding]) -> list[Finding]:
    """What stops a build, a deploy or a push: the one place that decides (an error means DHIS2 refuses)."""
    return [x for x in findings if x.severity == "error"]


def warnings_of(findings: list[Finding]) -> list[Finding]:
    return [x for x in findings if x.severity == "warning"]
