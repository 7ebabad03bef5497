"""Fixtures for the DHIS2 transport tests: a mocked server (``responses``), fast sleeps, connections."""

from __future__ import annotations

import pytest
import responses
from dhis2_fakes import PASSWORD, TOKEN, URL, USERNAME, Sleeps

from dhis2_mch.dhis2.connection import Connection, RetryPolicy


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def rsps():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def conn(sleeps) -> Connection:
    return Connection(URL, username=USERNAME, password=PASSWORD, sleep=sleeps, retry=RetryPolicy(attempts=4))


@pytest.fixture
def token_conn(sleeps) -> Connection:
    return Connection(URL, token=TOKEN, sleep=sleeps)


@pytest.fixture(autouse=True)
def _no_real_sleep(monkeypatch):
    # any Connection built without sleep= (CLI tests) must not wait either
    monkeypatch.setattr(Connection, "default_sleep", staticmethod(lambda seconds: None))
