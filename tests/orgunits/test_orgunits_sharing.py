"""Sharing in the authoring format: blocks on objects, rules in metadata/access/, and their errors."""

from dhis2_mch.model.uid import derive_uid
from dhis2_mch.project import Project

BASE = """
userGroups:
  - code: UG_ENTRY
    name: {en: Data entry, vi: Nhập liệu}
  - code: UG_ADMIN
    name: {en: Admins, vi: Quản trị}
dataSets:
  - code: DS_A
    name: {en: A, vi: A}
    shortName: {en: A, vi: A}
    periodType: Monthly
  - code: DS_B
    name: {en: B, vi: B}
    shortName: {en: B, vi: B}
    periodType: Monthly
    sharing: {public: r-------, userGroups: {UG_ADMIN: rw------}}
"""


def compiled(tmp_path, access: str):
    (tmp_path / "base.yaml").write_text(BASE, encoding="utf-8")
    (tmp_path / "access.yaml").write_text(access, encoding="utf-8")
    return Project.load(tmp_path).compile((2, 40))


def test_rules_give_blocks_by_code_and_merge_with_an_objects_own_block(tmp_path):
    result = compiled(
        tmp_path,
        """
sharing:
  - objects: {dataSets: [DS_A, DS_B]}
    public: r-------
    userGroups: {UG_ENTRY: r-rw----, UG_ADMIN: r-r-----}
""",
    )
    assert result.errors == []
    ds = {d.code: d.sharing for d in result.metadata.of("dataSets")}
    entry, admin = derive_uid("userGroup", "UG_ENTRY"), derive_uid("userGroup", "UG_ADMIN")
    assert ds["DS_A"] == {"public": "r-------", "external": False, "userGroups": {
        entry: {"id": entry, "access": "r-rw----"}, admin: {"id": admin, "access": "r-r-----"}}}  # fmt: skip
    # DS_B's own rw------ and the rule's r-r----- for the admins: the union of the two
    assert ds["DS_B"]["userGroups"][admin] == {"id": admin, "access": "rwr-----"}
    assert ds["DS_B"]["userGroups"][entry]["access"] == "r-rw----"
    payload = result.payload()
    assert "publicAccess" not in payload["dataSets"][0]  # the block only: no legacy properties


def test_errors_name_the_file_and_what_is_wrong(tmp_path):
    result = compiled(
        tmp_path,
        """
sharing:
  - objects: {dataSets: [DS_A, DS_MISSING]}
    public: rwx-----
    userGroups: {UG_NOBODY: r-rw----}
  - objects: {dataSets: [DS_B]}
    public: r-r-----
""",
    )
    messages = [e.as_text() for e in result.errors]
    assert any("DS_MISSING" in m and "access.yaml:3" in m for m in messages), messages
    assert any("`rwx-----` is not a DHIS2 access string" in m for m in messages), messages
    assert any("UG_NOBODY" in m and "E5002" in m for m in messages), messages
    assert any("different public access (r------- and r-r-----)" in m for m in messages), messages


def test_the_programmes_package_shares_its_forms_with_the_programme_groups():
    result = Project.load(None).compile((2, 40))
    assert result.errors == []
    groups = {g.code: g.id for g in result.metadata.of("userGroups")}
    assert {"MCH_UG_EMT_COMMUNE", "MCH_UG_EMT_PROVINCE", "MCH_UG_F1000_COMMUNE", "MCH_UG_F1000_PROVINCE"} <= set(groups)
    ds = {d.code: d.sharing for d in result.metadata.of("dataSets")}
    assert ds["EMT_MONTHLY"]["public"] == "r-------"  # no data access for anyone else
    assert ds["EMT_MONTHLY"]["userGroups"][groups["MCH_UG_EMT_COMMUNE"]]["access"] == "r-rw----"
    assert groups["MCH_UG_EMT_COMMUNE"] not in ds["F1000_MONTHLY"]["userGroups"]
    programs = {p.code: p.sharing for p in result.metadata.of("programs")}
    assert programs["EMT_PRACTICE_SESSION"]["userGroups"][groups["MCH_UG_EMT_COMMUNE"]]["access"] == "r-rw----"
    options = [o for o in result.metadata.of("categoryOptions")]
    assert options and all(o.sharing and o.sharing["public"] == "r-rw----" for o in options)
