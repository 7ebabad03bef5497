"""Adoption rules without a server: the server's units as DHIS2 returns them (id, code, name, parent)."""

from dhis2_mch.orgunits.adopt import adopt, comparable
from dhis2_mch.orgunits.build import build
from dhis2_mch.orgunits.hierarchy import uid


def owner_copies(server):
    def read(uids):
        opened = "2020-01-01T00:00:00.000"
        return {s["id"]: {**s, "openingDate": opened, "path": "/x"} for s in server if s["id"] in uids}

    return read


def units_68(with_legacy=False):
    return build(["68"], with_legacy=with_legacy).units


def test_names_compare_without_kind_case_tone_placement_or_legacy_suffix():
    assert comparable("Tỉnh Lâm Đồng") == comparable("lâm đồng") == comparable("Lâm  Đồng")
    assert comparable("Xã Hoà Thắng") == comparable("Hòa Thắng") == comparable("Xã Hòa Thắng (cũ)")
    assert comparable("Thành phố Hồ Chí Minh") == comparable("Hồ Chí Minh")
    assert comparable("Xã Hòa Thắng") != comparable("Xã Hồng Thái")


def test_a_sole_root_of_another_name_is_adopted_and_keeps_its_code():
    server = [{"id": "MohRoot0001", "code": "MOH", "name": "Bộ Y tế"}]
    units, report = adopt(units_68(), server, owner_copies(server))
    assert [(a.code, a.by, a.server_id) for a in report.adopted] == [("VN", "sole root", "MohRoot0001")]
    root = next(u for u in units if u.id == "MohRoot0001")
    assert root.code == "MOH" and root.name == "Bộ Y tế"  # the instance's root stays as it is
    province = next(u for u in units if u.code == "68")
    assert province.parent.id == "MohRoot0001"  # children point at the adopted root
    assert not hasattr(root, "path") or root.path is None  # computed by DHIS2, never sent back


def test_names_match_only_under_the_same_parent():
    server = [
        {"id": "RootVN00001", "code": "VN", "name": "Việt Nam"},
        {"id": "KhanhHoa001", "name": "Khánh Hòa", "parent": {"id": "RootVN00001"}},
        # Phường Hòa Thắng (Khánh Hòa) must never be taken for Xã Hòa Thắng (Lâm Đồng)
        {"id": "HoaThangKH1", "name": "Phường Hòa Thắng", "parent": {"id": "KhanhHoa001"}},
        {"id": "LamDong0001", "name": "Lâm Đồng", "parent": {"id": "RootVN00001"}},
    ]
    units, report = adopt(units_68(), server, owner_copies(server))
    assert {(a.code, a.server_id, a.by) for a in report.adopted} == {("VN", "RootVN00001", "code"),
                                                                     ("68", "LamDong0001", "name")}  # fmt: skip
    hoa_thang = next(u for u in units if u.code == "23053")
    assert hoa_thang.id == uid("23053") and hoa_thang.parent.id == "LamDong0001"
    lam_dong = next(u for u in units if u.code == "68")
    assert lam_dong.id == "LamDong0001" and lam_dong.name == "Lâm Đồng" and lam_dong.openingDate.startswith("2020")


def test_two_units_of_one_name_or_a_unit_with_another_code_are_reported_not_guessed():
    server = [
        {"id": "RootVN00001", "code": "VN", "name": "Việt Nam"},
        {"id": "LamDongA001", "name": "Lâm Đồng", "parent": {"id": "RootVN00001"}},
        {"id": "LamDongB001", "name": "Tỉnh Lâm Đồng", "parent": {"id": "RootVN00001"}},
    ]
    _, report = adopt(units_68(), server, owner_copies(server))
    assert [r.code for r in report.refused] == ["68"] and "several" not in report.refused[0].reason
    assert "LamDongA001" in report.refused[0].reason and "LamDongB001" in report.refused[0].reason
    server = [{"id": "RootVN00001", "code": "VN", "name": "Việt Nam"},
              {"id": "LamDongA001", "code": "LD", "name": "Lâm Đồng", "parent": {"id": "RootVN00001"}}]  # fmt: skip
    _, report = adopt(units_68(), server, owner_copies(server))
    assert [r.code for r in report.refused] == ["68"] and "code LD" in report.refused[0].reason


def test_legacy_units_are_never_adopted_by_name():
    server = [
        {"id": "RootVN00001", "code": "VN", "name": "Việt Nam"},
        {"id": "LegacyBox01", "name": "Đơn vị hành chính trước 1/7/2025", "parent": {"id": "RootVN00001"}},
    ]
    _, report = adopt(units_68(with_legacy=True), server, owner_copies(server))
    assert [a.code for a in report.adopted] == ["VN"]
