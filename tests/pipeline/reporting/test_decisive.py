"""Which assumption-grade catalog values decide a front design's feasibility."""

import csv

import numpy as np
import pytest

from pipeline.reporting import report
from pipeline.reporting.decisive import decisive_values, design_evidence, evidence_uses
from pipeline.run import front_and_choices
from pipeline.search.nsga2 import run_nsga2
from pipeline.study.catalog import load_catalog
from pipeline.study.config import load_config
from pipeline.study.problem import StudyModel
from tests.conftest import CONFIGS, FEASIBLE_AT_SMALL_BUDGET

OVERRIDES = [
    "search.population_size=24",
    "search.generations=12",
    "tracking.enabled=false",
    *FEASIBLE_AT_SMALL_BUDGET,
]


@pytest.fixture(scope="module")
def study():
    config = load_config(CONFIGS / "default.yaml", OVERRIDES)
    model = StudyModel(load_catalog(config.catalog_dir()), config)
    front, chosen = front_and_choices(model, run_nsga2(model, progress=False).archive.X)
    return config, model, front, chosen, decisive_values(model, front, chosen)


def test_a_design_uses_its_material_process_and_most_specific_coating_row(study):
    _, model, front, _, decisive = study
    ev = decisive.evidence
    uses = evidence_uses(model.catalog, front, model.config.cell.cathode_coating)
    row = int(np.flatnonzero(front["material"].to_numpy() == "Li6PS5Cl")[0])
    used = ev.loc[uses.loc[uses["front_row"] == row, "evidence_row"]]
    assert set(used.loc[used["table"] == "material", "item"]) == {"Li6PS5Cl"}
    assert set(used.loc[used["table"] == "process", "item"]) == {front.at[row, "process"]}
    coating = used[used["table"] == "coating"]
    assert len(coating) == coating["property"].nunique()  # one row per property, not per key
    cathode = used[used["table"] == "cathode"]
    assert list(cathode["item"]) == [model.config.cell.cathode_coating]
    assert list(cathode["applies_to"]) == ["sulfide"]


def test_known_values_are_screened_assumptions_apart_most_used_first(study):
    """Every known value a front design uses is screened; assumptions() is the assumption-grade
    part (the report's table, assumption_values.csv); unknown values have no range to screen."""
    from pipeline.reporting.decisive import assumptions

    *_, decisive = study
    values = decisive.values
    assert len(values) > 0 and "unknown" not in set(values["grade"])
    assert {"assumption", "measured-primary"} <= set(values["grade"])
    assumed = assumptions(decisive)
    assert set(assumed["grade"]) == {"assumption"} and len(assumed) < len(values)
    ev = decisive.evidence
    graded = {
        f"{r.table} {r.item}{f' on {r.applies_to}' if r.applies_to else ''} {r.property}": r.grade
        for r in ev.itertuples()
    }
    assert {graded[label] for label in assumed["label"]} == {"assumption"}
    assert values["n_front_designs"].is_monotonic_decreasing


def test_a_measured_spread_that_flips_a_design_is_said_apart(study):
    """A design whose feasibility flips within a measured or derived range is flagged as such,
    not as an assumption; the label carries the grade."""
    config, _, front, _, decisive = study
    assert decisive.flips_measured, "the small default front has designs on a measured edge"
    flags = report.design_flags(front, config, decisive)
    for row, labels in decisive.flips_measured.items():
        assert "feasibility flips within the measured range of" in flags[row]
        assert all(label.endswith(")") and "(assumption)" not in label for label in labels)


