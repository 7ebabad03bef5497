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
    #: uid -> (type, object) for every object in the package
    index: dict[str, tuple[MetadataType, IdentifiableObject]] = field(init=False)

    def __post_init__(self) -> None:
        self.index = self.md.by_uid()

    def resolves(self, uid: str | None, target: str) -> bool:
        """True when ``uid`` names an object of type ``target`` in the package or DHIS2's defaults."""
        if uid is None:
            return False
        if DEFAULT_UIDS.get(target) == uid:
            return True
        hit = self.index.get(uid)
        return hit is not None and hit[0].name == target

    def finding(self, severity, code, mtype: MetadataType, obj: IdentifiableObject, prop, message) -> f.Finding:
        if code in DOTTED_IN_2_38 and self.version < (2, 39):
            message += "."  # ErrorCode.java: 2.38 texts end with a dot, 2.39+ do not
        return f.Finding(severity, code, mtype.name, obj.id, obj.name, prop, message, self.md.origins.get(obj.id))

    def error(self, code, mtype, obj, prop, message) -> f.Finding:
        return self.finding("error", code, mtype, obj, prop, message)

    def warning(self, code, mtype, obj, prop, message) -> f.Finding:
        return self.finding("warning", code, mtype, obj, prop, message)


def ident(mtype: MetadataType, obj: IdentifiableObject) -> str:
    """How DHIS2 names an object in messages: ``name [uid] (Class)`` or ``[uid] (Class)``."""
    name = f"{obj.name} " if isinstance(obj.name, str) and obj.name else ""
    return f"{name}[{obj.id}] ({mtype.simple})"
