"""Composition-family templates (issue 27, item 4): a template must be linear in x, bounded and
finite, or the catalog is refused with the family's line and column, exit 2, no traceback. Before,
a product of x terms passed the charge check at the window's ends (its middle members not neutral),
an amount negative inside the window, a 20,000-term or 400-digit template and a bad template on a
family with measurements were internal errors (exit 70), and `Li1e308O` reached the model."""

from __future__ import annotations

import pandas as pd
import pytest

from pipeline.study import compositions
from tests.robustness.conftest import CONFIGS, MODEL_NAME, outcome

GARNET = "Li{7-x}La3Zr{2-x}Ta{x}O12"  # garnet_ta, line 2, window [0.2, 1.0], 9 measurement rows

BAD_TEMPLATES = {
    # a product of x terms: neutral at x = 0.2 and 1.0, not at x = 0.6
    "product_of_x": ("Li{7-x}La3Zr{2-x+(x-0.2)*(x-1)}Ta{x}O12", "not linear in x"),
    "x_times_x": ("Li{7-x*x}La3Zr{2-x}Ta{x}O12", "not linear in x"),
    "x_over_x": ("Li{7-x/x}La3Zr{2-x}Ta{x}O12", "x in a divisor"),
    "caret": ("Li{7-x^2}La3Zr{2-x}Ta{x}O12", "only numbers, x, + - * /"),
    "power": ("Li{7-x**2}La3Zr{2-x}Ta{x}O12", "only numbers, x, + - * /"),
    # Zr = 2 - x at both ends, -1.16 at x = 0.6: was accepted, then failed inside the search
    "negative_inside": ("Li{7-x}La3Zr{2-x-16*(x-0.2)*(1-x)}Ta{x}O12", "not linear in x"),
    "negative_at_end": ("Li{7-x}La3Zr{0.5-x}Ta{x}O12", "Zr amount -0.5 < 0"),
    "terms_20000": ("Li{" + "+".join(["x"] * 20_000) + "}La3Zr{2-x}Ta{x}O12", "longer than"),
    "digits_400": ("Li{" + "9" * 400 + "}La3Zr{2-x}Ta{x}O12", "longer than"),
    "digits_150": ("Li{1" + "0" * 150 + "-x}La3Zr{2-x}Ta{x}O12", "expected a number in"),
    "overflow": ("Li{1e200*1e200+7-x}La3Zr{2-x}Ta{x}O12", "not a finite number"),
    "division_by_zero": ("Li{(7-x)/0}La3Zr{2-x}Ta{x}O12", "division by zero"),
    "huge_fixed_count": ("Li{7-x}La1e308Zr{2-x}Ta{x}O12", "La the count 1e+308"),
    "infinite_fixed_count": ("Li{7-x}La1e400Zr{2-x}Ta{x}O12", "La the count inf"),
    "no_amount": ("Li7La3Zr2O12", "no braced amount"),
    "code": ("Li{__import__('os').getpid()}La3Zr{2-x}Ta{x}O12", "only numbers"),
}


def family_config(tmp_path, column: str, value: str):
    """A study config whose catalog is a copy of the shipped one with garnet_ta's `column` set."""
    import shutil

    catalog = tmp_path / "catalog"
    shutil.copytree(CONFIGS / "catalog", catalog)
    path = catalog / "composition_families.csv"
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    assert table.loc[0, "family_id"] == "garnet_ta"
    table.loc[0, column] = value
    table.to_csv(path, index=False)
    config = tmp_path / "study.yaml"
    text = (CONFIGS / "default.yaml").read_text()
    config.write_text(text.replace("catalog: catalog", f"catalog: {catalog}"))
    return config


def assert_catalog_refused(result, column: str, reason: str) -> None:
    """exit 2, one error line, and exactly one problem: garnet_ta's line and column, with why (no
    follow-on complaint about the family's measurement rows)."""
    assert result.code == 2, (result.code, result.err[-2000:])
    assert "Traceback" not in result.err + result.out
    assert [line for line in result.err.splitlines() if "error:" in line] == [
        "error: invalid catalog:"
    ], result.err[-2000:]
    problems = [line for line in result.err.splitlines() if line.startswith("  - ")]
    assert len(problems) == 1, problems
    assert f"composition_families.csv, line 2, column '{column}'" in problems[0]
    assert reason in problems[0], problems[0]
    assert len(problems[0]) < 600  # the 20,000-term template is not echoed back


@pytest.mark.parametrize("case", list(BAD_TEMPLATES))
def test_a_bad_template_on_a_family_with_measurements_is_one_clear_problem(capsys, tmp_path, case):
    template, reason = BAD_TEMPLATES[case]
    result = outcome(capsys, ["validate-config", family_config(tmp_path, "template", template)])
    assert_catalog_refused(result, "template", reason)


