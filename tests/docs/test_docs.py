"""`dhis2-mch docs`: the data dictionary opens, has a sheet per object type and a row per object."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from dhis2_mch.cli import cli
from dhis2_mch.package import load

ROOT = Path(__file__).resolve().parents[2]
METADATA = ROOT / "metadata"
SHEETS = {
    "Data elements": "dataElements",
    "Category combos": "categoryCombos",
    "Category options": "categoryOptions",
    "Data sets": "dataSets",
    "Indicators": "indicators",
    "Program indicators": "programIndicators",
    "Programs": "programs",
    "Option sets": "optionSets",
    "Org unit groups": "organisationUnitGroups",
}
CODE_TOKEN = re.compile(r"[A-Z0-9_<%-]+g?([.+][A-Z0-9_<%-]+g?)*|event_count")  # WHO codes: NUT_FAC_LB_WGT_<2500g


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    out = tmp_path_factory.mktemp("docs")
    result = CliRunner().invoke(cli, ["docs", "--metadata", str(METADATA), "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out, result.output


@pytest.fixture(scope="module")
def workbook(written):
    return pd.read_excel(written[0] / "data_dictionary.xlsx", sheet_name=None)


@pytest.fixture(scope="module")
def md():
    return load(METADATA)[0]


def test_writes_markdown_and_workbook_and_says_so(written):
    out, output = written
    assert (out / "data_dictionary.md").stat().st_size > 10_000
    assert (out / "data_dictionary.xlsx").stat().st_size > 10_000
    assert "data_dictionary.xlsx" in output and "Data elements" in output


def test_workbook_has_a_sheet_per_type_and_a_row_per_object(workbook, md):
    assert list(workbook) == ["Package", *SHEETS]
    for sheet, plural in SHEETS.items():
        assert len(workbook[sheet]) == len(md.of(plural)) > 0, sheet


def test_english_and_vietnamese_side_by_side(workbook):
    des = workbook["Data elements"]
    for col in ("Name (en)", "Name (vi)", "Description (en)", "Description (vi)"):
        assert des[col].notna().all(), col
    row = des.set_index("Code").loc["F1000_MEAL_DEMO_SESSIONS"]
    assert row["Name (vi)"] == "F1000 - Số buổi thực hành chế biến bữa ăn"
    assert row["Disaggregation (en)"] == "default"
    combos = workbook["Category combos"].set_index("Code")
    assert "Giới tính: Nam, Nữ" in combos.loc["MCH_AGE_U2_SEX", "Categories and options (vi)"]
    assert combos.loc["MCH_AGE_U2_SEX", "Option combos"] == 4


def test_formulas_are_readable_and_carry_no_uids(workbook, md):
    uids = {obj.id for _, obj in md.items()}
    ind = workbook["Indicators"].set_index("Code")
    under = ind.loc["F1000_IND_UNDERWEIGHT"]
    assert under["Numerator (codes)"] == "#{F1000_U2_UNDERWEIGHT}"
    assert under["Numerator (en)"] == "[F1000 - Children under 2 underweight]"
    assert under["Denominator (vi)"] == "[F1000 - Số trẻ dưới 2 tuổi được cân]"
    assert ind.loc["F1000_IND_REGION3_COVERAGE", "Denominator (en)"].startswith("[number of org units in: MCH - Region")
    fathers = ind.loc["EMT_IND_FATHERS", "Numerator (codes)"]
    assert "MCH_CG_FATHER+MCH_ETH_KINH" in fathers
    pis = workbook["Program indicators"].set_index("Code")
    assert pis.loc["F1000_PI_MEAL_DEMOS", "Expression (vi)"] == "[số sự kiện]"
    assert "›" in pis.loc["EMT_PI_MEAN_ENGAGEMENT", "Expression (en)"]
    for sheet in ("Indicators", "Program indicators"):
        for col in [c for c in workbook[sheet].columns if c.startswith(("Numerator", "Denominator", "Expression"))]:
            for text in workbook[sheet][col].dropna().astype(str):
                if col.endswith("(codes)"):  # every reference written as a code, as in the authoring files
                    assert all(CODE_TOKEN.fullmatch(t) for t in re.findall(r"\{([^}]*)\}", text)), text
                elif "description" not in col:
                    assert "{" not in text and not any(uid in text for uid in uids), text


def test_programs_list_their_stages_and_data_elements(workbook):
    programs = workbook["Programs"].set_index("Code")
    stages = programs.loc["EMT_SUPERVISION_VISIT", "Stages and data elements (en)"]
    assert "EMT_SV_ENGAGEMENT - EMT - Caregiver engagement score" in stages
    assert "EMT_SV_BODY - EMT - Supervising body *" in stages  # * = compulsory


def test_markdown_has_a_table_per_type(written):
    text = (written[0] / "data_dictionary.md").read_text(encoding="utf-8")
    for sheet in SHEETS:
        assert f"\n## {sheet}\n" in text
    assert "| F1000_IND_UNDERWEIGHT |" in text


def test_reads_a_dhis2_json_package_too(tmp_path, md):
    built = tmp_path / "metadata.json"
    assert CliRunner().invoke(cli, ["build", "--metadata", str(METADATA), "--out", str(built)]).exit_code == 0
    result = CliRunner().invoke(
        cli, ["docs", "--metadata", str(built), "--out", str(tmp_path / "d"), "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    sheets = pd.read_excel(tmp_path / "d" / "data_dictionary.xlsx", sheet_name=None)
    assert len(sheets["Indicators"]) == len(md.of("indicators"))
    assert sheets["Indicators"].set_index("Code").loc["F1000_IND_UNDERWEIGHT", "Numerator (codes)"] == (
        "#{F1000_U2_UNDERWEIGHT}"
    )


def test_missing_input_is_a_usage_error(tmp_path):
    result = CliRunner().invoke(cli, ["docs", "--metadata", str(tmp_path / "nope"), "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert "no such file or folder" in result.output


def test_importing_the_command_does_not_import_pandas():
    probe = "import sys, dhis2_mch.cli.docs, dhis2_mch.docs.dictionary; print('pandas' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
