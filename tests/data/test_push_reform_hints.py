"""Hints for rows of periods before the 1 July 2025 reform: a commune written by name is matched among the
units of that time (not today's, which may be another territory with the same name or code), and a
pre-reform code that lost its leading zero in Excel gets "did you mean"."""

import csv

import requests
from push_helpers import HEADER, de, push, stored

from dhis2_mch.model.uid import derive_uid
from dhis2_mch.orgunits.reform_names import ReformNames, is_name

MEALS = "F1000_MEAL_DEMO_SESSIONS"  # monthly
ROWS = HEADER + (
    f"Phố Ràng,202405,{MEALS},default,7,a town then; part of Xã Bảo Yên now\n"
    f"Si Ma Cai,202405,{MEALS},default,9,a district and a town then; a commune now\n"
    f"2947,202405,{MEALS},default,3,02947 typed as a number\n"
    f"Bảo Yên,202512,{MEALS},default,4,after the reform: today's name hint\n"
    f"02947,202512,{MEALS},default,8,after the reform: stored\n"
)


def uid(code):
    return derive_uid("organisationUnit", code)


def placed(sb):
    return {(value, ou) for (d, _, ou, _), value in stored(sb).items() if d == de(MEALS)}


def reasons(rejected_dir):
    with next(rejected_dir.glob("*.csv")).open(encoding="utf-8-sig") as f:
        return {(r["orgUnit"], r["period"]): r["reason"] for r in csv.DictReader(f)}


def test_names_and_zero_less_codes_of_pre_reform_rows_are_refused_with_the_unit_of_that_time(server, tmp_path):
    path = tmp_path / "names.csv"
    path.write_text(ROWS, encoding="utf-8")
    rejected_dir = tmp_path / "rejected"

    result, _ = push(server, path, "--rejected-dir", str(rejected_dir))
    assert result.exit_code == 1
    assert placed(server) == set()
    why = reasons(rejected_dir)
    assert why[("Phố Ràng", "202405")].startswith(
        "period 202405 is before the 1 July 2025 reform and this is a name, not a code: `Phố Ràng` was Thị trấn "
        "Phố Ràng (PRE2025-X02947, Huyện Bảo Yên, Tỉnh Lào Cai) then, now part of Xã Bảo Yên (02947); write the "
        "pre-reform unit's code `PRE2025-X02947`, or its code of that time `02947` and push with --pre-reform"
    )
    assert "write its code `02809`" not in why[("Si Ma Cai", "202405")]  # not today's commune
    assert (
        "`Si Ma Cai` could be Huyện Si Ma Cai (PRE2025-D084, Tỉnh Lào Cai) or Thị trấn Si Ma Cai "
        "(PRE2025-X02809, Huyện Si Ma Cai, Tỉnh Lào Cai) then, and is Xã Si Ma Cai (02809) now"
        in why[("Si Ma Cai", "202405")]
    )
    assert (
        "code 2947 named no unit then and names no unit now; did you mean `02947`, which was Thị trấn Phố "
        "Ràng (PRE2025-X02947) then and is Xã Bảo Yên now? (Excel drops the leading zero" in why[("2947", "202405")]
    )
    assert "write the pre-reform unit's code (PRE2025-X02947)" in why[("2947", "202405")]
    after = why[("Bảo Yên", "202512")]
    assert "write its code `02947`" in after and "reform" not in after  # rows from July 2025: today's units

    result, _ = push(server, path, "--pre-reform", "--partial", "--rejected-dir", str(rejected_dir))
    assert result.exit_code == 1
    assert placed(server) == {("8", uid("02947"))}  # only the coded row after the reform
    why = reasons(rejected_dir)
    assert why[("Phố Ràng", "202405")].endswith("write its code of that time, `02947` (or `PRE2025-X02947`)")
    assert (
        "no administrative unit had code 2947 before 1 July 2025; did you mean `02947` (Thị trấn Phố Ràng, "
        "PRE2025-X02947)?" in why[("2947", "202405")]
    )

    # following the advice puts the value on the town of that time, never on today's Xã Bảo Yên
    _legacy_town(server)
    fixed = tmp_path / "fixed.csv"
    fixed.write_text(HEADER + f"02947,202405,{MEALS},default,7,Phố Ràng\n", encoding="utf-8")
    result, _ = push(server, fixed, "--pre-reform", "--rejected-dir", str(rejected_dir))
    assert result.exit_code == 0, result.output
    assert ("7", uid("PRE2025-X02947")) in placed(server)

    result, _ = push(server, path, "--current-units", "--rejected-dir", str(rejected_dir))
    assert "write its code `02947`" in reasons(rejected_dir)[("Bảo Yên", "202512")]
    assert "reform" not in reasons(rejected_dir)[("Phố Ràng", "202405")]  # deliberately today's units


