"""Indicator numerator and denominator descriptions are shown to users in the data dictionary and
the analytics apps, so they carry translations like names do (DHIS2's NUMERATOR_DESCRIPTION and
DENOMINATOR_DESCRIPTION translation properties)."""

import textwrap

from dhis2_mch.package import load

FILES = """
    indicatorTypes:
      - {code: T_PCT, name: {en: Percent, vi: Phần trăm}, factor: 100}
    dataElements:
      - code: T_A
        name: {en: A, vi: A}
        shortName: {en: A, vi: A}
    indicators:
      - code: T_IND
        name: {en: Ind, vi: Chỉ số}
        shortName: {en: Ind, vi: Chỉ số}
        indicatorType: T_PCT
        numerator: "#{T_A}"
        numeratorDescription: {en: Children weighed, vi: Trẻ được cân}
        denominator: "1"
        denominatorDescription: {en: One, vi: Một}
"""


def test_numerator_and_denominator_descriptions_take_vietnamese(tmp_path):
    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "a.yaml").write_text(textwrap.dedent(FILES), encoding="utf-8")
    md, findings = load(tmp_path / "m")
    assert findings == []
    ind = md.of("indicators")[0]
    assert ind.numeratorDescription == "Children weighed"
    got = {(t.property, t.value) for t in ind.translations if t.locale == "vi"}
    assert ("NUMERATOR_DESCRIPTION", "Trẻ được cân") in got
    assert ("DENOMINATOR_DESCRIPTION", "Một") in got
