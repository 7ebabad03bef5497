"""Tests against a real DHIS2 2.40–2.42. They run only when ``DHIS2_LIVE_URL`` is set:

    DHIS2_LIVE_URL=http://localhost:8080 DHIS2_LIVE_USERNAME=admin DHIS2_LIVE_PASSWORD=district \\
        .venv/bin/pytest tests/live

(or ``DHIS2_LIVE_TOKEN`` instead of the username and password). They deploy the package to that
server, so point them at a test instance (docker-compose.yml starts one), never at production.
``DHIS2_LIVE_ORG_UNIT``: the code of an org unit in the user's capture hierarchy, for the push test.
"""

from __future__ import annotations

import os

import pytest

LIVE_URL = os.environ.get("DHIS2_LIVE_URL")


def pytest_collection_modifyitems(config, items):
    if LIVE_URL:
        return
    skip = pytest.mark.skip(reason="needs a real DHIS2: set DHIS2_LIVE_URL (see tests/live/conftest.py)")
    for item in items:
        if "tests/live/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def live_env() -> dict[str, str | None]:
    """The environment the CLI reads its target from, built from the DHIS2_LIVE_* variables."""
    token = os.environ.get("DHIS2_LIVE_TOKEN")
    user, password = os.environ.get("DHIS2_LIVE_USERNAME"), os.environ.get("DHIS2_LIVE_PASSWORD")
    if not token and not (user and password):
        pytest.skip("set DHIS2_LIVE_TOKEN, or DHIS2_LIVE_USERNAME and DHIS2_LIVE_PASSWORD")
    return {"DHIS2_URL": LIVE_URL, "DHIS2_TOKEN": token, "DHIS2_USERNAME": user, "DHIS2_PASSWORD": password,
            "DHIS2_MCH_CONFIG": None}  # fmt: skip
