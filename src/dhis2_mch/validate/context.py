"""What every rule needs to know about the package, computed once."""

from __future__ import annotations

from dataclasses import dataclass, field

from dhis2_mch.model import findings as f
from dhis2_mch.model.metadata import Metadata
from dhis2_mch.model.objects import IdentifiableObject
from dhis2_mch.model.types import DEFAULT_UIDS, MetadataType

DOTTED_IN_2_38 = frozenset({"E4000", "E4001", "E4053", "E5002", "E5003", "E5004"})


@dataclass
class Context:
    md: Metadata
    version: tuple[int, int] = (2, 40)
    locale: str = "vi"
    #: type name -> uid -> object, per type: DHIS2 keys its preheat by class, so one UID may name
    #: objects of two types and neither shadows the other
    index: dict[str, dict[str, IdentifiableObject]] = field(init=False)

    def __post_init__(self) -> None:
        self.index = {}
        for mtype, obj in self.md.items():
            uid = obj.id
            if isinstance(uid, str):
                self.index.setdefault(mtype.name, {}).setdefault(uid, obj)

    def get(self, uid: str | None, target: str) -> IdentifiableObject | None:
        """The object of type ``target`` with this UID in the package, if any."""
        if uid is None:
            return None
        return self.index.get(target, {}).get(uid)

    def resolves(self, uid: str | None, target: str) -> bool:
        """True when ``uid`` names an object of type ``target`` in the package or DHIS2's defaults."""
        if uid is None:
            return False
        return DEFAULT_UIDS.get(target) == uid or uid in self.index.get(target, ())

    def types_of(self, uid: str) -> list[str]:
        """Types that have an object with this UID in the package (for 'wrong type' messages)."""
        return [name for name, objs in self.index.items() if uid in objs]

    def finding(self, severity, code, mtype: MetadataType, obj: IdentifiableObject, prop, message) -> f.Finding:
        if code in DOTTED_IN_2_38 and self.version < (2, 39) and severity == "error":
            message += "."  # ErrorCode.java: 2.38 texts end with a dot, 2.39+ do not
        name = obj.name if isinstance(obj.name, str) else None
        uid = obj.id if isinstance(obj.id, str) else None
        return f.Finding(severity, code, mtype.name, uid, name, prop, message, self.md.origins.get(uid or ""))

    def error(self, code, mtype, obj, prop, message) -> f.Finding:
        return self.finding("error", code, mtype, obj, prop, message)

    def warning(self, code, mtype, obj, prop, message) -> f.Finding:
        return self.finding("warning", code, mtype, obj, prop, message)


def ident(mtype: MetadataType, obj: IdentifiableObject) -> str:
    """How DHIS2 names an object in messages: ``name [uid] (Class)`` or ``[uid] (Class)``."""
    name = f"{obj.name} " if isinstance(obj.name, str) and obj.name else ""
    return f"{name}[{obj.id}] ({mtype.simple})"
