"""Compromise choices on small hand-made fronts whose right answer is known by hand.

Every front here is already normalized (0 = best bound, 1 = worst), as decisions.py expects.
"""

import numpy as np
import pandas as pd
import pytest

from pipeline.search.decisions import asf_index, choose, knee_index, pseudo_weight_index

# Two objectives, one sharp corner at (0.1, 0.1) (row 3), the rest hugging the axes.
CORNER = np.array(
    [
        (0.00, 1.00),
        (0.02, 0.70),
        (0.05, 0.40),
        (0.10, 0.10),
        (0.40, 0.05),
        (0.70, 0.02),
        (1.00, 0.00),
    ]
)

# A straight, evenly spaced front: every point trades the same, so none is a knee.
LINE = np.array([(0.0, 1.0), (0.25, 0.75), (0.5, 0.5), (0.75, 0.25), (1.0, 0.0)])

THREE = np.array([(0.1, 0.9), (0.5, 0.5), (0.9, 0.1)])


# --- achievement scalarization -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("weights", "expected"),
    [
        # max(w·f) per row: (0.9, 0.5, 0.9) -> row 1
        ((1.0, 1.0), 1),
        # (max(0.1, 0.18), max(0.5, 0.1), max(0.9, 0.02)) = (0.18, 0.5, 0.9) -> row 0
        ((1.0, 0.2), 0),
        # (max(0.02, 0.9), max(0.1, 0.5), max(0.18, 0.1)) = (0.9, 0.5, 0.18) -> row 2
        ((0.2, 1.0), 2),
    ],
)
def test_asf_picks_the_row_minimizing_the_largest_weighted_objective(weights, expected):
    assert asf_index(THREE, np.array(weights)) == expected


def test_asf_weights_move_the_choice_along_the_corner_front():
    # equal weights: max(f) per row = (1, 0.7, 0.4, 0.1, 0.4, 0.7, 1) -> the corner, row 3
    assert asf_index(CORNER, np.array([1.0, 1.0])) == 3
    # w = (1, 0.1): (0.1, 0.07, 0.05, 0.1, 0.4, 0.7, 1) -> row 2 (0.05, 0.40)
    assert asf_index(CORNER, np.array([1.0, 0.1])) == 2
    # w = (0.1, 1): (1, 0.7, 0.4, 0.1, 0.05, 0.07, 0.1) -> row 4 (0.40, 0.05)
    assert asf_index(CORNER, np.array([0.1, 1.0])) == 4


# --- knee ----------------------------------------------------------------------------------------


def test_knee_is_the_sharp_corner_of_the_front():
    # At the corner (0.1, 0.1) the cheapest move to a neighbour, e.g. to (0.05, 0.40), gains 0.05 and
    # sacrifices 0.30: a trade-off of 6. Every other point has a neighbour it can move to at a
    # trade-off below 1 (e.g. (0.05, 0.40) -> (0.1, 0.1): sacrifice 0.05 / gain 0.30 = 0.17), so the
    # corner is the only high trade-off point.
    index, how = knee_index(CORNER)
    assert index == 3
    assert how == "high trade-off point"


def test_knee_falls_back_to_closest_to_ideal_without_a_trade_off_outlier():
    # Equal trade-offs everywhere (1 per unit), no outlier: the fallback is the Euclidean distance to
    # (0, 0): 1, 0.79, 0.71, 0.79, 1 -> row 2 (0.5, 0.5).
    index, how = knee_index(LINE)
    assert index == 2
    assert how == "closest to the ideal point"


def test_knee_of_two_points_is_the_one_closest_to_the_ideal():
    # |(0, 1)| = 1, |(0.02, 0.7)| = sqrt(0.0004 + 0.49) = 0.7003 -> row 1
    index, how = knee_index(CORNER[:2])
    assert index == 1
    assert how == "closest to the ideal point"


# --- pseudo-weights -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("weights", "expected"),
    [
        # Front (0,1), (0.5,0.5), (1,0): pseudo-weights ((nadir - f) / (nadir - ideal), summed to 1)
        # are (1,0), (0.5,0.5), (0,1). Weights (1,1) -> (0.5,0.5): row 1 exactly.
        ((1.0, 1.0), 1),
        # (4,1) -> (0.8,0.2): L1 distances 0.4, 0.6, 1.6 -> row 0
        ((4.0, 1.0), 0),
        # (1,4) -> (0.2,0.8): L1 distances 1.6, 0.6, 0.4 -> row 2
        ((1.0, 4.0), 2),
    ],
)
def test_pseudo_weights_pick_the_point_whose_weights_are_closest(weights, expected):
    front = np.array([(0.0, 1.0), (0.5, 0.5), (1.0, 0.0)])
    assert pseudo_weight_index(front, np.array(weights)) == expected


