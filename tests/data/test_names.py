"""Organisation unit names as provinces write them, matched within one province only."""

import unicodedata

import pytest

from dhis2_mch.data.names import NameIndex, Unit, name_key

LAM_DONG, LAO_CAI, KHANH_HOA, CAN_THO = "68", "15", "56", "92"
INDEX = NameIndex(
    [
        Unit("23053", "Xã Hòa Thắng", LAM_DONG),
        Unit("23023", "Xã Sông Lũy", LAM_DONG),
        Unit("23041", "Xã Hồng Thái", LAM_DONG),
        Unit("23230", "Đặc khu Phú Quý", LAM_DONG),
        Unit("22591", "Phường Hòa Thắng", KHANH_HOA),
        Unit("02809", "Xã Si Ma Cai", LAO_CAI),
        Unit("02947", "Xã Bảo Yên", LAO_CAI),
        Unit("31001", "Xã Xà Phiên", CAN_THO),
        Unit("31002", "Phường Xà Phiên", CAN_THO),
        Unit("31003", "Phường Tân An", CAN_THO),
        Unit("31004", "Xã Tân An", CAN_THO),
    ]
)


@pytest.mark.parametrize(
    "text",
    [
        "Xã Hòa Thắng",
        "xã hòa thắng",
        "XÃ HÒA THẮNG",
        "  Xã   Hòa  Thắng ",
        unicodedata.normalize("NFD", "Xã Hòa Thắng"),  # as a Mac writes it
        "Hoà Thắng",  # the old tone placement
        "Hòa Thắng",
        "xa Hoa Thang",
        "Xa hoa thang",
        "X. Hòa Thắng",
        "hoa thang",
    ],
)
def test_one_commune_however_it_is_written(text):
    found = INDEX.match(text, LAM_DONG)
    assert found.status == "exact" and found.unit is not None and found.unit.code == "23053", found
    assert found.certain
    assert "write its code `23053`" in found.hint()


@pytest.mark.parametrize(
    ("text", "code"),
    [("Đặc khu Phú Quý", "23230"), ("dac khu Phu Quy", "23230"), ("ĐK Phú Quý", "23230"), ("Phú Quý", "23230"),
     ("Thị trấn Si Ma Cai", None), ("Si Ma Cai", "02809"), ("BẢO YÊN", "02947")],
)  # fmt: skip
def test_prefixes(text, code):
    province = LAO_CAI if "Si Ma" in text or "BẢO" in text else LAM_DONG
    found = INDEX.match(text, province)
    assert (found.unit.code if found.unit else None) == code


def test_a_prefix_that_contradicts_is_not_a_match():
    found = INDEX.match("Phường Hòa Thắng", LAM_DONG)  # Lâm Đồng's is a xã; the phường is in Khánh Hòa
    assert found.status == "unknown"
    assert found.candidates[0].code == "23053"
    assert [u.code for u in found.elsewhere] == ["22591"]


def test_the_same_name_in_another_province_never_matches():
    found = INDEX.match("Hòa Thắng", LAO_CAI)
    assert found.status == "unknown" and found.unit is None
    assert {u.code for u in found.elsewhere} == {"23053", "22591"}
    assert "are in other provinces" in found.hint()
    assert INDEX.match("Hòa Thắng", KHANH_HOA).unit == Unit("22591", "Phường Hòa Thắng", KHANH_HOA)


def test_a_name_shared_by_a_xa_and_a_phuong_is_ambiguous_without_its_prefix():
    found = INDEX.match("Tân An", CAN_THO)
    assert found.status == "ambiguous"
    assert [u.code for u in found.candidates] == ["31003", "31004"]
    assert "could be" in found.hint()
    assert INDEX.match("P. Tân An", CAN_THO).unit.code == "31003"
    assert INDEX.match("xa tan an", CAN_THO).unit.code == "31004"


def test_a_word_that_only_looks_like_a_prefix_stays_in_the_name():
    assert INDEX.match("Xã Xà Phiên", CAN_THO).unit.code == "31001"
    assert INDEX.match("Xà Phiên", CAN_THO).status == "ambiguous"  # Xà is part of the name, not "Xã"
    assert INDEX.match("Xa Phien", CAN_THO).status == "ambiguous"


def test_other_diacritics_match_but_are_not_certain():
    found = INDEX.match("Sông Lủy", LAM_DONG)  # hỏi written for ngã
    assert found.status == "exact" and found.unit.code == "23023" and not found.certain


def test_unknown_names_suggest_the_closest_in_the_province():
    found = INDEX.match("Simacai", LAO_CAI)
    assert found.status == "unknown" and [u.code for u in found.candidates] == ["02809"]
    assert "closest: Xã Si Ma Cai (02809)" in found.hint()
    assert INDEX.match("", LAO_CAI).status == "unknown"


def test_keys():
    assert name_key("Phường 01").words == name_key("phường 1").words
    assert name_key("Thị trấn Phố Ràng").prefix == "thị trấn"
    assert name_key("Xà Phiên").prefix is None