def test_a_flagged_flip_reproduces_through_an_edited_catalog_file(study, tmp_path):
    """Independent path: write the value's end into a copy of the CSV, load it, rebuild the model,
    and the design's verdict flips as the screening said."""
    config, model, front, _, decisive = study
    assert decisive.flips, "the small default front has designs decided by an assumption"
    row, labels = next(iter(sorted(decisive.flips.items())))
    label = labels[0]
    ev = decisive.evidence
    hit = ev[
        [
            f"{r.table} {r.item}{f' on {r.applies_to}' if r.applies_to else ''} {r.property}"
            == label
            for r in ev.itertuples()
        ]
    ].iloc[0]
    X = front[model.space.x_columns].to_numpy()[[row]]
    base = bool(model.evaluate(X)[2]["feasible"][0])
    verdicts = []
    for end in ("low", "high"):
        folder = tmp_path / end
        folder.mkdir()
        for path in config.catalog_dir().iterdir():
            (folder / path.name).write_bytes(path.read_bytes())
        name, id_col = {
            "material": ("material_properties.csv", "material_id"),
            "process": ("process_properties.csv", "process_id"),
            "coating": ("coating_properties.csv", "coating_id"),
            "cathode": ("cathode_interfaces.csv", "cathode_coating"),
        }[hit["table"]]
        with (folder / name).open(newline="") as fh:
            rows = list(csv.DictReader(fh))
        for r in rows:
            if r[id_col] == hit["item"] and r["property"] == hit["property"]:
                if hit["table"] == "material" or r["applies_to"] == hit["applies_to"]:
                    r["value"] = repr(float(hit[end]))
        with (folder / name).open("w", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
        # the same decoded designs (a window bound also sets the search space's decoding)
        moved = StudyModel(load_catalog(folder), config, space=model.space)
        verdicts.append(bool(moved.evaluate(X)[2]["feasible"][0]))
    assert any(v != base for v in verdicts)


def test_the_report_flags_a_recommendation_an_assumption_decides(study):
    config, _, front, chosen, decisive = study
    flags = report.design_flags(front, config, decisive)
    flagged = {i for i, text in flags.items() if "ASSUMPTION DECIDES FEASIBILITY" in text}
    expected = {r for r, labels in decisive.flips.items() if set(labels) - set(decisive.front_wide)}
    assert flagged == expected != set()
    # a value that flips every design using it is one headline under Result, not a flag per row
    wide = report._front_wide_line(decisive)
    assert len(wide) == (1 if decisive.front_wide else 0)
    for label in decisive.front_wide:
        assert label in wide[0] and not any(label in text for text in flags)
    lines = report.decided_section(chosen, decisive)
    assert lines[0] == "## What decided the recommendations"
    first = chosen.index[0]
    evidence = design_evidence(decisive, first)
    assert "ASR" in evidence and any("interfacial_resistance_ohm_cm2" in v for v in evidence["ASR"])
    assert any(line.startswith("| label | value | range | n_front_designs") for line in lines)


def test_a_choice_moves_only_to_another_design(study):
    """The same material, process and coating within 10 % of its thickness is the same choice."""
    from pipeline.reporting.decisive import _moved

    *_, front, _, _ = study
    row = 0
    same = front.copy()
    same.loc[1, ["material", "process", "coating"]] = front.loc[
        row, ["material", "process", "coating"]
    ]
    same.loc[1, "thickness_um"] = front.loc[row, "thickness_um"] * 1.05
    assert _moved(same, row, 1) == ""
    same.loc[1, "thickness_um"] = front.loc[row, "thickness_um"] * 1.5
    assert _moved(same, row, 1).startswith(f"{front.loc[row, 'material']} / ")
    assert _moved(same, row, None) == "no feasible design"


def test_a_predicted_sigma_does_not_read_the_catalog_sigma_law(study):
    """A composition-family member (σ predicted per design) uses its parent's mechanics and
    process values, but not the parent's σ_ref, reference temperature or activation energy."""
    _, model, front, *_ = study
    fake = front.head(3).assign(sigma_predicted=[True, False, True])
    uses = evidence_uses(model.catalog, fake, model.config.cell.cathode_coating)
    ev = model.catalog.evidence()
    props = {
        r: set(ev.loc[uses.loc[uses["front_row"] == r, "evidence_row"], "property"])
        for r in range(3)
    }
    assert "sigma_ref_s_per_cm" in props[1]
    assert "sigma_ref_s_per_cm" not in props[0] and "activation_energy_ev" not in props[2]
    assert "interfacial_resistance_ohm_cm2" in props[0]


def test_an_interquartile_range_is_named_as_such_with_the_reported_spread(catalog):
    """A scientist reading '0.000361–0.000939' would take it for LLZO's whole range: the report
    says it is the quartiles, of reported values spanning 6.16e-5–1.39e-3 S/cm."""
    from pipeline.reporting.decisive import _range_text
    from pipeline.study.catalog import Evidence

    ev = catalog.evidence()
    llzo = ev[(ev["item"] == "LLZO") & (ev["property"] == "sigma_ref_s_per_cm")].iloc[0]
    assert _range_text(Evidence.of(llzo), llzo) == (
        "quartiles 0.000361–0.000939 of reported 6.16e-05–0.00139"
    )
    bounds = ev[(ev["item"] == "LLZO") & (ev["property"] == "reference_temperature_c")].iloc[0]
    assert _range_text(Evidence.of(bounds), bounds) == "20–30"