def _legacy_town(sb):
    """Thị trấn Phố Ràng's legacy unit, as ``orgunits build`` names it (the seed has only PRE2025-P10)."""
    unit = {"id": uid("PRE2025-X02947"), "code": "PRE2025-X02947", "name": "Thị trấn Phố Ràng (cũ)",
            "shortName": "Thị trấn Phố Ràng (cũ)", "openingDate": "2000-01-01T00:00:00.000",
            "closedDate": "2025-06-30T00:00:00.000", "parent": {"id": uid("PRE2025-P10")}}  # fmt: skip
    answer = requests.post(f"{sb.url}/api/metadata", json={"organisationUnits": [unit]},
                           auth=(sb.username, sb.password), timeout=30)  # fmt: skip
    assert answer.ok, answer.text


def test_a_name_is_matched_in_the_provinces_of_the_files_codes_and_said_where_else_it_was():
    lam_dong = ReformNames(lambda: ["23053"], "refuse", "push with --pre-reform")  # Bình Thuận, Đắk Nông, Lâm Đồng
    why = lam_dong.reason("Sông Lũy", "2024S1", spans=False)
    assert (
        "`Sông Lũy` was Xã Sông Lũy (PRE2025-X23023, Huyện Bắc Bình, Tỉnh Bình Thuận) then, now part of "
        "Xã Sông Lũy (23023)" in why
    )
    assert "now divided between Xã Hồng Thái (23041) and Xã Hòa Thắng (23053)" in lam_dong.reason(
        "Hòa Thắng", "2024", spans=False
    )  # the other Hòa Thắngs of the country are not in these provinces
    assert "Thị trấn Phố Ràng (PRE2025-X02947, Huyện Bảo Yên, Tỉnh Lào Cai) elsewhere" in lam_dong.reason(
        "Phố Ràng", "2024", spans=False
    )
    nowhere = ReformNames(None, "refuse", "push with --pre-reform")  # a file of names only: the whole country
    assert "`Hòa Thắng` could be Xã Hòa Thắng (PRE2025-X06460" in nowhere.reason("Hòa Thắng", "2024", spans=False)
    assert "report the months up to June 2025" in nowhere.reason("Phố Ràng", "2025", spans=True)
    today = nowhere.reason("Xã Si Ma Cai", "202405", spans=False)  # today's name written for a 2024 row
    assert (
        "`Xã Si Ma Cai` is Xã Si Ma Cai (02809) since 1 July 2025, formed from Xã Nàn Sán (PRE2025-X02800) and" in today
    )


def test_what_counts_as_a_name():
    assert is_name("Phố Ràng") and is_name("Phường 1") and is_name("Simacai")
    assert not is_name("02947") and not is_name("PRE2025-X02947") and not is_name("pre2025-x02947")
    assert not is_name("TYT-02947") and not is_name("NOxsLohXZEy")  # a station code, a UID


def test_a_name_copied_from_the_legacy_unit_in_dhis2_is_the_unit_of_that_time():
    why = ReformNames(lambda: ["02947"], "pre-reform", "push with --pre-reform").reason(
        "Thị trấn Phố Ràng (cũ)", "2024", spans=False
    )
    assert "was Thị trấn Phố Ràng (PRE2025-X02947, Huyện Bảo Yên, Tỉnh Lào Cai) then" in why
    assert why.endswith("write its code of that time, `02947` (or `PRE2025-X02947`)")
