"""Project-wide pytest fixtures.

- ``shared_dir``: ../shared (reference material beside the project); tests that need it skip with a
  reason where it is absent, so a fresh clone's suite still passes.
- ``sandbox``: a DHIS2 2.40 stand-in listening on a free loopback port, fresh for each test.
- ``sandbox_factory``: ``sandbox_factory(version="2.42.3", faults=Faults(...), db=path, today=date(...))``
  starts more; every one is stopped at teardown.
- ``sandbox_mock``: the same handlers in-process through ``SandboxAdapter`` at http://dhis2.test (no
  socket; fastest). ``Connection(url, token=sandbox_mock.token, transport=sandbox_mock.adapter)``
  reaches it without any patching; plain ``requests.get(...)`` calls reach it through ``responses``.
  It has ``.url``, ``.auth``, ``.token`` and the sandbox's read helpers.

The sandbox is imported inside the fixtures, so tests that do not use it never load it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[1].parent / "shared"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not (SHARED / "dhis2").is_dir():
        pytest.skip(f"needs the reference material in {SHARED} (../shared beside the project), which is absent")
    return SHARED


@pytest.fixture
def sandbox_factory():
    from dhis2_mch.sandbox import Sandbox

    started = []

    def make(version: str = "2.40", faults=None, db=None, **kwargs):
        sb = Sandbox(version, db, faults, **kwargs).start()
        started.append(sb)
        return sb

    yield make
    for sb in started:
        sb.stop()


@pytest.fixture
def sandbox(sandbox_factory):
    return sandbox_factory("2.40")


@pytest.fixture
def sandbox_mock():
    import responses

    from dhis2_mch.sandbox.mock import SandboxRouter

    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        router = SandboxRouter("2.40").install(rsps, base_url="http://dhis2.test")
        yield router
        router.close()


@pytest.fixture(scope="session", autouse=True)
def _compile_cache_dir(tmp_path_factory):
    """Compiled packages are cached in a folder of the test session, never in the user's home."""
    import os

    before = os.environ.get("DHIS2_MCH_CACHE_DIR")
    os.environ["DHIS2_MCH_CACHE_DIR"] = str(tmp_path_factory.mktemp("compile-cache"))
    yield
    if before is None:
        os.environ.pop("DHIS2_MCH_CACHE_DIR", None)
    else:
        os.environ["DHIS2_MCH_CACHE_DIR"] = before
