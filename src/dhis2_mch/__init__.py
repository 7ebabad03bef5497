"""dhis2-mch: Viet Nam's maternal and child health programmes on DHIS2, as code.

The library in a handful of names (the guide is docs/library.md)::

    import dhis2_mch as mch

    project = mch.Project.load()  # the programmes' package shipped with dhis2-mch
    project.add("dataElements", {"code": "F1000_NEW", "name": {"en": "F1000 - New", "vi": "F1000 - Mới"}, ...})
    with mch.connect(url="https://dhis2.example.org") as conn:
        compiled = project.compile(conn.version).require_valid()
        print(mch.plan(compiled, conn).as_text())
        mch.deploy(compiled, conn, backup_dir=Path("backups"))
        mch.push_frame(frame, conn, compiled)

``mch.load_compiled(path, version)`` is ``Project.load(path).compile(version)`` answered from a cache of
compiled packages while nothing it depends on has changed (what push and the nightly sync use).

Every name is imported on first use, so ``import dhis2_mch`` stays light (the CLI's start-up).
"""

from __future__ import annotations

import importlib
import sys
import types

TYPE_CHECKING = False  # not typing's: ``import dhis2_mch`` (and so ``dhis2-mch --help``) must not import typing

__version__ = "0.1.0"

_ERRORS = (
    "AuthError", "ConfigError", "ConnectError", "DeadlineExceeded", "Dhis2MchError", "Forbidden", "HTTPStatusError",
    "InputError", "PackageInvalid", "ReadTimeout", "ServerUnavailable", "SourceError", "TLSError", "TransportError",
    "Unauthorized", "UnexpectedResponse", "ValidationFailed",
)  # fmt: skip

#: public name -> module that defines it, imported when the name is first used
_LAZY = dict.fromkeys(_ERRORS, "dhis2_mch.errors") | {
    "Project": "dhis2_mch.project",
    "Compiled": "dhis2_mch.project",
    "load_compiled": "dhis2_mch.compile_cache",
    "Connection": "dhis2_mch.dhis2.connection",
    "connect": "dhis2_mch.facade",
    "plan": "dhis2_mch.deploy.apply",
    "deploy": "dhis2_mch.deploy.apply",
    "apply_plan": "dhis2_mch.deploy.apply",
    "write_plan": "dhis2_mch.deploy.planfile",
    "read_plan": "dhis2_mch.deploy.planfile",
    "PlanOutdated": "dhis2_mch.deploy.planfile",
    "export": "dhis2_mch.deploy.export",
    "push_frame": "dhis2_mch.data.push",
    "push_file": "dhis2_mch.data.push",
    "read_values": "dhis2_mch.facade",
    "Sandbox": "dhis2_mch.sandbox",
}

if TYPE_CHECKING:
    from typing import Any

    from dhis2_mch.compile_cache import load_compiled
    from dhis2_mch.data.push import push_file, push_frame
    from dhis2_mch.deploy.apply import apply_plan, deploy, plan
    from dhis2_mch.deploy.export import export
    from dhis2_mch.deploy.planfile import PlanOutdated, read_plan, write_plan
    from dhis2_mch.dhis2.connection import Connection
    from dhis2_mch.errors import (
        AuthError,
        ConfigError,
        ConnectError,
        DeadlineExceeded,
        Dhis2MchError,
        Forbidden,
        HTTPStatusError,
        InputError,
        PackageInvalid,
        ReadTimeout,
        ServerUnavailable,
        SourceError,
        TLSError,
        TransportError,
        Unauthorized,
        UnexpectedResponse,
        ValidationFailed,
    )
    from dhis2_mch.facade import connect, read_values
    from dhis2_mch.project import Compiled, Project
    from dhis2_mch.sandbox import Sandbox


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'dhis2_mch' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})


class _Facade(types.ModuleType):
    """``dhis2_mch.deploy`` is the function; importing the subpackage of the same name (``dhis2_mch/deploy/``,
    always imported by its full name) would otherwise rebind the package's attribute to the module."""

    def __setattr__(self, name: str, value: object) -> None:
        if name in _LAZY and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Facade


__all__ = [
    "AuthError",
    "Compiled",
    "ConfigError",
    "ConnectError",
    "Connection",
    "DeadlineExceeded",
    "Dhis2MchError",
    "Forbidden",
    "HTTPStatusError",
    "InputError",
    "PackageInvalid",
    "PlanOutdated",
    "Project",
    "ReadTimeout",
    "Sandbox",
    "ServerUnavailable",
    "SourceError",
    "TLSError",
    "TransportError",
    "Unauthorized",
    "UnexpectedResponse",
    "ValidationFailed",
    "__version__",
    "apply_plan",
    "connect",
    "deploy",
    "export",
    "load_compiled",
    "plan",
    "push_file",
    "push_frame",
    "read_plan",
    "read_values",
    "write_plan",
]
