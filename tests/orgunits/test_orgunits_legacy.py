"""resolve_legacy: a pre-reform row goes on its legacy unit, never on the new unit reusing its code."""

import pytest

from dhis2_mch.orgunits import LegacyCodeError, refuse_bare, resolve_legacy


@pytest.mark.parametrize(
    ("code", "period", "expected"),
    [
        ("02947", "202405", "PRE2025-X02947"),  # Thị trấn Phố Ràng, not the new Xã Bảo Yên
        ("23053", "2024", "PRE2025-X23053"),  # old Hòa Thắng (Bình Thuận), not new Hòa Thắng (Lâm Đồng)
        ("15", "2024S1", "PRE2025-P15"),  # province 15 was Yên Bái until 30 June 2025
        ("10", "2024S1", "PRE2025-P10"),  # old Lào Cai
        ("087", "2025Q2", "PRE2025-D087"),  # Huyện Bảo Yên, a district: there are none after the reform
    ],
)
def test_pre_reform_codes_go_to_their_legacy_unit(code, period, expected):
    assert resolve_legacy(code, period) == expected


@pytest.mark.parametrize("period", ["202507", "2025Q3", "2025S2", "2026", "20250701"])
def test_post_reform_rows_keep_their_code(period):
    assert resolve_legacy("02947", period) == "02947"
    assert resolve_legacy("15", period) == "15"


def test_legacy_codes_uids_and_unparsable_periods_pass_through():
    assert resolve_legacy("PRE2025-X02947", "202601") == "PRE2025-X02947"
    assert resolve_legacy("NOxsLohXZEy", "202401") == "NOxsLohXZEy"
    assert resolve_legacy("02947", "June 2024") == "02947"  # the push's period check reports it
    with pytest.raises(LegacyCodeError, match="no pre-reform unit has this legacy code"):
        resolve_legacy("PRE2025-X99999", "202401")


def test_a_period_spanning_the_reform_is_refused():
    with pytest.raises(LegacyCodeError, match="spans the reform of 1 July 2025"):
        resolve_legacy("02947", "2025")


def test_a_code_no_unit_had_before_the_reform_is_refused_with_what_it_is_now():
    with pytest.raises(LegacyCodeError, match="no administrative unit had code 99999 before 1 July 2025"):
        resolve_legacy("99999", "202401")
    with pytest.raises(LegacyCodeError, match="no administrative unit had code 03 before"):
        resolve_legacy("03", "202401")
    with pytest.raises(LegacyCodeError, match="since 1 July 2025, 11948 is Đặc khu Bạch Long Vĩ"):
        resolve_legacy("11948", "202401")  # a code first given in 2025


def test_a_code_that_lost_its_leading_zero_gets_the_pre_reform_units_it_may_be():
    with pytest.raises(LegacyCodeError, match=r"did you mean `02947` \(Thị trấn Phố Ràng, PRE2025-X02947\)\?"):
        resolve_legacy("2947", "202405")
    with pytest.raises(LegacyCodeError) as refused:
        refuse_bare("1", "2024")  # commune 00001, district 001 or province 01: all three existed
    assert "`00001`, which was Phường Phúc Xá (PRE2025-X00001) then" in str(refused.value)
    assert "`01`, which was Thành phố Hà Nội (PRE2025-P01) then and is Thành phố Hà Nội now" in str(refused.value)
    with pytest.raises(LegacyCodeError) as kept:
        resolve_legacy("03", "202401")  # written with its zero: nothing was lost, nothing to suggest
    assert "did you mean" not in str(kept.value)
