"""Front-to-front comparison on small hand-made fronts: designs that entered, left and stayed."""

import pandas as pd

from pipeline.reporting.compare import compare_fronts


def front(rows) -> pd.DataFrame:
    return pd.DataFrame(
        rows,
        columns=[
            "material",
            "process",
            "coating",
            "thickness_um",
            "relative_density",
            "filler_fraction",
            "total_asr_ohm_cm2",
        ],
    )


PREVIOUS = front(
    [
        ("LLZO", "tape_casting", "ald_al2o3", 20.0, 0.97, 0.0, 12.0),  # kept (same numbers)
        ("Li6PS5Cl", "wet_coating", "li3n", 30.0, 0.90, 0.0, 8.0),  # kept (rounds the same)
        ("LATP", "tape_casting", "none", 25.0, 0.95, 0.0, 30.0),  # left
    ]
)
CURRENT = front(
    [
        ("LLZO", "tape_casting", "ald_al2o3", 20.0, 0.97, 0.0, 11.0),  # ASR is no identity
        # 30.01 µm and 0.9001 round to 30.0 and 0.9 at 3 significant digits: the same design
        ("Li6PS5Cl", "wet_coating", "li3n", 30.01, 0.9001, 0.0, 8.0),
        ("LLZO", "tape_casting", "li3n", 20.0, 0.97, 0.0, 10.0),  # entered: other coating
        ("LLZO", "tape_casting", "ald_al2o3", 20.5, 0.97, 0.0, 12.5),  # entered: 20.5 ≠ 20.0
    ]
)


def test_counts_of_designs_entered_left_and_kept():
    metrics, _ = compare_fronts(PREVIOUS, CURRENT)
    assert metrics == {
        "compare.designs_entered": 2.0,
        "compare.designs_left": 1.0,
        "compare.designs_kept": 2.0,
        "compare.previous_front_size": 3.0,
        "compare.current_front_size": float(len(CURRENT)),
    }


def test_diff_table_lists_the_entered_then_the_left_designs():
    _, diff = compare_fronts(PREVIOUS, CURRENT)
    assert list(diff["change"]) == ["entered", "entered", "left"]
    assert list(diff["material"]) == ["LLZO", "LLZO", "LATP"]
    assert list(diff["coating"]) == ["li3n", "ald_al2o3", "none"]
    assert list(diff["thickness_um"]) == [20.0, 20.5, 25.0]
    assert list(diff.index) == [0, 1, 2]
    assert set(CURRENT.columns) < set(diff.columns)  # the designs' own columns come along


def test_identical_fronts_have_no_change():
    metrics, diff = compare_fronts(PREVIOUS, PREVIOUS.copy())
    assert metrics["compare.designs_entered"] == 0.0
    assert metrics["compare.designs_left"] == 0.0
    assert metrics["compare.designs_kept"] == 3.0
    assert len(diff) == 0


# A run with no feasible design leaves an empty front; the next run compares against it.


def test_against_an_empty_previous_front_every_design_entered():
    metrics, diff = compare_fronts(PREVIOUS.iloc[:0], CURRENT)
    assert metrics["compare.designs_entered"] == 4.0
    assert metrics["compare.designs_left"] == 0.0
    assert metrics["compare.designs_kept"] == 0.0
    assert metrics["compare.previous_front_size"] == 0.0
    assert list(diff["change"]) == ["entered"] * 4


def test_an_empty_current_front_means_every_design_left():
    metrics, diff = compare_fronts(PREVIOUS, CURRENT.iloc[:0])
    assert metrics["compare.designs_entered"] == 0.0
    assert metrics["compare.designs_left"] == 3.0
    assert metrics["compare.designs_kept"] == 0.0
    assert list(diff["change"]) == ["left"] * 3


def test_swapped_fronts_swap_entered_and_left():
    forward, _ = compare_fronts(PREVIOUS, CURRENT)
    backward, _ = compare_fronts(CURRENT, PREVIOUS)
    assert backward["compare.designs_entered"] == forward["compare.designs_left"] == 1.0
    assert backward["compare.designs_left"] == forward["compare.designs_entered"] == 2.0
    assert backward["compare.designs_kept"] == 2.0
    assert backward["compare.previous_front_size"] == 4.0


def test_designs_kept_never_exceeds_the_previous_front():
    # two current designs round to the one previous design (20.001 and 20.002 µm -> "20"): kept is
    # the number of previous designs still on the front, 1, not the 2 current rows that match it
    current = front(
        [
            ("LLZO", "tape_casting", "ald_al2o3", 20.001, 0.97, 0.0, 12.0),
            ("LLZO", "tape_casting", "ald_al2o3", 20.002, 0.97, 0.0, 11.0),
        ]
    )
    metrics, _ = compare_fronts(PREVIOUS.iloc[:1], current)
    assert metrics["compare.designs_kept"] == 1.0
    assert metrics["compare.designs_entered"] == 0.0


def test_a_front_from_before_a_variable_existed_is_compared_on_the_others():
    # a run logged before a decision variable was added has no column for it; the comparison uses
    # the variables both fronts have instead of failing on the older front
    older = PREVIOUS.drop(columns="filler_fraction")
    metrics, diff = compare_fronts(older, CURRENT.assign(dopant_level=0.0))
    assert metrics == compare_fronts(PREVIOUS, CURRENT)[0]
    assert list(diff["change"]) == ["entered", "entered", "left"]


def test_a_run_record_is_read_from_anywhere_but_still_checked():
    """ssemo compare reads run B's resolved_config.yaml from a temporary folder: its relative
    output folder ('../../results' of configs/studies/) is not judged from there, but its
    objectives still are (one objective alone would fail further on as an internal error)."""
    import pytest

    from pipeline.errors import ConfigError
    from pipeline.study.config import StudyConfig, load_config
    from tests.conftest import CONFIGS

    record = load_config(CONFIGS / "studies" / "cold_climate.yaml").to_dict()
    assert record["tracking"]["output_dir"].startswith("../../")
    config = StudyConfig.from_run_record(record, "run x: resolved_config.yaml")
    assert config.objectives == tuple(record["objectives"])
    with pytest.raises(ConfigError, match="expected at least two distinct objectives"):
        StudyConfig.from_run_record({**record, "objectives": ["thickness_um"]}, "run x")
