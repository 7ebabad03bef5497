"""DHIS2 periods as the sandbox parses them: ISO strings, period types, future periods (ISO calendar).

From dhis2-core:
- ``calendar/DateUnitType``: one pattern per period type, matched whole (``DateUnitType.find`` uses
  ``matcher.matches()``): ``yyyyMMdd`` and ``yyyy-MM-dd``; ``yyyyWn`` (n one or two digits) and the
  ``Wed``/``Thu``/``Sat``/``Sun`` weeks; ``yyyyBiWn``; ``yyyyMM`` and ``yyyy-MM``; ``yyyyMMB``; ``yyyyQn``;
  ``yyyyNovQn``; ``yyyySn``; ``yyyyAprilSn``; ``yyyyNovSn``; ``yyyy``; ``yyyyApril``/``July``/``Oct``/``Nov``;
  ``yyyySep`` only from 2.42 (``FINANCIAL_SEPTEMBER`` is absent from the 2.38–2.41 enum);
- ``PeriodType.getFrequencyOrder`` (1, 7, 14, 30, 61, 91, 182, 365) for "highest frequency first";
- ``PeriodType.getFuturePeriod(n)``: the current period, rewound one, then moved ``n`` forward, so 0 open
  future periods closes the current period too;
- ``Period.isAfter``: starts after the other ends.

Weeks are ISO weeks shifted to the type's first weekday: week 1 holds 4 January.
unverified: the calendar year of ``NovQn``/``NovSn`` (named here after the year they end in).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

# month-based period type -> (first month, months)
MONTHS = {
    "Monthly": (1, 1), "BiMonthly": (1, 2), "Quarterly": (1, 3), "QuarterlyNov": (11, 3),
    "SixMonthly": (1, 6), "SixMonthlyApril": (4, 6), "SixMonthlyNov": (11, 6), "Yearly": (1, 12),
    "FinancialApril": (4, 12), "FinancialJuly": (7, 12), "FinancialSep": (9, 12),
    "FinancialOct": (10, 12), "FinancialNov": (11, 12),
}  # fmt: skip
# weekly type -> (first weekday, Monday = 0; ISO infix)
WEEKS = {"Weekly": (0, ""), "WeeklyWednesday": (2, "Wed"), "WeeklyThursday": (3, "Thu"),
         "WeeklySaturday": (5, "Sat"), "WeeklySunday": (6, "Sun")}  # fmt: skip
FREQUENCY = {"Daily": 1, **dict.fromkeys(WEEKS, 7), "BiWeekly": 14}
FREQUENCY |= {t: {1: 30, 2: 61, 3: 91, 6: 182, 12: 365}[n] for t, (_, n) in MONTHS.items()}

_FINANCIAL = {"April": "FinancialApril", "July": "FinancialJuly", "Sep": "FinancialSep",
              "Oct": "FinancialOct", "Nov": "FinancialNov"}  # fmt: skip
_WEEK_INFIX = {v[1]: k for k, v in WEEKS.items()}

# DateUnitType patterns, in the enum's order (the first whole match wins)
_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("Daily", re.compile(r"(\d{4})(\d{2})(\d{2})")),
    ("Daily", re.compile(r"(\d{4})-(\d{2})-(\d{2})")),
    ("Weekly", re.compile(r"(\d{4})(|Wed|Thu|Sat|Sun)W(\d\d?)")),
    ("BiWeekly", re.compile(r"(\d{4})BiW(\d\d?)")),
    ("Monthly", re.compile(r"(\d{4})-?(\d{2})")),
    ("BiMonthly", re.compile(r"(\d{4})(\d{2})B")),
    ("Quarterly", re.compile(r"(\d{4})(|Nov)Q(\d)")),
    ("SixMonthly", re.compile(r"(\d{4})(|April|Nov)S(\d)")),
    ("Yearly", re.compile(r"(\d{4})")),
    ("Financial", re.compile(r"(\d{4})(April|July|Sep|Oct|Nov)")),
)


@dataclass(frozen=True)
class Period:
    type: str
    start: date
    end: date

    @property
    def iso(self) -> str:
        return iso_of(self.type, self.start)

    def is_after(self, other: Period) -> bool:
        return self.start > other.end


def _shift_month(year: int, month: int, n: int) -> tuple[int, int]:
    total = year * 12 + month - 1 + n
    return total // 12, total % 12 + 1


def _months(ptype: str, year: int, month: int) -> Period:
    y, m = _shift_month(year, month, MONTHS[ptype][1])
    return Period(ptype, date(year, month, 1), date(y, m, 1) - timedelta(days=1))


def _week1(year: int, weekday: int) -> date:
    jan4 = date(year, 1, 4)
    return jan4 - timedelta(days=(jan4.weekday() - weekday) % 7)


def _weeks(year: int, weekday: int) -> int:
    return (_week1(year + 1, weekday) - _week1(year, weekday)).days // 7


def parse(text: str | None, minor: int) -> Period | None:
    """PeriodType.getPeriodFromIsoString for DHIS2 2.``minor``: the period, or None (E7611)."""
    if not text:
        return None
    for kind, pattern in _PATTERNS:
        m = pattern.fullmatch(text)
        if m:
            try:
                return _build(kind, m.groups(), minor)
            except ValueError:  # 20240230, month 13 ...
                return None
    return None


def _build(kind: str, g: tuple[str, ...], minor: int) -> Period | None:
    year = int(g[0])
    if kind == "Daily":
        d = date(year, int(g[1]), int(g[2]))
        return Period("Daily", d, d)
    if kind == "Weekly":
        ptype, n = _WEEK_INFIX[g[1]], int(g[2])
        weekday = WEEKS[ptype][0]
        if not 1 <= n <= _weeks(year, weekday):
            return None
        start = _week1(year, weekday) + timedelta(weeks=n - 1)
        return Period(ptype, start, start + timedelta(days=6))
    if kind == "BiWeekly":
        n = int(g[1])
        if not 1 <= n <= (_weeks(year, 0) + 1) // 2:
            return None
        start = _week1(year, 0) + timedelta(weeks=2 * (n - 1))
        return Period("BiWeekly", start, start + timedelta(days=13))
    if kind == "Monthly":
        return _months("Monthly", year, int(g[1]))  # ValueError for month 13 -> None
    if kind == "BiMonthly":
        n = int(g[1])
        return _months("BiMonthly", year, 2 * n - 1) if 1 <= n <= 6 else None
    if kind == "Quarterly":
        n = int(g[2])
        if not 1 <= n <= 4:
            return None
        if g[1] == "Nov":
            return _months("QuarterlyNov", *_shift_month(year - 1, 11, 3 * (n - 1)))
        return _months("Quarterly", year, 3 * n - 2)
    if kind == "SixMonthly":
        n = int(g[2])
        if n not in (1, 2):
            return None
        if g[1] == "April":
            return _months("SixMonthlyApril", *_shift_month(year, 4, 6 * (n - 1)))
        if g[1] == "Nov":
            return _months("SixMonthlyNov", *_shift_month(year - 1, 11, 6 * (n - 1)))
        return _months("SixMonthly", year, 6 * n - 5)
    if kind == "Yearly":
        return _months("Yearly", year, 1)
    ptype = _FINANCIAL[g[1]]
    if ptype == "FinancialSep" and minor < 42:
        return None
    return _months(ptype, year, MONTHS[ptype][0])


def iso_of(ptype: str, start: date) -> str:
    """The ISO string of the period of ``ptype`` starting on ``start`` (PeriodType.getIsoDate)."""
    y, m = start.year, start.month
    if ptype == "Daily":
        return start.strftime("%Y%m%d")
    if ptype in WEEKS or ptype == "BiWeekly":
        weekday, infix = WEEKS.get(ptype, (0, "Bi"))
        week_year = (start + timedelta(days=3)).year
        week = (start - _week1(week_year, weekday)).days // 7 + 1
        return f"{week_year}BiW{(week + 1) // 2}" if ptype == "BiWeekly" else f"{week_year}{infix}W{week}"
    simple = {"Monthly": f"{y}{m:02d}", "BiMonthly": f"{y}{(m + 1) // 2:02d}B", "Quarterly": f"{y}Q{(m + 2) // 3}",
              "SixMonthly": f"{y}S{1 if m <= 6 else 2}", "Yearly": str(y)}  # fmt: skip
    if ptype in simple:
        return simple[ptype]
    if ptype == "QuarterlyNov":
        return f"{_shift_month(y, m, 2)[0]}NovQ{((m - 11) % 12) // 3 + 1}"
    if ptype == "SixMonthlyApril":
        return f"{y if m >= 4 else y - 1}AprilS{1 if m == 4 else 2}"
    if ptype == "SixMonthlyNov":
        return f"{_shift_month(y, m, 5)[0]}NovS{1 if m == 11 else 2}"
    return f"{y}{next(k for k, v in _FINANCIAL.items() if v == ptype)}"


def containing(ptype: str, day: date) -> Period:
    """PeriodType.createPeriod(date): the period of ``ptype`` holding ``day``."""
    if ptype == "Daily":
        return Period("Daily", day, day)
    if ptype in WEEKS:
        start = day - timedelta(days=(day.weekday() - WEEKS[ptype][0]) % 7)
        return Period(ptype, start, start + timedelta(days=6))
    if ptype == "BiWeekly":
        monday = day - timedelta(days=day.weekday())
        week = (monday - _week1((monday + timedelta(days=3)).year, 0)).days // 7 + 1
        start = monday - timedelta(weeks=0 if week % 2 else 1)
        return Period("BiWeekly", start, start + timedelta(days=13))
    first, length = MONTHS[ptype]
    total = day.year * 12 + day.month - 1
    start_total = total - (total - (first - 1)) % length
    return _months(ptype, start_total // 12, start_total % 12 + 1)


def shifted(period: Period, n: int) -> Period:
    """PeriodType.getNextPeriod(period, n) (negative n: previous periods)."""
    if period.type in MONTHS:
        return _months(period.type, *_shift_month(period.start.year, period.start.month, n * MONTHS[period.type][1]))
    days = {"Daily": 1, "BiWeekly": 14}.get(period.type, 7)
    start = period.start + timedelta(days=n * days)
    return Period(period.type, start, start + timedelta(days=days - 1))


def future_period(ptype: str, open_future_periods: int, today: date) -> Period:
    """PeriodType.getFuturePeriod: rewind one from the current period, then ``n`` forward."""
    return shifted(containing(ptype, today), open_future_periods - 1)
