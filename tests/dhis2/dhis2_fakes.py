"""Constants and helpers shared by the DHIS2 transport tests (imported by name: tests/dhis2 is on sys.path)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "dhis2"
SAMPLES = SHARED / "samples"
RECORDED = SHARED / "recorded"

URL = "https://dhis2.test"
API = f"{URL}/api"
USERNAME = "hmis_admin"
# distinctive values, so a test can search every output for them
PASSWORD = "Tr0ub4dor&3-horse-battery"
TOKEN = "d2pat_Xq7Lm2Pz9Rt4Vw8Ny3Kb6Hc1Jd5Gf0Se" + "2741852963"


def sample(name: str):
    """A file from ../shared/dhis2/samples by its number prefix (``"02b"``); skips when ../shared is absent."""
    if not SAMPLES.is_dir():
        pytest.skip(f"../shared is not present ({SAMPLES}): real DHIS2 samples unavailable")
    matches = sorted(SAMPLES.glob(f"{name}_*.json"))
    assert matches, f"no sample {name}_*.json in {SAMPLES}"
    return json.loads(matches[0].read_text(encoding="utf-8"))


def recording(name: str) -> Path:
    path = RECORDED / name
    if not path.is_file():
        pytest.skip(f"../shared is not present ({path}): recordings unavailable")
    return path


class Sleeps(list):
    """An injectable sleep that records instead of waiting."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def add_me(rsps, authorities=("ALL",), username=USERNAME):
    rsps.get(
        f"{API}/me",
        json={"id": "xE7jOejl9FI", "username": username, "displayName": "HMIS Admin", "authorities": list(authorities)},
    )


def add_system_info(rsps, version="2.40.4.1"):
    rsps.get(
        f"{API}/system/info",
        json={"version": version, "revision": "abc1234", "systemName": "Hệ thống test", "contextPath": URL},
    )


def assert_no_secret(*texts: object) -> None:
    for text in texts:
        text = str(text)
        assert PASSWORD not in text
        assert TOKEN not in text
        assert TOKEN[6:] not in text  # the token without its prefix
