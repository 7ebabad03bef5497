"""What ``dhis2-mch info`` reports: the server, the user, and whether they may deploy and push."""

from __future__ import annotations

from dhis2_mch.dhis2 import api
from dhis2_mch.dhis2.connection import Connection
from dhis2_mch.dhis2.profiles import Target
from dhis2_mch.model.types import TYPES


def describe(conn: Connection, target: Target) -> dict:
    """Version, user and authorities as one JSON-ready dict (missing authorities are reported, not raised)."""
    system = conn.system_info()
    version = conn.version
    user = conn.me()
    gaps = api.metadata_authority_gaps(conn, [t.plural for t in TYPES])
    can_push = user.has(api.DATA_VALUE_AUTHORITY)
    return {
        "url": conn.base_url,
        "instance": target.name,
        "version": {"text": system.version, "major": version.major, "minor": version.minor, "patch": version.patch},
        "revision": system.revision,
        "system_name": system.system_name,
        "user": {
            "id": user.id,
            "username": user.username,
            "display_name": user.display_name,
            "auth": target.credentials.method,
            "credentials": target.credentials.describe(),
        },
        "authorities": {
            "superuser": user.is_superuser,
            "deploy_metadata": {"ok": not gaps, "missing": {p: list(alts) for p, alts in gaps.items()}},
            "push_data_values": {"ok": can_push, "authority": api.DATA_VALUE_AUTHORITY},
            "F_METADATA_IMPORT": user.has("F_METADATA_IMPORT"),
        },
    }


def describe_text(data: dict) -> str:
    auth = data["authorities"]
    yes = {True: "yes", False: "NO"}
    lines = [
        f"DHIS2 {data['version']['text']} at {data['url']}"
        + (f" (instance {data['instance']!r})" if data["instance"] else "")
        + (f": {data['system_name']}" if data["system_name"] else ""),
        f"User:              {data['user']['username'] or '?'}"
        + (f" ({data['user']['display_name']})" if data["user"]["display_name"] else "")
        + f", {data['user']['credentials']}",
        f"Superuser (ALL):   {yes[auth['superuser']]}",
        f"Deploy metadata:   {yes[auth['deploy_metadata']['ok']]}",
    ]
    for plural, alts in auth["deploy_metadata"]["missing"].items():
        lines.append(f"  cannot create {plural}: needs {' or '.join(alts)}")
    lines.append(f"Push data values:  {yes[auth['push_data_values']['ok']]} ({auth['push_data_values']['authority']})")
    lines.append(
        f"F_METADATA_IMPORT: {'yes' if auth['F_METADATA_IMPORT'] else 'no'} (used by the Import/Export app; "
        "the API checks each type's create authority instead)"
    )
    return "\n".join(lines)
