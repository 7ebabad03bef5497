"""Pure functions of the sandbox: periods, value types, versions, messages, query syntax, tokens, faults."""

from __future__ import annotations

from datetime import date

import pytest

from dhis2_mch.model import values
from dhis2_mch.model.periods import latest_open_future_period, parse_period, period_of, shift
from dhis2_mch.sandbox import auth, query
from dhis2_mch.sandbox.codes import message
from dhis2_mch.sandbox.faults import Faults
from dhis2_mch.sandbox.versions import parse_version
from dhis2_mch.sandbox.webmessage import typed_response


@pytest.mark.parametrize(
    ("text", "ptype", "start", "end", "iso"),
    [
        ("2024-01-31", "Daily", date(2024, 1, 31), date(2024, 1, 31), "20240131"),
        ("2020W53", "Weekly", date(2020, 12, 28), date(2021, 1, 3), "2020W53"),
        ("2024WedW1", "WeeklyWednesday", date(2024, 1, 3), date(2024, 1, 9), "2024WedW1"),
        ("2024BiW1", "BiWeekly", date(2024, 1, 1), date(2024, 1, 14), "2024BiW1"),
        ("2024-02", "Monthly", date(2024, 2, 1), date(2024, 2, 29), "202402"),
        ("202402B", "BiMonthly", date(2024, 3, 1), date(2024, 4, 30), "202402B"),
        ("2024Q3", "Quarterly", date(2024, 7, 1), date(2024, 9, 30), "2024Q3"),
        ("2024S2", "SixMonthly", date(2024, 7, 1), date(2024, 12, 31), "2024S2"),
        ("2024AprilS2", "SixMonthlyApril", date(2024, 10, 1), date(2025, 3, 31), "2024AprilS2"),
        ("2024", "Yearly", date(2024, 1, 1), date(2024, 12, 31), "2024"),
        ("2024July", "FinancialJuly", date(2024, 7, 1), date(2025, 6, 30), "2024July"),
    ],
)
def test_periods_parse_to_dhis2_dates_and_canonical_iso(text, ptype, start, end, iso):
    period = parse_period(text)
    assert (period.type, period.start, period.end, period.iso) == (ptype, start, end, iso)


@pytest.mark.parametrize("text", ["202413", "2021W53", "2024W0", "20240230", "2024Q5", "24", "2024-1", "", None])
def test_invalid_periods_are_refused(text):
    assert parse_period(text) is None


def test_financial_september_exists_only_from_2_42():
    assert parse_period("2024Sep").type == "FinancialSep"
    assert parse_period("2024Sep", financial_sep=False) is None


def test_period_arithmetic_and_open_future_periods():
    assert shift(parse_period("202412"), 1).iso == "202501"
    assert shift(parse_period("2024W52"), 1).iso == "2025W1"
    assert period_of("Quarterly", date(2025, 5, 15)).iso == "2025Q2"
    # DataElement.getLatestOpenFuturePeriod: previous period + N, so 0 locks the current period
    assert latest_open_future_period("Monthly", 0, date(2025, 5, 15)).iso == "202504"
    assert latest_open_future_period("Monthly", 1, date(2025, 5, 15)).iso == "202505"
    assert latest_open_future_period("Monthly", 4, date(2025, 5, 15)).iso == "202508"


@pytest.mark.parametrize(
    ("value", "value_type", "key"),
    [
        ("12", "INTEGER_ZERO_OR_POSITIVE", None),
        ("-1", "INTEGER_ZERO_OR_POSITIVE", "value_not_zero_or_positive_integer"),
        ("01", "INTEGER", "value_not_integer"),
        ("2147483648", "INTEGER", "value_not_integer"),
        ("1.5", "NUMBER", None),
        ("1.", "NUMBER", "value_not_numeric"),
        ("101", "PERCENTAGE", "value_not_percentage"),
        ("2024-02-30", "DATE", "value_not_valid_date"),
        ("true", "TRUE_ONLY", None),
        ("yes", "BOOLEAN", "value_not_bool"),
        ("anything at all", "TEXT", None),
    ],
)
def test_value_type_checks(value, value_type, key):
    assert values.value_error(value, value_type) == key


def test_boolean_spellings_are_normalised_and_zero_detection():
    assert values.normalize_boolean("T", "BOOLEAN") == "true"
    assert values.normalize_boolean("0", "BOOLEAN") == "false"
    assert values.normalize_boolean("0", "TRUE_ONLY") == "0"
    de = {"valueType": "INTEGER", "aggregationType": "SUM"}
    assert values.zero_and_insignificant("0.0", de)
    assert not values.zero_and_insignificant("0", {**de, "zeroIsSignificant": True})
    assert not values.zero_and_insignificant("0", {**de, "aggregationType": "AVERAGE_SUM_ORG_UNIT"})


