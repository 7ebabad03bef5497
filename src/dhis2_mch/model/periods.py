"""DHIS2 ISO periods as pure functions: parse, format, current period, shift.

The formats are those of dhis2-core ``org.hisp.dhis.calendar.DateUnitType``:
``20240131`` / ``2024-01-31`` daily, ``2024W5`` and ``2024WedW5``/``ThuW``/``SatW``/``SunW`` weekly,
``2024BiW3``, ``202401`` / ``2024-01`` monthly, ``202401B`` bi-monthly, ``2024Q1``, ``2024NovQ1``,
``2024S1``, ``2024AprilS1``, ``2024NovS1``, ``2024`` yearly and ``2024April``/``July``/``Oct``/``Nov``
financial years (``2024Sep`` from 2.42). Only the ISO 8601 calendar is modelled.

Weeks follow ISO 8601 shifted to the week's first day: week 1 is the week holding 4 January.
unverified: which calendar year the ``Nov`` six-monthly and quarterly periods are named after; the
sandbox names them after the year they end in (``2024NovS1`` = Nov 2023 – Apr 2024).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

# type -> (first month, length in months) for the month-based types
MONTH_TYPES = {
    "Monthly": (1, 1),
    "BiMonthly": (1, 2),
    "Quarterly": (1, 3),
    "QuarterlyNov": (11, 3),
    "SixMonthly": (1, 6),
    "SixMonthlyApril": (4, 6),
    "SixMonthlyNov": (11, 6),
    "Yearly": (1, 12),
    "FinancialApril": (4, 12),
    "FinancialJuly": (7, 12),
    "FinancialSep": (9, 12),
    "FinancialOct": (10, 12),
    "FinancialNov": (11, 12),
}
# weekly type -> (weekday of its first day, Monday=0; ISO prefix)
WEEK_TYPES = {
    "Weekly": (0, ""),
    "WeeklyWednesday": (2, "Wed"),
    "WeeklyThursday": (3, "Thu"),
    "WeeklySaturday": (5, "Sat"),
    "WeeklySunday": (6, "Sun"),
}
FREQUENCY_ORDER = {
    "Daily": 1,
    **dict.fromkeys(WEEK_TYPES, 7),
    "BiWeekly": 14,
    "Monthly": 30,
    "BiMonthly": 61,
    "Quarterly": 91,
    "QuarterlyNov": 91,
    "SixMonthly": 182,
    "SixMonthlyApril": 182,
    "SixMonthlyNov": 182,
    **dict.fromkeys(("Yearly", "FinancialApril", "FinancialJuly", "FinancialSep", "FinancialOct", "FinancialNov"), 365),
}
_FINANCIAL = {
    "April": "FinancialApril",
    "July": "FinancialJuly",
    "Sep": "FinancialSep",
    "Oct": "FinancialOct",
    "Nov": "FinancialNov",
}


@dataclass(frozen=True)
class Period:
    type: str
    start: date
    end: date

    @property
    def iso(self) -> str:
        return format_period(self.type, self.start)

    def is_after(self, other: Period) -> bool:
        """DHIS2 ``Period.isAfter``: this period starts after the other one ends."""
        return self.start > other.end


def _add_months(year: int, month: int, n: int) -> tuple[int, int]:
    total = year * 12 + (month - 1) + n
    return total // 12, total % 12 + 1


def _month_end(year: int, month: int, length: int) -> date:
    y, m = _add_months(year, month, length)
    return date(y, m, 1) - timedelta(days=1)


def _week_one(year: int, first_weekday: int) -> date:
    """First day of week 1: the week (starting on ``first_weekday``) that holds 4 January."""
    jan4 = date(year, 1, 4)
    return jan4 - timedelta(days=(jan4.weekday() - first_weekday) % 7)


def _weeks_in_year(year: int, first_weekday: int) -> int:
    return (_week_one(year + 1, first_weekday) - _week_one(year, first_weekday)).days // 7


def _month_period(ptype: str, year: int, month: int) -> Period:
    length = MONTH_TYPES[ptype][1]
    return Period(ptype, date(year, month, 1), _month_end(year, month, length))


def _week_period(ptype: str, year: int, week: int) -> Period | None:
    first_weekday = WEEK_TYPES[ptype][0]
    if not 1 <= week <= _weeks_in_year(year, first_weekday):
        return None
    start = _week_one(year, first_weekday) + timedelta(weeks=week - 1)
    return Period(ptype, start, start + timedelta(days=6))


_PATTERNS: list[tuple[re.Pattern, str]] = [
    (re.compile(r"^(\d{4})-?(\d{2})-?(\d{2})$"), "Daily"),
    (re.compile(r"^(\d{4})(Wed|Thu|Sat|Sun)?W(\d{1,2})$"), "Weekly"),
    (re.compile(r"^(\d{4})BiW(\d{1,2})$"), "BiWeekly"),
    (re.compile(r"^(\d{4})-?(\d{2})$"), "Monthly"),
    (re.compile(r"^(\d{4})(\d{2})B$"), "BiMonthly"),
    (re.compile(r"^(\d{4})(Nov)?Q(\d)$"), "Quarterly"),
    (re.compile(r"^(\d{4})(April|Nov)?S(\d)$"), "SixMonthly"),
    (re.compile(r"^(\d{4})$"), "Yearly"),
    (re.compile(r"^(\d{4})(April|July|Sep|Oct|Nov)$"), "Financial"),
]


def parse_period(text: str | None, *, financial_sep: bool = True) -> Period | None:
    """The period an ISO string names, or None when DHIS2 would not accept it (E7611).

    ``financial_sep=False`` refuses ``2024Sep`` as DHIS2 before 2.42 does. Remembered per text (Period is
    frozen): a push asks again for every distinct org unit of a period.
    """
    if not text:
        return None
    return _parse_period(text, financial_sep)


@lru_cache(maxsize=4096)
def _parse_period(text: str, financial_sep: bool) -> Period | None:
    text = text.strip()
    for pattern, kind in _PATTERNS:
        m = pattern.match(text)
        if m:
            try:
                return _build(kind, m.groups(), financial_sep)
            except ValueError:
                return None
    return None


def _build(kind: str, g: tuple, financial_sep: bool) -> Period | None:
    year = int(g[0])
    if kind == "Daily":
        d = date(year, int(g[1]), int(g[2]))
        return Period("Daily", d, d)
    if kind == "Weekly":
        ptype = {
            None: "Weekly",
            "Wed": "WeeklyWednesday",
            "Thu": "WeeklyThursday",
            "Sat": "WeeklySaturday",
            "Sun": "WeeklySunday",
        }[g[1]]
        return _week_period(ptype, year, int(g[2]))
    if kind == "BiWeekly":
        n = int(g[1])
        if not 1 <= n <= (_weeks_in_year(year, 0) + 1) // 2:
            return None
        start = _week_one(year, 0) + timedelta(weeks=2 * (n - 1))
        return Period("BiWeekly", start, start + timedelta(days=13))
    if kind == "Monthly":
        month = int(g[1])
        return _month_period("Monthly", year, month) if 1 <= month <= 12 else None
    if kind == "BiMonthly":
        n = int(g[1])
        return _month_period("BiMonthly", year, 2 * n - 1) if 1 <= n <= 6 else None
    if kind == "Quarterly":
        n = int(g[2])
        if not 1 <= n <= 4:
            return None
        if g[1] == "Nov":  # Q1 = Nov of the year before .. Jan
            y, m = _add_months(year - 1, 11, 3 * (n - 1))
            return _month_period("QuarterlyNov", y, m)
        return _month_period("Quarterly", year, 3 * n - 2)
    if kind == "SixMonthly":
        n = int(g[2])
        if n not in (1, 2):
            return None
        if g[1] == "April":
            y, m = _add_months(year, 4, 6 * (n - 1))
            return _month_period("SixMonthlyApril", y, m)
        if g[1] == "Nov":
            y, m = _add_months(year - 1, 11, 6 * (n - 1))
            return _month_period("SixMonthlyNov", y, m)
        return _month_period("SixMonthly", year, 6 * n - 5)
    if kind == "Yearly":
        return _month_period("Yearly", year, 1)
    ptype = _FINANCIAL[g[1]]
    if ptype == "FinancialSep" and not financial_sep:
        return None
    return _month_period(ptype, year, MONTH_TYPES[ptype][0])


def format_period(ptype: str, start: date) -> str:
    """The canonical ISO string of the period of type ``ptype`` that starts on ``start``."""
    y, m = start.year, start.month
    if ptype == "Daily":
        return start.strftime("%Y%m%d")
    if ptype in WEEK_TYPES:
        first_weekday, prefix = WEEK_TYPES[ptype]
        week_year = (start + timedelta(days=3)).year
        week = (start - _week_one(week_year, first_weekday)).days // 7 + 1
        return f"{week_year}{prefix}W{week}"
    if ptype == "BiWeekly":
        week_year = (start + timedelta(days=3)).year
        week = (start - _week_one(week_year, 0)).days // 7 + 1
        return f"{week_year}BiW{(week + 1) // 2}"
    if ptype == "Monthly":
        return f"{y}{m:02d}"
    if ptype == "BiMonthly":
        return f"{y}{(m + 1) // 2:02d}B"
    if ptype == "Quarterly":
        return f"{y}Q{(m + 2) // 3}"
    if ptype == "QuarterlyNov":
        end_y, _ = _add_months(y, m, 2)
        return f"{end_y}NovQ{((m - 11) % 12) // 3 + 1}"
    if ptype == "SixMonthly":
        return f"{y}S{1 if m <= 6 else 2}"
    if ptype == "SixMonthlyApril":
        return f"{y if m >= 4 else y - 1}AprilS{1 if m == 4 else 2}"
    if ptype == "SixMonthlyNov":
        end_y, _ = _add_months(y, m, 5)
        return f"{end_y}NovS{1 if m == 11 else 2}"
    if ptype == "Yearly":
        return str(y)
    suffix = {v: k for k, v in _FINANCIAL.items()}[ptype]
    return f"{y}{suffix}"


def period_of(ptype: str, day: date) -> Period:
    """The period of type ``ptype`` that contains ``day``."""
    if ptype == "Daily":
        return Period("Daily", day, day)
    if ptype in WEEK_TYPES:
        first_weekday = WEEK_TYPES[ptype][0]
        start = day - timedelta(days=(day.weekday() - first_weekday) % 7)
        return Period(ptype, start, start + timedelta(days=6))
    if ptype == "BiWeekly":
        monday = day - timedelta(days=day.weekday())
        week_year = (monday + timedelta(days=3)).year
        week = (monday - _week_one(week_year, 0)).days // 7 + 1
        start = monday - timedelta(weeks=0 if week % 2 else 1)
        return Period("BiWeekly", start, start + timedelta(days=13))
    first, length = MONTH_TYPES[ptype]
    total = day.year * 12 + day.month - 1
    start_total = total - (total - (first - 1)) % length
    return _month_period(ptype, start_total // 12, start_total % 12 + 1)


def shift(period: Period, n: int) -> Period:
    """The period ``n`` periods after (negative: before) ``period``, of the same type."""
    if period.type in MONTH_TYPES:
        y, m = _add_months(period.start.year, period.start.month, n * MONTH_TYPES[period.type][1])
        return _month_period(period.type, y, m)
    days = {"Daily": 1, "BiWeekly": 14}.get(period.type, 7)
    start = period.start + timedelta(days=n * days)
    return Period(period.type, start, start + timedelta(days=days - 1))


def latest_open_future_period(ptype: str, open_future_periods: int, today: date) -> Period:
    """DataElement/DataSet.getLatestOpenFuturePeriod: the period before the current one, plus N.

    0 open future periods therefore locks the current period too (the code comment says so).
    """
    return shift(period_of(ptype, today), open_future_periods - 1)