def test_pseudo_weights_are_scale_free_in_the_configured_weights():
    # (2, 2) and (1, 1) are the same preference once normalized to sum 1
    front = np.array([(0.0, 1.0), (0.5, 0.5), (1.0, 0.0)])
    assert pseudo_weight_index(front, np.array([2.0, 2.0])) == pseudo_weight_index(
        front, np.array([1.0, 1.0])
    )


# --- the choose table -----------------------------------------------------------------------------

OBJECTIVES = ("thickness_um", "total_asr_ohm_cm2")


def corner_front() -> pd.DataFrame:
    """The CORNER front as a table: rows 0-2 sulfide, 3-6 oxide."""
    return pd.DataFrame(
        {
            "material": ["Li6PS5Cl"] * 3 + ["LLZO"] * 4,
            "family": ["sulfide"] * 3 + ["oxide"] * 4,
            "thickness_um": 5.0 + 95.0 * CORNER[:, 0],
            "total_asr_ohm_cm2": 50.0 * CORNER[:, 1],
        },
        index=[10, 11, 12, 13, 14, 15, 16],  # not 0..n-1: positions, not labels, must be used
    )


def test_choose_table_rows_columns_and_reasons():
    front = corner_front()
    chosen = choose(front, CORNER, OBJECTIVES, {"thickness_um": 1.0, "total_asr_ohm_cm2": 1.0})
    assert list(chosen.columns[:3]) == ["choice", "why", "same_as_choice"]
    assert list(chosen.columns[3:]) == list(front.columns)  # every front column kept
    # knee and ASF (equal weights): the corner, row 3. Pseudo-weights: per row
    # ((1 - f1), (1 - f2)) / sum -> row 3 is (0.9, 0.9)/1.8 = (0.5, 0.5), the configured weights.
    # Families in sorted order; best oxide: ASF over rows 3-6 -> row 3 (max 0.1); best sulfide:
    # ASF over rows 0-2 -> (1, 0.7, 0.4) -> row 2.
    # One row per distinct design: the corner is the knee, and the ASF, pseudo-weights and best
    # oxide choices are the same design, named on its row instead of repeated.
    assert list(chosen["choice"]) == ["knee", "best_sulfide"]
    assert list(chosen.index) == [13, 12]
    assert list(chosen["same_as_choice"]) == ["asf, pseudo_weights, best_oxide", ""]
    assert list(chosen["family"]) == ["oxide", "sulfide"]
    why = dict(zip(chosen["choice"], chosen["why"], strict=True))
    assert why["knee"] == "high trade-off point"
    assert "sulfide" in why["best_sulfide"]
    assert all(text.strip() for text in chosen["why"])


def test_choose_weights_change_the_asf_and_family_choices():
    front = corner_front()
    # A missing weight defaults to 1: w = (1, 0.1).
    chosen = choose(front, CORNER, OBJECTIVES, {"total_asr_ohm_cm2": 0.1})
    rows = dict(zip(chosen["choice"], chosen.index, strict=True))
    # ASF with w = (1, 0.1): max per row = (0.1, 0.07, 0.05, 0.1, 0.4, 0.7, 1) -> row 2 (label 12)
    assert rows["asf"] == 12
    assert rows["knee"] == 13  # the knee does not depend on the weights
    # best oxide over rows 3-6: (0.1, 0.4, 0.7, 1) -> row 3, the knee; best sulfide over rows
    # 0-2 -> row 2, the ASF choice: both named on those rows, not repeated
    same = dict(zip(chosen["choice"], chosen["same_as_choice"], strict=True))
    assert "best_oxide" in same["knee"].split(", ")
    assert "best_sulfide" in same["asf"].split(", ")
    assert len(set(chosen.index)) == len(chosen)
    asf_why = chosen.loc[chosen["choice"] == "asf", "why"].iloc[0]
    assert "'thickness_um': 1.0" in asf_why and "'total_asr_ohm_cm2': 0.1" in asf_why


def test_choose_on_an_empty_front_is_an_empty_table_with_the_choice_columns():
    front = corner_front().iloc[:0]
    chosen = choose(front, CORNER[:0], OBJECTIVES, {})
    assert len(chosen) == 0
    assert {"choice", "why"} <= set(chosen.columns)


def test_pseudo_weights_ignore_an_objective_that_is_constant_over_the_front():
    # the front of the parametrized test above with a third objective fixed at 0.5: on the two
    # that vary, weights (1, 4) -> (0.2, 0.8) pick row 2 as before (a NaN weight would give row 0)
    front = np.array([[0.0, 1.0, 0.5], [0.5, 0.5, 0.5], [1.0, 0.0, 0.5]])
    assert pseudo_weight_index(front, np.array([1.0, 4.0, 1.0])) == 2
    assert pseudo_weight_index(np.full((3, 2), 0.5), np.array([1.0, 1.0])) == 0