def test_versions_and_their_response_quirks():
    v238, v242, v2425 = parse_version("2.38"), parse_version("2.42.3"), parse_version("2.42.5")
    assert (v238.full, parse_version("40").full, v242.full) == ("2.38.4.3", "2.40.4.1", "2.42.3")
    assert v238.dotted_messages and not parse_version("2.39").dotted_messages
    assert v242.response_type_suffix_bug and not v2425.response_type_suffix_bug
    assert list(typed_response(parse_version("2.41"), "ImportReport", {"status": "OK"})) == ["responseType", "status"]
    assert typed_response(v242, "ImportReport", {"status": "OK"}) == {
        "status": "OK",
        "responseType": "ImportReportWebMessageResponse",
    }
    assert typed_response(v2425, "ImportReport", {"status": "OK"})["responseType"] == "ImportReport"
    with pytest.raises(ValueError):
        parse_version("2.37")


def test_messages_per_version_follow_error_code_java():
    assert message("E4000", parse_version("2.38"), "shortName") == "Missing required property `shortName`."
    assert message("E4000", parse_version("2.40"), "shortName") == "Missing required property `shortName`"
    # MessageFormat groups thousands, and E4001 has no space before "is"
    assert message("E4001", parse_version("2.40"), "name", 230, 1234) == (
        "Maximum length of property `name`is 230, but given length was 1,234"
    )
    assert message("E7610", parse_version("2.38"), "X") == "Data element not found or not accessible: `X`"


def test_fields_filters_and_paging():
    objs = [{"id": f"id{i}", "name": n, "code": f"C{i}"} for i, n in enumerate(["Bảo Yên", "An", "Cà Mau"])]
    spec = query.parse_fields("id,name~rename(label),ref[id,code],!code,:identifiable")
    assert spec[2] == ("ref", [("id", None), ("code", None)])
    resolve = {"x": {"id": "x", "code": "X", "name": "Ex"}}.get
    out = query.apply_fields({"id": "a", "name": "A", "code": "C", "ref": {"id": "x"}}, spec, resolve)
    assert out == {"id": "a", "label": "A", "ref": {"id": "x", "code": "X"}, "name": "A"}
    assert [o["name"] for o in query.filter_objects(objs, ["name:ilike:an"])] == ["An"]
    assert [o["id"] for o in query.filter_objects(objs, ["id:in:[id0,id2]", "code:eq:C0"], "OR")] == ["id0", "id2"]
    assert query.filter_objects(objs, ["code:!in:[C0,C1]"]) == [objs[2]]
    items, pager = query.page(
        query.order_objects(objs, "name:desc"), paging=True, page_no=2, page_size=2, link=lambda p: f"?page={p}"
    )
    assert [o["name"] for o in items] == ["An"]
    assert pager == {"page": 2, "pageCount": 2, "total": 3, "pageSize": 2, "prevPage": "?page=1"}
    assert query.page(objs, paging=False, page_no=1, page_size=1) == (objs, None)


def test_tokens_carry_a_crc32_checksum_like_dhis2s(shared_dir):
    import json

    sample = json.loads((shared_dir / "dhis2/samples/07_docs2.42_apiToken_create_response.json").read_text())
    assert auth.token_checksum_ok(sample["response"]["key"])
    token = auth.new_token()
    assert token.startswith("d2pat_") and len(token) == 48 and auth.token_checksum_ok(token)
    assert not auth.token_checksum_ok(token[:-1] + str((int(token[-1]) + 1) % 10))
    assert auth.parse_authorization(f"apitoken {token}").kind == "token"
    assert auth.parse_authorization(f"Bearer {token}").kind == "other"


def test_faults_are_bounded_and_deterministic():
    with pytest.raises(ValueError):
        Faults(error_rate=1.5)
    with pytest.raises(ValueError):
        Faults(latency=60)
    a, b = Faults(error_rate=0.3, drop_rate=0.2, seed=7), Faults(error_rate=0.3, drop_rate=0.2, seed=7)
    seq_a = [(f.kind, f.status) for f in (a.next() for _ in range(50))]
    assert seq_a == [(f.kind, f.status) for f in (b.next() for _ in range(50))]
    kinds = {k for k, _ in seq_a}
    assert kinds == {"none", "error", "drop"}
    every = Faults(error_rate=1.0, every=3, status=503)
    assert [every.next().kind for _ in range(6)] == ["none", "none", "error"] * 2
    assert not Faults().active and Faults().next().kind == "none"
