"""Who is calling: Basic credentials and personal access tokens, as DHIS2 checks them.

- ``Authorization: Basic base64(user:password)``; a wrong pair is 401 ``Unauthorized``
  (DHIS2BasicAuthenticationEntryPoint).
- ``Authorization: ApiToken d2pat_...`` (scheme case-insensitive, core ApiTokenResolver); an unknown
  token is 401 "The API token does not exists." (core ApiTokenAuthenticationTest).
- No credentials: DHIS2 redirects to its login page (302), which is what a browser-less client meets.

A token is ``d2pat_`` + 32 base64url characters + the CRC32 of those 32 characters as 10 digits
(verified against the docs' example key in ``samples/07``).
"""

from __future__ import annotations

import base64
import binascii
import re
import secrets
import string
import zlib
from dataclasses import dataclass

TOKEN_PREFIX = "d2pat_"
_TOKEN_CHARS = string.ascii_letters + string.digits + "-_"
_APITOKEN = re.compile(r"^ApiToken (?P<token>[a-zA-Z0-9-._~+/]+=*)$", re.IGNORECASE)
BAD_TOKEN = "The API token does not exists."


def new_token() -> str:
    body = "".join(secrets.choice(_TOKEN_CHARS) for _ in range(32))
    return f"{TOKEN_PREFIX}{body}{zlib.crc32(body.encode('ascii')):010d}"


def token_checksum_ok(token: str) -> bool:
    body, checksum = token[len(TOKEN_PREFIX) : len(TOKEN_PREFIX) + 32], token[len(TOKEN_PREFIX) + 32 :]
    return (
        token.startswith(TOKEN_PREFIX)
        and len(body) == 32
        and checksum.isdigit()
        and int(checksum) == zlib.crc32(body.encode("ascii", "replace"))
    )


@dataclass(frozen=True)
class Credentials:
    """What the Authorization header carries: ``kind`` is basic, token, other or none."""

    kind: str
    username: str = ""
    secret: str = ""


def parse_authorization(header: str | None) -> Credentials:
    if not header:
        return Credentials("none")
    match = _APITOKEN.match(header.strip())
    if match:
        return Credentials("token", secret=match.group("token"))
    scheme, _, value = header.strip().partition(" ")
    if scheme.lower() == "basic":
        try:
            # UTF-8, as DHIS2 decodes it: DhisWebApiWebSecurityConfig's httpBasic() keeps Spring Security's
            # BasicAuthenticationConverter default credentialsCharset (UTF-8), so "Mật-khẩu" logs in
            decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return Credentials("basic")
        username, _, password = decoded.partition(":")
        return Credentials("basic", username, password)
    return Credentials("other")


def authorities(user: dict, roles: dict[str, dict]) -> list[str]:
    """The union of the user's roles' authorities, sorted (``/api/me`` lists them)."""
    found: set[str] = set()
    for ref in user.get("userRoles") or []:
        role = roles.get(str(ref.get("id"))) if isinstance(ref, dict) else None
        found.update((role or {}).get("authorities") or [])
    return sorted(found)


def has_authority(granted: list[str] | set[str], *needed: str) -> bool:
    """``ALL`` passes every ``hasRole('ALL') or hasRole('F_...')`` check."""
    return "ALL" in granted or any(n in granted for n in needed)
