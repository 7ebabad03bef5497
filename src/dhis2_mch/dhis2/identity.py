"""Who and what is on the other end: ``/api/system/info`` (version) and ``/api/me`` (user, authorities).

``Connection.system_info()``, ``.version``, ``.me()`` and ``.require_authorities()`` call these and
cache the answers for the connection's life.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from dhis2_mch.dhis2.version import Version, parse_version
from dhis2_mch.errors import Forbidden, UnexpectedResponse

if TYPE_CHECKING:
    from dhis2_mch.dhis2.connection import Connection


class SystemInfo(BaseModel):
    """``/api/system/info``; only what we use is typed, the rest is kept (new versions add keys)."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)

    version: str
    revision: str | None = None
    build_time: str | None = Field(None, alias="buildTime")
    server_date: str | None = Field(None, alias="serverDate")
    context_path: str | None = Field(None, alias="contextPath")
    system_name: str | None = Field(None, alias="systemName")
    calendar: str | None = None


class Me(BaseModel):
    """``/api/me``: who we are and what we may do."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    id: str | None = None
    username: str | None = None
    display_name: str | None = Field(None, alias="displayName")
    authorities: list[str] = Field(default_factory=list)

    @property
    def is_superuser(self) -> bool:
        return "ALL" in self.authorities

    def has(self, *alternatives: str) -> bool:
        """True when the user holds any of ``alternatives``, or ALL (which passes every check)."""
        return self.is_superuser or any(a in self.authorities for a in alternatives)


def fetch_system_info(conn: Connection) -> SystemInfo:
    reply = conn.get("system/info", accept=(404,))
    data = reply.data
    if reply.status == 404 or not isinstance(data, dict) or not isinstance(data.get("version"), str):
        raise UnexpectedResponse(
            f"{conn.where}: no DHIS2 API answers at {conn.api_url}/system/info. Check the URL, including the "
            "context path if DHIS2 is not at the root (e.g. https://host/dhis).",
            method="GET",
            path="/api/system/info",
        )
    try:
        return SystemInfo.model_validate(data)
    except ValidationError:
        raise UnexpectedResponse(f"{conn.where}: /api/system/info is not shaped like DHIS2's.") from None


def server_version(conn: Connection, text: str) -> Version:
    try:
        return parse_version(text)
    except ValueError:
        raise UnexpectedResponse(f"{conn.where} reports a version dhis2-mch cannot read: {text[:40]!r}.") from None


def fetch_me(conn: Connection) -> Me:
    reply = conn.get("me", params={"fields": "id,username,displayName,authorities,userCredentials[username]"})
    data = reply.data if isinstance(reply.data, dict) else None
    if data is None:
        raise UnexpectedResponse(f"{conn.where}: /api/me did not answer with a user.", method="GET", path="/api/me")
    if not data.get("username") and isinstance(data.get("userCredentials"), dict):
        data = {**data, "username": data["userCredentials"].get("username")}
    if "authorities" not in data:
        extra = conn.get("me/authorization").data
        data = {**data, "authorities": extra if isinstance(extra, list) else []}
    try:
        return Me.model_validate(data)
    except ValidationError:
        raise UnexpectedResponse(f"{conn.where}: /api/me is not shaped like DHIS2's.") from None


def require(conn: Connection, me: Me, needs: Sequence[str | Sequence[str]], purpose: str) -> Me:
    """Raise Forbidden unless ``me`` holds every need (a need = one authority or a tuple of alternatives)."""
    missing = []
    for need in needs:
        alternatives = (need,) if isinstance(need, str) else tuple(need)
        if not me.has(*alternatives):
            missing.append(" or ".join(dict.fromkeys(alternatives)))
    missing = list(dict.fromkeys(missing))
    if missing:
        who = f"user {me.username!r}" if me.username else "the token's user"
        raise Forbidden(
            f"{conn.where}: {who} may not {purpose}: missing the authorit{'ies' if len(missing) > 1 else 'y'} "
            f"{'; '.join(missing)}. Ask a DHIS2 administrator to add {'them' if len(missing) > 1 else 'it'} to "
            "one of your user roles (or use a superuser account).",
            authority="; ".join(missing),
            status=None,
        )
    return me
