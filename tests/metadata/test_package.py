"""The programmes' package in metadata/: what a reviewer, a deployer and a health worker rely on."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from dhis2_mch.cli import cli
from dhis2_mch.model.translations import translation_property
from dhis2_mch.model.types import BY_PLURAL, DEFAULT_LENGTHS
from dhis2_mch.model.uid import derive_uid
from dhis2_mch.package import load
from dhis2_mch.validate import validate

ROOT = Path(__file__).resolve().parents[2]
METADATA = ROOT / "metadata"
PREFIXES = ("EMT_", "F1000_", "MCH_")
NAME_PREFIXES = ("EMT - ", "F1000 - ", "MCH - ")
#: types whose names carry the programme prefix, like WHO's "NUT - " (dimensions stay plain: "Female", "Sex")
PREFIXED_NAMES = ("dataElements", "indicators", "programIndicators", "dataSets", "programs", "programStages",
                  "optionSets", "organisationUnitGroups", "organisationUnitGroupSets", "indicatorGroups")  # fmt: skip


@pytest.fixture(scope="module")
def md():
    md, findings = load(METADATA)
    assert findings == []
    return md


def is_whos(mtype, obj) -> bool:
    """An object reused from the WHO packages: its UID is pinned to WHO's, not derived from its code."""
    return mtype.name not in ("option", "categoryOptionCombo") and obj.id != derive_uid(mtype.name, obj.code)


def vi(obj, prop: str) -> str | None:
    wanted = translation_property(prop)
    return next((t.value for t in obj.translations or [] if t.locale == "vi" and t.property == wanted), None)


@pytest.mark.parametrize("version", [(2, 38), (2, 39), (2, 40), (2, 41), (2, 42)])
def test_validates_with_no_errors_and_no_warnings_on_every_supported_version(md, version):
    assert [f.as_text() for f in validate(md, version=version)] == []
    assert md.count() > 300


def test_builds_without_warnings_and_two_builds_are_byte_identical(tmp_path):
    runner = CliRunner()
    outs = [tmp_path / "a.json", tmp_path / "b.json"]
    for out in outs:
        result = runner.invoke(cli, ["build", "--metadata", str(METADATA), "--out", str(out), "--format", "json"])
        assert result.exit_code == 0, result.output
        assert json.loads(result.output)["warnings"] == 0
    assert outs[0].read_bytes() == outs[1].read_bytes()


def test_every_translatable_text_has_vietnamese(md):
    total, missing = 0, []
    for mtype, obj in md.items():
        for prop in obj.TRANSLATABLE:
            if isinstance(getattr(obj, prop, None), str):
                total += 1
                text = vi(obj, prop)
                if not text or not text.strip():
                    missing.append(f"{mtype.name} {obj.code or obj.id}.{prop}")
    assert missing == []
    assert total > 500  # names, short names, form names and descriptions of ~320 objects


def test_vietnamese_is_written_with_diacritics(md):
    """A machine-stripped 'So buoi tiem chung' would pass a presence check; real Vietnamese has marks."""
    marked = re.compile(r"[àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ]", re.I)
    for de in md.of("dataElements"):
        for prop in ("name", "description"):
            assert marked.search(vi(de, prop)), f"{de.code}.{prop}: {vi(de, prop)}"


def test_codes_are_upper_case_prefixed_and_short(md):
    for mtype, obj in md.items():
        if mtype.name in ("option", "categoryOptionCombo"):
            continue  # option codes are unique within their set; option combos have no code
        assert obj.code == obj.code.upper() or is_whos(mtype, obj), obj.code
        assert obj.code.startswith(PREFIXES) or is_whos(mtype, obj), obj.code
        assert len(obj.code) <= 50, obj.code


def test_lengths_hold_in_both_languages(md):
    for mtype, obj in md.items():
        for prop, limit in DEFAULT_LENGTHS.items():
            if prop == "code":
                continue
            for text in (getattr(obj, prop, None), vi(obj, prop) if prop in obj.TRANSLATABLE else None):
                if isinstance(text, str):
                    assert len(text) <= limit, f"{mtype.name} {obj.code}.{prop} ({len(text)}): {text}"


def test_names_and_short_names_are_unique_per_type_in_both_languages(md):
    for plural, objs in md.objects.items():
        if plural in ("options", "categoryOptionCombos", "sections", "programStages"):
            continue
        for prop in ("name", "shortName"):
            for lang in ("en", "vi"):
                values = [getattr(o, prop, None) if lang == "en" else vi(o, prop) for o in objs]
                dupes = [v for v, n in Counter(v for v in values if v).items() if n > 1]
                assert dupes == [], f"{plural}.{prop} ({lang}): {dupes}"


