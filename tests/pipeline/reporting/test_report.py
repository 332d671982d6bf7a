"""The Markdown report: the question asked, the designs recommended and why, the warnings."""

import pandas as pd
import pytest

from pipeline.reporting.report import render
from pipeline.study.config import StudyConfig
from tests.conftest import CONFIGS

SUMMARY = {
    "generations": 12,
    "n_evals": 288,
    "search_wall_s": 1.25,
    "front_size": 2.0,
    "hypervolume": 0.61234,
    "min_asr_at_thickness_le_20um": 4.5,
    "best_manufacturability_at_asr_le_50": 0.75,
}

FRONT = pd.DataFrame(
    {
        "material": ["LLZO", "Li6PS5Cl"],
        "process": ["tape_casting", "wet_coating"],
        "coating": ["ald_al2o3", "li3n"],
        "family": ["oxide", "sulfide"],
        "thickness_um": [20.0, 30.0],
        "relative_density": [0.97, 0.9],
        "filler_fraction": [0.0, 0.0],
        "total_asr_ohm_cm2": [12.3456, 4.5],
        "strength_mpa": [150.0, 25.0],
        "manufacturability": [0.6, 0.75],
    }
)

CHOSEN = FRONT.iloc[[1, 0]].assign(
    choice=["knee", "best_oxide"], why=["high trade-off point", "best oxide design by the same ASF"]
)


def config_with(default_config, **sections) -> StudyConfig:
    data = default_config.to_dict()
    for section, values in sections.items():
        data[section].update(values)
    return StudyConfig.from_dict(data, source=str(CONFIGS / "default.yaml"))


@pytest.fixture
def config(default_config):
    return config_with(default_config, operating={"asr_max_ohm_cm2": 35.0})


def test_report_states_the_question_with_units(config):
    text = render(config, SUMMARY, FRONT, CHOSEN, [], [])
    assert text.startswith(f"# ssemo study `{config.name}`")
    objectives = next(line for line in text.splitlines() if line.startswith("- Objectives: "))
    # every objective of the config, named (by column or by label), and which way it is optimized
    for word in (
        "thickness",
        "asr",
        "handling load",
        "manufacturability",
        "minimized",
        "maximized",
    ):
        assert word in objectives.lower(), word
    assert "stack energy" not in objectives and "gravimetric" not in objectives  # not one of them
    assert "total ASR ≤ 35 Ω cm²" in text  # the configured limit, with its unit
    assert f"strength ≥ {config.mechanics.min_strength_mpa:g} MPa" in text
    assert f"Operating temperature {config.operating.temperature_c:g} °C" in text


def test_report_states_the_result_and_the_recommended_designs(config):
    text = render(config, SUMMARY, FRONT, CHOSEN, [], [])
    assert "Front: 2 non-dominated feasible designs; hypervolume 0.6123" in text
    assert "12 generations" in text and "288 evaluations in 1.2 s of search" in text
    assert "Lowest total ASR with thickness ≤ 20 µm: 4.5 Ω cm²" in text
    # the chosen designs as a table, in the chosen order, numbers to 4 significant digits
    table = [line for line in text.splitlines() if line.startswith("| ")]
    assert table[0].startswith("| choice | material | process | coating | thickness_um")
    assert table[1].startswith("| knee | Li6PS5Cl | wet_coating | li3n | 30 |")
    assert table[2].startswith("| best_oxide | LLZO | tape_casting | ald_al2o3 | 20 |")
    assert "12.35" in table[2]  # 12.3456 Ω cm² at 4 significant digits
    assert len(table) == 3
    # and why each was chosen
    assert "**knee**: high trade-off point" in text
    assert "**best_oxide**: best oxide design by the same ASF" in text
    assert "No feasible design" not in text


def test_report_lists_warnings_and_infeasible_families(config):
    warnings = [
        "no surrogate: model not found. The search used catalog conductivities.",
        "3 front designs use materials outside the surrogate's applicability domain.",
    ]
    text = render(config, SUMMARY, FRONT, CHOSEN, warnings, ["halide", "polymer"])
    section = text.split("## Warnings", 1)[1]
    for warning in warnings:
        assert f"- {warning}" in section
    assert "Families with no design on the front: halide, polymer" in section
    assert "- none" not in section


def test_report_without_warnings_says_none(config):
    text = render(config, SUMMARY, FRONT, CHOSEN, [], [])
    section = text.split("## Warnings", 1)[1].split("##", 1)[0]
    assert section.strip() == "- none"


def test_a_run_without_feasible_designs_says_so(config):
    empty_front = FRONT.iloc[:0]
    empty_chosen = CHOSEN.iloc[:0]
    summary = {
        **SUMMARY,
        "front_size": 0.0,
        "hypervolume": 0.0,
        "min_asr_at_thickness_le_20um": float("nan"),
        "best_manufacturability_at_asr_le_50": float("nan"),
    }
    text = render(
        config,
        summary,
        empty_front,
        empty_chosen,
        ["no feasible design: relax a constraint"],
        ["oxide", "sulfide"],
    )
    assert "Front: 0 non-dominated feasible designs" in text
    assert "No feasible design was found (Warnings: why, and what would decide it)." in text
    assert "Why:" not in text
    assert "Families with no design on the front: oxide, sulfide" in text
    assert "Lowest total ASR with thickness ≤ 20 µm: none on the front." in text
    assert "nan" not in text
    assert "this study: infeasible)" in text  # the study's own unknown-constraint policy


def test_temperature_window_and_robust_mode_are_stated(default_config):
    config = config_with(
        default_config,
        constraints={"temperature_window_c": [-20.0, 60.0]},
        surrogate={"robust": True, "robust_quantile": 0.9},
    )
    text = render(config, SUMMARY, FRONT, CHOSEN, [], [])
    assert "total ASR ≤ 50 Ω cm² over -20 to 60 °C" in text
    assert "robust mode: the search optimizes the ASR at its 90% quantile" in text


def test_default_run_states_neither_window_nor_robust_mode(default_config):
    text = render(default_config, SUMMARY, FRONT, CHOSEN, [], [])
    assert "total ASR ≤ 50 Ω cm²;" in text  # no temperature window after the limit
    assert "robust mode" not in text
