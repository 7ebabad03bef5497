"""The 1 July 2025 reform reused codes: a bare code of an earlier period is refused unless the push is told
which unit it means (``--pre-reform``: the unit of that time; ``--current-units``: today's)."""

import csv

import requests
from push_helpers import HEADER, de, push, stored

from dhis2_mch.model.uid import derive_uid

MEALS = "F1000_MEAL_DEMO_SESSIONS"  # monthly
ROWS = HEADER + (
    f"02947,202405,{MEALS},default,7,May 2024: Thị trấn Phố Ràng\n"
    f"02947,202512,{MEALS},default,8,December 2025: Xã Bảo Yên\n"
    f"15,202405,{MEALS},default,5,May 2024: Yên Bái\n"
    f"15,202512,{MEALS},default,6,December 2025: Lào Cai\n"
)


def uid(code):
    return derive_uid("organisationUnit", code)


def _legacy_units(sb):
    """The two pre-reform units the rows need, as ``orgunits build`` names them (the seed has PRE2025-P10)."""
    units = [{"id": uid(c), "code": c, "name": n, "shortName": n, "openingDate": "2000-01-01T00:00:00.000",
              "closedDate": "2025-06-30T00:00:00.000", "parent": {"id": uid("PRE2025")}}
             for c, n in (("PRE2025-P15", "Tỉnh Yên Bái (cũ)"),
                          ("PRE2025-X02947", "Thị trấn Phố Ràng (cũ)"))]  # fmt: skip
    answer = requests.post(f"{sb.url}/api/metadata", json={"organisationUnits": units},
                           auth=(sb.username, sb.password), timeout=30)  # fmt: skip
    assert answer.ok, answer.text


def placed(sb):
    """(value, org unit UID) of every value the server holds for the test's data element."""
    return {(value, ou) for (d, _, ou, _), value in stored(sb).items() if d == de(MEALS)}


def test_bare_codes_of_pre_reform_periods_are_refused_unless_told_which_unit(server, tmp_path):
    _legacy_units(server)
    path = tmp_path / "reform.csv"
    path.write_text(ROWS, encoding="utf-8")
    rejected_dir = tmp_path / "rejected"

    result, _ = push(server, path, "--rejected-dir", str(rejected_dir))
    assert result.exit_code == 1
    assert placed(server) == set()  # nothing sent
    with next(rejected_dir.glob("*.csv")).open(encoding="utf-8-sig") as f:
        reasons = {(r["orgUnit"], r["period"]): r.get("reason") or r.get("error") or "" for r in csv.DictReader(f)}
    refused = reasons[("02947", "202405")]
    assert "period 202405 is before the 1 July 2025 reform: code 02947 was Thị trấn Phố Ràng (PRE2025-X02947)" \
        " then and is Xã Bảo Yên now" in refused
    assert "--pre-reform" in refused and "--current-units" in refused
    assert "code 15 was Tỉnh Yên Bái (PRE2025-P15) then and is Tỉnh Lào Cai now" in reasons[("15", "202405")]
    assert "reform" not in reasons[("02947", "202512")]  # held back, not refused: after the reform

    result, _ = push(server, path, "--partial", "--rejected-dir", str(rejected_dir))
    assert result.exit_code == 1
    assert placed(server) == {("8", uid("02947")), ("6", uid("15"))}  # rows after the reform untouched

    result, _ = push(server, path, "--pre-reform", "--rejected-dir", str(rejected_dir))
    assert result.exit_code == 0, result.output
    assert placed(server) == {("7", uid("PRE2025-X02947")), ("8", uid("02947")), ("5", uid("PRE2025-P15")),
                              ("6", uid("15"))}  # fmt: skip

    result, _ = push(server, path, "--current-units", "--rejected-dir", str(rejected_dir))
    assert result.exit_code == 0, result.output
    assert {("7", uid("02947")), ("5", uid("15"))} <= placed(server)  # today's units, deliberately

    both, _ = push(server, path, "--pre-reform", "--current-units")
    assert both.exit_code == 2 and "contradict" in both.output


def test_explicit_pre_reform_codes_need_no_option(server, tmp_path):
    path = tmp_path / "seed.csv"
    path.write_text(HEADER + "PRE2025-P10,2024S1,F1000_MODELS_DEVELOPING,default,12,old Lào Cai\n", encoding="utf-8")
    result, _ = push(server, path)
    assert result.exit_code == 0, result.output
    assert {ou for (_, _, ou, _) in stored(server)} == {uid("PRE2025-P10")}
