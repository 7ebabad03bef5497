"""The hierarchy built from the official register: counts, codes, names, dates, UIDs, legacy branch."""

import json

from click.testing import CliRunner

from dhis2_mch.cli import cli
from dhis2_mch.model.uid import derive_uid, is_valid_uid
from dhis2_mch.orgunits import source
from dhis2_mch.orgunits.build import build
from dhis2_mch.orgunits.hierarchy import CLOSED, OPENING, station_name


def by_code(result):
    return {u.code: u for u in result.units}


def test_lam_dong_and_lao_cai_have_exactly_the_official_communes():
    result = build(["68", "15"], with_legacy=False)
    assert result.counts()["communes"] == {"68": 124, "15": 99}
    units = by_code(result)
    assert units["23053"].name == "Xã Hòa Thắng" and units["23023"].name == "Xã Sông Lũy"
    assert units["02947"].name == "Xã Bảo Yên" and units["02809"].name == "Xã Si Ma Cai"
    assert units["68"].name == "Tỉnh Lâm Đồng" and units["15"].name == "Tỉnh Lào Cai"
    kinds = {u.name.split(" ")[0] for c, u in units.items() if len(c) == 5 and u.parent.id == units["68"].id}
    assert kinds == {"Xã", "Phường", "Đặc"}  # 103 xã, 20 phường, 1 đặc khu
    assert len(result.units) == 1 + 2 + 124 + 99


def test_units_are_dhis2_valid_with_deterministic_uids_and_reform_dates():
    result = build(["68"], with_legacy=False)
    for unit in result.units:
        assert unit.id == derive_uid("organisationUnit", unit.code) and is_valid_uid(unit.id)
        assert 0 < len(unit.shortName) <= 50 and len(unit.name) <= 230 and len(unit.code) <= 50
    units = by_code(result)
    assert units["23053"].openingDate == OPENING == "2025-07-01T00:00:00.000"
    assert units["23053"].parent.id == units["68"].id and units["68"].parent.id == units["VN"].id
    assert units["VN"].parent is None
    assert build(["68"], with_legacy=False).payload() == result.payload()  # same input, same objects


def test_province_codes_are_checked_and_padded():
    assert build(["8"], with_legacy=False).provinces == ["08"]
    result = CliRunner().invoke(cli, ["orgunits", "build", "--province", "10", "--out", "x.json"])
    assert result.exit_code == 2 and "10: not a province code of 1 July 2025" in result.output
    assert "Traceback" not in result.output


def test_legacy_branch_has_the_predecessor_provinces_closed_with_prefixed_codes():
    result = build(["68", "15"])
    assert result.old_provinces == ["10", "15", "60", "67", "68"]  # Lào Cai, Yên Bái, Bình Thuận, Đắk Nông, Lâm Đồng
    units = by_code(result)
    yen_bai, old_lao_cai = units["PRE2025-P15"], units["PRE2025-P10"]
    assert yen_bai.name == "Tỉnh Yên Bái (cũ)" and old_lao_cai.name == "Tỉnh Lào Cai (cũ)"
    assert units["15"].name == "Tỉnh Lào Cai" and units["15"].closedDate is None  # new 15 is not Yên Bái
    pho_rang = units["PRE2025-X02947"]
    assert pho_rang.name == "Thị trấn Phố Ràng (cũ)" and pho_rang.closedDate == CLOSED == "2025-06-30T00:00:00.000"
    assert pho_rang.parent.id == units["PRE2025-D087"].id  # Huyện Bảo Yên
    assert units["PRE2025-D087"].parent.id == old_lao_cai.id
    assert units["PRE2025"].parent.id == units["VN"].id and units["PRE2025"].closedDate == CLOSED
    # old Lào Cai: 9 district-level units (the article's "9/9 districts") and 151 communes
    districts = [u for c, u in units.items() if c.startswith("PRE2025-D") and u.parent.id == old_lao_cai.id]
    assert len(districts) == 9
    district_ids = {d.id for d in districts}
    assert sum(1 for c, u in units.items() if c.startswith("PRE2025-X") and u.parent.id in district_ids) == 151
    new_codes = {c for c in units if c.isdigit() or c == "VN"}
    assert not {c for c in units if c.startswith("PRE2025")} & new_codes
    assert len({u.id for u in result.units}) == len(result.units)


def test_mapping_flags_merges_and_splits():
    rows = {(r["old_code"], r["new_code"]): r for r in build(["68"]).mapping}
    # new Sông Lũy = old Sông Lũy + Phan Tiến + Bình Tân (all of Bắc Bình)
    into_song_luy = {old for (old, new) in rows if new == "23023"}
    assert {rows[(o, "23023")]["old_name"] for o in into_song_luy} == {
        "Xã Sông Lũy", "Xã Phan Tiến", "Xã Bình Tân"
    }  # fmt: skip
    assert all(rows[(o, "23023")]["merged"] == "true" for o in into_song_luy)
    # old Hòa Thắng divided between new Hòa Thắng (most of it) and new Hồng Thái
    hoa_thang = {new: r for (old, new), r in rows.items() if old == "23053"}
    assert set(hoa_thang) == {"23053", "23041"}
    assert hoa_thang["23053"]["divided"] == "true" and hoa_thang["23053"]["default"] == "true"
    assert hoa_thang["23041"]["default"] == "false" and hoa_thang["23041"]["new_name"] == "Xã Hồng Thái"
    assert hoa_thang["23053"]["legacy_code"] == "PRE2025-X23053"
    assert hoa_thang["23053"]["old_province"] == "Tỉnh Bình Thuận"


def test_national_register_figures():
    assert len(source.current().provinces) == 34 and len(source.current().communes) == 3321
    old = source.legacy()
    assert (len(old.provinces), len(old.districts), len(old.communes)) == (63, 696, 10035)
    assert len({s.old for s in source.successors() if s.divided}) == 471  # old units split nationally
    assert source.source_version() == source.PINNED_VERSION


def test_stations_are_optional_children_of_their_commune():
    units = by_code(build(["68"], with_legacy=False, stations=True))
    station = units["TYT-23053"]
    assert station.name == "Trạm Y tế xã Hòa Thắng" and station.parent.id == units["23053"].id
    assert station_name(source.current().communes["22918"]) == "Trạm Y tế phường Mũi Né"


def test_cli_build_writes_metadata_and_mapping(tmp_path):
    out, mapping = tmp_path / "ou.json", tmp_path / "map.csv"
    args = ["orgunits", "build", "--province", "68", "--out", str(out), "--mapping", str(mapping), "--format", "json"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["counts"]["communes"] == {"68": 124}
    assert [p["code"] for p in report["legacy_provinces"]] == ["60", "67", "68"]
    units = json.loads(out.read_text(encoding="utf-8"))["organisationUnits"]
    assert len(units) == report["counts"]["units"]
    assert any(u["code"] == "23053" and u["name"] == "Xã Hòa Thắng" for u in units)
    header = mapping.read_text(encoding="utf-8-sig").splitlines()[0]
    assert header.startswith("old_code,legacy_code,old_name")
