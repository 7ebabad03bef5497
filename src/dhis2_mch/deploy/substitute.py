"""Instance-specific substitution, the step the WHO package installation guides ask people to do by hand.

A package refers to DHIS2's default category model by the UIDs new databases get
(bjDvmb4bfuf, GLevLNI9wkl, xYerKDKCefk, HllvX50cXC0); an old instance may have others. Packages
also carry an ``<OU_ROOT_UID>`` placeholder where a visualization needs the instance's root org
unit. Both are replaced in every string of the payload (references and expressions alike); the
instance's values come from ``dhis2.api.default_category_model`` and ``root_org_units``.
"""

from __future__ import annotations

import re
from typing import Any

OU_ROOT_PLACEHOLDER = "<OU_ROOT_UID>"


def substitute(payload: Any, table: dict[str, str]) -> Any:
    """A copy of ``payload`` with every occurrence of a table key replaced, in keys' values only."""
    if not table:
        return payload
    pattern = re.compile("|".join(re.escape(k) for k in sorted(table, key=len, reverse=True)))

    def walk(value: Any) -> Any:
        if isinstance(value, str):
            return pattern.sub(lambda m: table[m.group(0)], value)
        if isinstance(value, list):
            return [walk(v) for v in value]
        if isinstance(value, dict):
            return {k: walk(v) for k, v in value.items()}
        return value

    return walk(payload)


def remaining_placeholders(payload: Any) -> list[str]:
    """Placeholders left unresolved (``<SOMETHING_UID>``), so a deploy can refuse to send them."""
    found = re.findall(r"<[A-Z_]+_UID>", str(payload))
    return sorted(set(found))