def test_programme_objects_are_named_like_who_packages(md):
    for plural in PREFIXED_NAMES:
        for obj in md.of(plural):
            if is_whos(BY_PLURAL[plural], obj):
                continue  # WHO's own object, named as WHO names it ("NUT - ...")
            assert obj.name.startswith(NAME_PREFIXES), obj.name
            assert vi(obj, "name").startswith(NAME_PREFIXES), vi(obj, "name")


def test_every_data_element_says_what_to_count_and_sits_in_one_place(md):
    in_sets = Counter(e.dataElement.id for ds in md.of("dataSets") for e in ds.dataSetElements)
    in_stages = Counter(p.dataElement.id for st in md.of("programStages") for p in st.programStageDataElements)
    for de in md.of("dataElements"):
        assert de.formName and vi(de, "formName"), de.code
        if de.domainType == "AGGREGATE":
            # WHO's reused elements keep WHO's English; the Vietnamese says what to count
            assert len(de.description) >= 100 or is_whos(BY_PLURAL["dataElements"], de), de.code
            assert len(vi(de, "description")) >= 100, de.code
            # one data set per element: a pusher can always name the data set of a value
            assert in_sets[de.id] == 1 and in_stages[de.id] == 0, de.code
        else:
            assert de.domainType == "TRACKER" and in_stages[de.id] >= 1 and in_sets[de.id] == 0, de.code


def test_counting_semantics_that_analytics_depend_on(md):
    de = {d.code: d for d in md.of("dataElements")}
    # a month with no session is a real zero, and so is 0 underweight children
    for code in ("EMT_EPI_SESSIONS", "EMT_PRACTICE_SESSIONS", "EMT_SUPERVISION_VISITS", "F1000_MEAL_DEMO_SESSIONS",
                 "F1000_SUPPORT_GROUP_SESSIONS", "F1000_COUNSELLING_SESSIONS", "F1000_U2_UNDERWEIGHT"):  # fmt: skip
        assert de[code].zeroIsSignificant is True, code
    # stocks and running totals are never summed over periods, nor carried forward into periods without
    # a report (LAST looks back years; the former-district pair would read 9/9 for ever)
    stocks = [d.code for d in md.of("dataElements") if d.aggregationType and d.aggregationType.startswith("LAST")]
    assert len(stocks) >= 11
    for code in stocks:
        assert de[code].aggregationType == "LAST_IN_PERIOD", code
    for code in ("EMT_HW_ACTIVE", "F1000_MODELS_OPERATING", "F1000_DISTRICTS_COUNSELLING",
                 "F1000_CUM_PERSONS_COUNSELLED"):  # fmt: skip
        assert de[code].aggregationType == "LAST_IN_PERIOD", code
    for code in ("F1000_POP_U2", "F1000_POP_PREGNANCIES"):
        assert de[code].aggregationType == "AVERAGE_SUM_ORG_UNIT", code
    periods = {ds.code: ds.periodType for ds in md.of("dataSets")}
    assert periods == {"EMT_MONTHLY": "Monthly", "F1000_MONTHLY": "Monthly", "F1000_POPULATION": "Yearly",
                       "F1000_SUMMARY": "SixMonthly"}  # fmt: skip
    # every value type is known to DHIS2 2.38 (no MULTI_TEXT), so the package deploys on all versions
    assert "MULTI_TEXT" not in {d.valueType for d in md.of("dataElements")}


def test_underweight_uses_the_official_formula(md):
    ind = {i.code: i for i in md.of("indicators")}
    de = {d.code: d.id for d in md.of("dataElements")}
    types = {t.id: t for t in md.of("indicatorTypes")}
    under = ind["F1000_IND_UNDERWEIGHT"]
    assert (under.numerator, under.denominator) == (
        f"#{{{de['F1000_U2_UNDERWEIGHT']}}}",
        f"#{{{de['F1000_U2_WEIGHED']}}}",
    )
    assert types[under.indicatorType.id].factor == 100
    assert ind["F1000_IND_REGION3_COVERAGE"].denominator.startswith("OUG{")


def test_emt_topics_are_honestly_unnamed(md):
    topics = [o for o in md.of("categoryOptions") if o.code.startswith("EMT_TOPIC_")]
    assert len(topics) == 12
    assert all("not published" in o.description for o in topics)


def test_the_authoring_guide_only_uses_codes_the_package_has(md):
    """metadata/README.md is copied from: its examples must name real objects (REVIEW 5.11 found five that did not)."""
    codes = {obj.code for _, obj in md.items() if obj.code}
    text = (METADATA / "README.md").read_text(encoding="utf-8")
    used = set(re.findall(r"\b(?:EMT|F1000|MCH)_[A-Z0-9_]*[A-Z0-9]\b", text))
    assert len(used) >= 10
    assert sorted(used - codes) == []