@pytest.mark.parametrize(
    ("states", "reason"),
    [
        ("Li:nan;La:3;Zr:4;Ta:5;O:-2", "expected a charge in [-8, 8]"),  # NaN passed neutrality
        ("Li:1;La:3;Zr:4;Ta:inf;O:-2", "expected a charge in [-8, 8]"),
        ("Li:1;La:3;Zr:4;Ta:1e308;O:-2", "expected a charge in [-8, 8]"),
    ],
)
def test_non_finite_oxidation_states_are_refused(capsys, tmp_path, states, reason):
    config = family_config(tmp_path, "oxidation_states", states)
    assert_catalog_refused(outcome(capsys, ["validate-config", config]), "oxidation_states", reason)


def test_the_shipped_templates_are_linear_and_still_accepted(capsys, catalog):
    for family, row in catalog.families.iterrows():
        compositions.check_template(row["template"], row["x_min"], row["x_max"])
        for _, expr in compositions.PLACEHOLDER.findall(row["template"]):
            a, b = compositions.linear_coefficients(expr)
            for x in (row["x_min"], 0.5 * (row["x_min"] + row["x_max"]), row["x_max"]):
                assert compositions._amount(expr)(x) == pytest.approx(a + b * x), family
    result = outcome(capsys, ["validate-config", CONFIGS / "default.yaml"])
    assert result.code == 0, result.err


@pytest.mark.parametrize(
    ("expr", "coefficients"),
    [
        ("7-x", (7.0, -1.0)),
        ("3*x", (0.0, 3.0)),
        ("2/3-x", (2 / 3, -1.0)),
        ("(1+x)/2", (0.5, 0.5)),
        ("-(x-1)*4", (4.0, -4.0)),
        ("x*0+1", (1.0, 0.0)),
    ],
)
def test_linear_amounts_are_read_as_a_plus_b_x(expr, coefficients):
    assert compositions.linear_coefficients(expr) == pytest.approx(coefficients)


def test_formula_at_itself_refuses_oversized_templates_and_numbers():
    """formula_at is also called outside the catalog check (the search, the measurements)."""
    with pytest.raises(compositions.TemplateError, match="longer than"):
        compositions.formula_at("Li{" + "+".join(["x"] * 20_000) + "}O", 0.5)
    with pytest.raises(compositions.TemplateError, match="not finite"):
        compositions.formula_at("Li{1e400*x}O", 0.5)


@pytest.mark.parametrize("formula", ["Li1e308O", "Li1e400O", "Li9e307Cl9e307", "Li1O0.0000001"])
def test_huge_or_tiny_element_counts_are_a_formula_error(formula):
    from surrogates.chemistry import FormulaError, parse_formula

    with pytest.raises(FormulaError, match="expected a number in"):
        parse_formula(formula)


def test_predict_rejects_a_huge_element_count_as_a_row(capsys, registered, tmp_path):
    """`Li1e308O` in a prediction input was an internal error (NaN/inf features); now its row is
    rejected by line and column and the other rows are scored (exit 1)."""
    source = tmp_path / "in.csv"
    source.write_text("composition,temperature_c\nLi7La3Zr2O12,25\nLi1e308O,25\n")
    out = tmp_path / "p.csv"
    args = ["predict", "--input", source, "--tracking-uri", registered["uri"], "--out", out]
    result = outcome(capsys, [*args, "--model", f"{MODEL_NAME}@champion"])
    assert result.code == 1, result.err[-2000:]
    assert "Traceback" not in result.err
    rejected = [line for line in result.err.splitlines() if "line 3, column 'composition'" in line]
    assert len(rejected) == 1 and "Li the count 1e+308" in rejected[0], result.err[-2000:]
    assert pd.read_csv(out)["composition"].tolist()[0] == "Li7La3Zr2O12"


def test_run_with_a_nonlinear_template_stops_before_any_mlflow_run(capsys, tmp_path):
    """`ssemo run` reads the catalog first: one problem line, exit 2, no run left RUNNING."""
    from tests.robustness.conftest import running_runs

    config = family_config(tmp_path, "template", BAD_TEMPLATES["negative_inside"][0])
    store = tmp_path / "mlflow.db"
    out = tmp_path / "out"
    args = ["run", "--config", config, "--out", out]
    result = outcome(capsys, [*args, "--set", f"tracking.tracking_uri=sqlite:///{store}"])
    assert_catalog_refused(result, "template", "not linear in x")
    assert running_runs(store) == []
