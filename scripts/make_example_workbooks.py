"""Write the example workbooks of config/examples/ from their mappings (run from the project folder).

    .venv/bin/python scripts/make_example_workbooks.py

The figures are invented but consistent (sessions with parenting ≤ EPI sessions, practised ≤ attended,
underweight ≤ weighed ...), seeded, so the files are reproducible. Zero counts of data elements whose
zero is not significant are left blank, as stations do (DHIS2 would not store them anyway); zeros
that matter (sessions held, malnutrition cases) are written.
"""

from __future__ import annotations

import random
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font

from dhis2_mch.data.mapping import Mapping, load_mapping

ROOT = Path(__file__).resolve().parents[1]
ZERO_MATTERS = {"EMT_EPI_SESSIONS", "EMT_EPI_SESSIONS_PARENTING", "EMT_PRACTICE_SESSIONS", "EMT_HW_ACTIVE",
                "EMT_SUPERVISION_VISITS", "F1000_COUNSELLING_SESSIONS", "F1000_MEAL_DEMO_SESSIONS",
                "F1000_SUPPORT_GROUP_SESSIONS", "F1000_U2_UNDERWEIGHT", "F1000_U2_STUNTED", "F1000_U2_WASTED",
                "F1000_INF_EBF"}  # fmt: skip


