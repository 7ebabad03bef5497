"""The articles' derived figures come out of the package's own indicators, evaluated offline on the
values file the demo pushes (config/examples/seed_figures.csv), and its validation rules hold there."""

from __future__ import annotations

from pathlib import Path

import pytest

from dhis2_mch.errors import InputError
from dhis2_mch.evaluate import Evaluator
from dhis2_mch.package import load

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "config" / "examples" / "seed_figures.csv"


@pytest.fixture(scope="module")
def evaluator() -> Evaluator:
    md, findings = load(ROOT / "metadata")
    assert findings == []
    # former Lào Cai's 70 Region III communes (Decision 861/QĐ-TTg) loaded as members of the group
    return Evaluator(md, groups={"MCH_REGION3_COMMUNES": 70})


@pytest.fixture(scope="module")
def seed(evaluator):
    return evaluator.read_values(SEED)


@pytest.mark.parametrize(
    ("indicator", "expected"),
    [
        ("F1000_IND_MODELS_OPERATING", 54),  # "54 models": 24 old guideline + 30 Decision 2869, not entered twice
        ("F1000_IND_MODELS_QD2869_SHARE", 55.6),  # 30 of 54
        ("F1000_IND_CUM_MEAL_DEMO_ATTENDANCE", 15.4),  # 1,589 participants in 103 demonstrations
        ("F1000_IND_CUM_SUPPORT_GROUP_ATTENDANCE", 15.4),  # 1,432 in 93 support group sessions
        ("F1000_IND_DISTRICT_COVERAGE", 100),  # 9 of 9 districts
        ("F1000_IND_REGION3_COVERAGE", 94.3),  # 66 communes of the 70 Region III communes
    ],
)
def test_the_articles_figures_come_out_of_the_package_indicators(evaluator, seed, indicator, expected):
    assert evaluator.indicator(indicator, seed, "PRE2025-P10", "2024S1") == expected


def test_the_seed_figures_pass_every_validation_rule_of_their_period_type(evaluator, seed):
    assert evaluator.validate(seed, "PRE2025-P10", "2024S1", "SixMonthly") == []
    assert len([r for r in evaluator.md.of("validationRules") if r.periodType == "SixMonthly"]) >= 3


def test_a_broken_figure_is_caught_by_its_rule(evaluator, seed, tmp_path):
    """10 districts counselling out of 9 is what the rule exists for."""
    bad = tmp_path / "bad.csv"
    bad.write_text(
        SEED.read_text(encoding="utf-8").replace(
            "F1000_DISTRICTS_COUNSELLING,default,9", "F1000_DISTRICTS_COUNSELLING,default,10"
        ),
        encoding="utf-8",
    )
    violations = evaluator.validate(evaluator.read_values(bad), "PRE2025-P10", "2024S1", "SixMonthly")
    assert [(v.rule, v.left, v.right) for v in violations] == [("F1000_VR_DISTRICTS", 10, 9)]


def test_missing_values_follow_dhis2s_strategies(evaluator, tmp_path):
    """No data, no indicator value; a monthly form with participants but no sessions breaks its rule."""
    path = tmp_path / "monthly.csv"
    path.write_text(
        "orgUnit,period,dataElement,categoryOptionCombo,value\n"
        "02809,202406,F1000_MEAL_DEMO_PARTICIPANTS,MCH_BEN_PREGNANT,12\n"
        "02809,202406,F1000_U2_WEIGHED,P0M--P6M+F,20\n"
        "02809,202406,F1000_U2_UNDERWEIGHT,F+P0M--P6M,3\n",
        encoding="utf-8",
    )
    values = evaluator.read_values(path)
    assert evaluator.indicator("F1000_IND_UNDERWEIGHT", values, "02809", "202406") == 15.0
    assert evaluator.indicator("F1000_IND_STUNTED", values, "02809", "202406") is None
    rules = {v.rule for v in evaluator.validate(values, "02809", "202406", "Monthly")}
    assert rules == {"F1000_VR_MEAL_DEMO_HELD"}


def test_an_unknown_code_in_the_values_file_names_the_row(evaluator, tmp_path):
    path = tmp_path / "typo.csv"
    path.write_text("orgUnit,period,dataElement,categoryOptionCombo,value\n15,2024S1,F1000_MODELS_OPERATNG,default,3\n",
                    encoding="utf-8")  # fmt: skip
    with pytest.raises(InputError, match=r"typo.csv:2: column dataElement: .*F1000_MODELS_OPERATNG"):
        evaluator.read_values(path)


def test_evaluate_command_reports_the_figures_and_exits_1_on_a_broken_rule(tmp_path):
    import json

    from click.testing import CliRunner

    from dhis2_mch.cli import cli

    args = ["evaluate", str(SEED), "--org-unit", "PRE2025-P10", "--period", "2024S1",
            "--group", "MCH_REGION3_COMMUNES=70"]
    result = CliRunner().invoke(cli, [*args, "--format", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["indicators"]["F1000_IND_MODELS_OPERATING"] == 54 and report["violations"] == []
    bad = tmp_path / "bad.csv"
    text = SEED.read_text(encoding="utf-8").replace("DISTRICTS_TOTAL,default,9", "DISTRICTS_TOTAL,default,8")
    bad.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(cli, ["evaluate", str(bad), "--org-unit", "PRE2025-P10", "--period", "2024S1"])
    assert result.exit_code == 1
    assert "BROKEN F1000_VR_DISTRICTS: 9.0 less_than_or_equal_to 8.0" in result.output
