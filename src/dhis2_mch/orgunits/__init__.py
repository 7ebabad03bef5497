"""Viet Nam's organisation units after the reform of 1 July 2025, for DHIS2.

    official register (source.py) ─▶ hierarchy (hierarchy.py, build.py) ─▶ adopt the instance's units (adopt.py)
        ─▶ plan / deploy (deploy.py, through deploy.apply) ─▶ assign data sets, programs, groups (assign.py)

The pre-reform units live on as a closed branch with ``PRE2025-`` codes, and ``resolve_legacy(code,
period)`` is how push and sync place a pre-reform row on them (legacy.py); a unit written by name in
such a row is refused with the unit of that time, not today's (reform_names.py).
"""

from dhis2_mch.orgunits.legacy import LegacyCodeError, mapping, refuse_bare, resolve_legacy

__all__ = ["LegacyCodeError", "mapping", "refuse_bare", "resolve_legacy"]