def emt_row(rng: random.Random, month: int, minority: float) -> dict[tuple[str, str], int]:
    epi = rng.randint(4, 8)
    with_parenting = rng.randint(max(1, epi - 3), epi)
    practice = with_parenting + rng.randint(0, with_parenting)
    v: dict[tuple[str, str], int] = {
        ("EMT_EPI_SESSIONS", "default"): epi,
        ("EMT_EPI_SESSIONS_PARENTING", "default"): with_parenting,
        ("EMT_PRACTICE_SESSIONS", "default"): practice,
        ("EMT_CHILDREN_VACCINATED", "MCH_AGE_0_11M"): rng.randint(35, 80),
        ("EMT_CHILDREN_VACCINATED", "MCH_AGE_12_23M"): rng.randint(12, 30),
        ("EMT_CHILDREN_VACCINATED", "P24M--P60M"): rng.randint(3, 14),
    }
    attended = 0
    for cg, share in (("MCH_CG_MOTHER", 7), ("MCH_CG_FATHER", 1), ("MCH_CG_GRANDPARENT", 2), ("MCH_CG_OTHER", 0.3)):
        for eth, part in (("MCH_ETH_KINH", 1 - minority), ("MCH_ETH_MINORITY", minority)):
            n = round(practice * share * part * rng.uniform(0.6, 1.2))
            v[("EMT_CAREGIVERS_ATTENDED", f"{cg}+{eth}")] = n
            attended += n
    v[("EMT_CAREGIVERS_PRACTISED", "default")] = round(attended * rng.uniform(0.5, 0.8))
    v[("EMT_CAREGIVERS_FEEDBACK", "default")] = round(attended * rng.uniform(0.3, 0.6))
    for topic in rng.sample(range(1, 13), k=min(practice, 3)):
        v[("EMT_TOPIC_SESSIONS", f"EMT_TOPIC_{topic:02d}")] = rng.randint(1, max(1, practice // 2))
    if month == 11:  # the training course ended in the first month of the rollout
        v[("EMT_HW_TRAINED", "F")] = rng.randint(2, 4)
        v[("EMT_HW_TRAINED", "M")] = rng.randint(0, 1)
    v[("EMT_HW_ACTIVE", "default")] = rng.randint(3, 5)
    v[("EMT_SUPERVISION_VISITS", "default")] = 1 if month in (11, 1) else 0
    return v


def f1000_row(rng: random.Random) -> dict[tuple[str, str], int]:
    v: dict[tuple[str, str], int] = {}
    for ben in ("MCH_BEN_PREGNANT", "MCH_BEN_CAREGIVER_U2"):
        v[("F1000_PERSONS_COUNSELLED", f"{ben}+MCH_MODE_INDIVIDUAL")] = rng.randint(3, 15)
        v[("F1000_PERSONS_COUNSELLED", f"{ben}+MCH_MODE_GROUP")] = rng.randint(5, 25)
    for setting in ("MCH_SETTING_CHS", "MCH_SETTING_VILLAGE"):
        v[("F1000_COUNSELLING_SESSIONS", f"{setting}+MCH_MODE_INDIVIDUAL")] = rng.randint(2, 12)
        v[("F1000_COUNSELLING_SESSIONS", f"{setting}+MCH_MODE_GROUP")] = rng.randint(0, 3)
    demos = rng.randint(0, 2)
    v[("F1000_MEAL_DEMO_SESSIONS", "default")] = demos
    for part, hi in (("MCH_BEN_PREGNANT", 6), ("MCH_BEN_CAREGIVER_U2", 12), ("MCH_PART_CHILD_U2", 8),
                     ("MCH_PART_OTHER", 3)):  # fmt: skip
        v[("F1000_MEAL_DEMO_PARTICIPANTS", part)] = demos * rng.randint(1, hi)
    groups = rng.randint(0, 2)
    v[("F1000_SUPPORT_GROUP_SESSIONS", "default")] = groups
    for ben, hi in (("MCH_BEN_PREGNANT", 5), ("MCH_BEN_CAREGIVER_U2", 10)):
        v[("F1000_SUPPORT_GROUP_PARTICIPANTS", ben)] = groups * rng.randint(2, hi)
    for rnd in (1, 2, 3):
        v[("F1000_PW_ASSESSED", f"MCH_ROUND_{rnd}")] = rng.randint(1, 8)
    for age, lo, hi in (("P0M--P6M", 4, 15), ("P6M--P24M", 15, 45)):
        for sex in ("F", "M"):
            weighed = rng.randint(lo, hi)
            coc = f"{age}+{sex}"
            v[("F1000_U2_WEIGHED", coc)] = weighed
            v[("F1000_U2_MEASURED", coc)] = weighed - rng.randint(0, 2)
            v[("F1000_U2_UNDERWEIGHT", coc)] = rng.randint(0, weighed // 6)
            v[("F1000_U2_STUNTED", coc)] = rng.randint(0, weighed // 4)
            v[("F1000_U2_WASTED", coc)] = rng.randint(0, weighed // 12)
    for sex in ("F", "M"):
        assessed = rng.randint(3, 12)
        v[("F1000_INF_FEEDING_ASSESSED", sex)] = assessed
        v[("F1000_INF_EBF", sex)] = rng.randint(0, assessed)
    v[("F1000_MN_PREGNANT", "default")] = rng.randint(5, 20)
    v[("F1000_MN_LACTATING", "default")] = rng.randint(3, 15)
    v[("F1000_MN_U2", "default")] = rng.randint(10, 40)
    return v


def write(mapping: Mapping, rows: list[tuple[str, str, dict[tuple[str, str], int], str]], out: Path,
          subtitle: str) -> None:  # fmt: skip
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = str(mapping.sheet)
    ws.cell(row=1, column=1, value=mapping.title).font = Font(bold=True, size=13)
    ws.cell(row=2, column=1, value=subtitle)
    head = ["STT", *mapping.header_names]
    for i, name in enumerate(head, start=1):
        ws.cell(row=mapping.header_row, column=i, value=name).font = Font(bold=True)
    for n, (unit, period, values, note) in enumerate(rows, start=1):
        line = [n, unit, period]
        for v in mapping.values:
            count = values.get((v.data_element, v.category_option_combo))
            keep = count is not None and (count != 0 or v.data_element in ZERO_MATTERS)
            line.append(count if keep else None)
        line.append(note or None)
        for i, value in enumerate(line, start=1):
            ws.cell(row=mapping.header_row + n, column=i, value=value)
    out.parent.mkdir(parents=True, exist_ok=True)
    wb.save(out)


def main() -> None:
    rng = random.Random(2025)
    emt = load_mapping(ROOT / "config/mappings/emt_monthly.yaml")
    rows = []
    for month, year in ((11, 2025), (12, 2025), (1, 2026)):
        for unit, minority in (("Xã Hòa Thắng", 0.15), ("xã Sông Lũy", 0.4)):
            note = "Bắt đầu triển khai EM-THRIVE" if month == 11 else ""
            rows.append((unit, f"Tháng {month}/{year}", emt_row(rng, month, minority), note))
    write(emt, rows, ROOT / "config/examples/emt_monthly_lam_dong.xlsx", "Tỉnh Lâm Đồng - Trạm y tế xã")
    f1000 = load_mapping(ROOT / "config/mappings/f1000_monthly.yaml")
    rows = []
    for month in (7, 8, 9):
        for unit in ("Si Ma Cai", "Bát Xát", "Mường Khương", "Bảo Yên"):
            rows.append((unit, f"{month:02d}/2025", f1000_row(rng), ""))
    write(f1000, rows, ROOT / "config/examples/f1000_monthly_lao_cai.xlsx", "Tỉnh Lào Cai - quý III/2025")


if __name__ == "__main__":
    main()
