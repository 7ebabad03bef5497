"""Sync gets push's safety for the 1 July 2025 reform: a source's 2024 row keyed by a bare code is refused
(with the reason) unless the source says ``before_reform: pre-reform`` or ``current``."""

from __future__ import annotations

import json
from pathlib import Path

import requests

from dhis2_mch.model.uid import derive_uid
from sync.conftest import ROOT, sync
from sync.test_sync_e2e import on_server

MAPPING = """dataSet: F1000_MONTHLY
layout: wide
orgUnit: {column: Mã xã, by: code}
period: {column: Tháng}
values:
  - {column: Số buổi thực hành dinh dưỡng, dataElement: F1000_MEAL_DEMO_SESSIONS}
"""
ROWS = "Mã xã,Tháng,Số buổi thực hành dinh dưỡng\n02947,05/2024,7\n02947,12/2025,8\n"


def project(folder: Path, **source) -> Path:
    (folder / "inbox").mkdir(parents=True)
    (folder / "inbox" / "bao-yen.csv").write_text(ROWS, encoding="utf-8")
    (folder / "mapping.yaml").write_text(MAPPING, encoding="utf-8")
    config = {"ledger": str(folder / "ledger.sqlite"), "log": str(folder / "runs.jsonl"),
              "metadata": str(ROOT / "metadata"),
              "sources": [{"name": "bao-yen", "files": str(folder / "inbox" / "*.csv"),
                           "mapping": str(folder / "mapping.yaml"), **source}]}  # fmt: skip
    path = folder / "sync.yaml"
    path.write_text(json.dumps(config, ensure_ascii=False), encoding="utf-8")
    return path


def meals(sb) -> dict[tuple[str, str], str]:
    return {(pe, ou): v for (de, pe, ou, _), v in on_server(sb).items() if de == "F1000_MEAL_DEMO_SESSIONS"}


def test_sync_refuses_a_bare_code_of_a_pre_reform_period_unless_the_source_chooses(server, tmp_path):
    result, report = sync(server, project(tmp_path / "refuse"))
    assert result.exit_code != 0
    assert meals(server) == {("202512", "02947"): "8"}  # the December 2025 row is untouched
    [problem] = report["sources"][0]["problems"]
    assert problem["row"] == 2 and problem["column"] == "orgUnit"
    assert "code 02947 was Thị trấn Phố Ràng (PRE2025-X02947) then and is Xã Bảo Yên now" in problem["reason"]
    assert "before_reform: pre-reform" in problem["reason"]

    result, _ = sync(server, project(tmp_path / "current", before_reform="current"))
    assert result.exit_code == 0, result.output
    assert meals(server)[("202405", "02947")] == "7"  # today's unit, deliberately

    unit = {"id": derive_uid("organisationUnit", "PRE2025-X02947"), "code": "PRE2025-X02947",
            "name": "Thị trấn Phố Ràng (cũ)", "shortName": "Thị trấn Phố Ràng (cũ)",
            "openingDate": "2000-01-01T00:00:00.000", "closedDate": "2025-06-30T00:00:00.000",
            "parent": {"id": derive_uid("organisationUnit", "PRE2025")}}  # fmt: skip
    answer = requests.post(f"{server.url}/api/metadata", json={"organisationUnits": [unit]},
                           auth=(server.username, server.password), timeout=30)  # fmt: skip
    assert answer.ok, answer.text
    result, _ = sync(server, project(tmp_path / "pre", before_reform="pre-reform"))
    assert result.exit_code == 0, result.output
    assert meals(server)[("202405", "PRE2025-X02947")] == "7"
