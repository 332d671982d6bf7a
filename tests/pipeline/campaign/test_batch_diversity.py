"""A batch is a batch (issue 24, item 5): members account for each other through correlated draws,
redundant members add nothing to the batch's joint value, and published compositions carry no
novelty."""

import math

import numpy as np
import pandas as pd
import pytest

from pipeline.campaign.acquisition import batch_value, greedy_batch
from pipeline.campaign.suggest import (
    CORRELATION_LENGTH,
    KNOWN_DISTANCE,
    SuggestOptions,
    fraction_vectors,
    greedy_repeated,
    joint_normal,
    loss_fraction,
    neighbourhood,
    suggest,
)
from pipeline.search.nsga2 import run_nsga2
from pipeline.study.problem import StudyModel
from tests.pipeline.study.test_compositions import FamilySurrogate, composition_config

FRONT = np.array([[0.5, 0.5]])
NONE = pd.DataFrame(columns=["composition", "log10_sigma", "temperature_c", "source"])
FAST = dict(q=4, samples=12, points=1 << 11)


def outcome(base: np.ndarray, z: np.ndarray) -> np.ndarray:
    """(S, N, 2) outcomes: candidate i sits at base[i] and improves both objectives by 0.1·z."""
    return base[None, :, :] - 0.1 * z[:, :, None]


def test_an_identical_second_member_adds_nothing_to_the_batch_value():
    z = np.random.default_rng(0).standard_normal((256, 1))
    base = np.array([[0.45, 0.45], [0.45, 0.45], [0.45, 0.45]])
    # 0 and 1 share one draw (one composition twice); 2 is the same design drawn independently
    draws = np.column_stack([z[:, 0], z[:, 0], np.random.default_rng(1).standard_normal(256)])
    samples = outcome(base, draws)
    ok = np.ones((256, 3), bool)
    one = batch_value(samples, ok, [0], FRONT, n_points=1 << 12)
    assert one > 0.005
    assert batch_value(samples, ok, [0, 1], FRONT, n_points=1 << 12) == one  # adds exactly 0
    # an independent twin adds what its own draws beat the first one's by: here 47 % more
    two = batch_value(samples, ok, [0, 2], FRONT, n_points=1 << 12)
    assert two / one == pytest.approx(1.47, abs=0.05)


def test_a_near_identical_neighbour_adds_almost_nothing_an_independent_one_adds_much():
    rng = np.random.default_rng(2)
    correlation = np.array([[1.0, 0.99, 0.0], [0.99, 1.0, 0.0], [0.0, 0.0, 1.0]])
    z = joint_normal(rng, correlation, 512)
    assert np.corrcoef(z.T)[0, 1] == pytest.approx(0.99, abs=0.01)
    samples = outcome(np.full((3, 2), 0.45), z)
    ok = np.ones((512, 3), bool)
    one = batch_value(samples, ok, [0], FRONT, n_points=1 << 12)
    gain_near = batch_value(samples, ok, [0, 1], FRONT, n_points=1 << 12) - one
    gain_far = batch_value(samples, ok, [0, 2], FRONT, n_points=1 << 12) - one
    # correlation 0.99 leaves 14 % of the spread: the neighbour adds 6 %, an independent one 72 %
    assert gain_near / one == pytest.approx(0.063, abs=0.01)
    assert gain_far / one == pytest.approx(0.72, abs=0.03)


def _three_candidates():
    """0 best, 1 a near neighbour of 0 (correlation 0.99) almost as good, 2 independent and worse
    alone than 1: the plain believer takes 0 then 1, the correlated one 0 then 2."""
    base = np.array([[0.40, 0.40], [0.41, 0.41], [0.44, 0.44]])
    correlation = np.array([[1.0, 0.99, 0.0], [0.99, 1.0, 0.0], [0.0, 0.0, 1.0]])
    z = joint_normal(np.random.default_rng(4), correlation, 64)
    samples = outcome(base, z)

    def redraw(rows, z_rows):
        return outcome(base[rows], z_rows), np.ones(z_rows.shape, bool)

    args = (samples, np.ones((64, 3), bool), base, np.ones(3, bool), np.arange(3), FRONT, 2)
    return args, correlation, z, redraw


def test_conditioning_on_the_chosen_composition_moves_the_batch_to_an_independent_one():
    args, correlation, z, redraw = _three_candidates()
    plain = greedy_batch(*args, n_points=1 << 12)
    joint = greedy_batch(
        *args, n_points=1 << 12, correlation=correlation, z=z.copy(), redraw=redraw
    )
    assert plain.index.tolist() == [0, 1]
    assert joint.index.tolist() == [0, 2]
    samples, feasible = args[0], args[1]
    value = {
        name: batch_value(samples, feasible, choice.index, FRONT, n_points=1 << 12)
        for name, choice in (("plain", plain), ("joint", joint))
    }
    assert value["joint"] > 1.1 * value["plain"]
    # the greedy-repeated batch (single-point ranking) is the plain believer's here
    assert greedy_repeated(joint.acquisition_all, 2).tolist() == [0, 1]
    assert loss_fraction(value["joint"], value["plain"]) > 0.09
    assert loss_fraction(0.0, 0.0) == 0.0


def test_with_correlation_off_the_choice_is_the_plain_believers():
    rng = np.random.default_rng(3)
    n, groups = 30, 12
    group = rng.integers(0, groups, n)
    z = rng.standard_normal((16, groups))
    base = rng.uniform(0.2, 0.8, (n, 3))
    samples = base[None] - 0.1 * z[:, group, None]
    args = (samples, np.ones((16, n), bool), base, np.ones(n, bool), group, base[:4] + 0.2, 6)

    def redraw(rows, z_rows):
        return base[rows][None] - 0.1 * z_rows[:, :, None], np.ones(z_rows.shape, bool)

    plain = greedy_batch(*args, n_points=1 << 11, seed=2)
    identity = greedy_batch(
        *args, n_points=1 << 11, seed=2, correlation=np.eye(groups), z=z, redraw=redraw
    )
    assert len(plain.index) == 6
    assert identity.index.tolist() == plain.index.tolist()
    assert np.array_equal(identity.acquisition, plain.acquisition)
    assert np.array_equal(identity.p_feasible, plain.p_feasible)
    with pytest.raises(ValueError, match="need the draws"):
        greedy_batch(*args, correlation=np.eye(groups))


def test_correlation_model_and_the_published_tolerance():
    ga = ["Li6.55Ga0.15La3Zr2O12", "Li6.49Ga0.17La3Zr2O12", "Li6.4Ga0.2La3Zr2O12"]
    ga += ["Li6.34Ga0.22La3Zr2O12", "Li6.68La3Zr1.68Ta0.32O12"]
    literature = pd.DataFrame(
        {"composition": [ga[0]], "log10_sigma": [-2.89], "rows": [1], "source": ["paper"]}
    )
    formulas = np.array([*ga[1:], "Li6PS5Cl", ""], object)
    near = neighbourhood(formulas, literature, 0.015)
    V, _ = fraction_vectors(ga)
    d = np.linalg.norm(V[2] - V[3])
    assert d == pytest.approx(0.00243, abs=1e-5)
    # neighbouring levels of one family (x 0.20 and 0.22): exp(-d^2 / 2 l^2) = 0.987
    assert near.correlation[1, 2] == pytest.approx(math.exp(-(d**2) / (2 * 0.015**2)))
    assert near.correlation[1, 2] == pytest.approx(0.987, abs=1e-3)
    assert near.correlation[1, 3] == pytest.approx(0.28, abs=0.01)  # Ga x 0.20, Ta x 0.32
    assert near.correlation[1, 4] < 1e-6  # a garnet and an argyrodite
    assert near.correlation[5, 5] == 1.0 and near.correlation[5, :5].max() == 0.0  # no formula
    # x 0.17 lies within KNOWN_DISTANCE (0.0026) of the published x 0.15: no novelty, and its
    # draws are decoupled from the rest (nothing to learn from it); x 0.20 (0.0060) is new
    assert near.known.tolist() == [True, False, False, False, False, False]
    assert near.correlation[0, 1:].max() == 0.0
    distance = near.nearest["literature_distance"]
    assert distance.iloc[0] == pytest.approx(0.00241, abs=1e-5)
    assert distance.iloc[1] == pytest.approx(0.00604, abs=1e-5)
    assert near.nearest["literature_nearest"].iloc[0] == ga[0]
    assert near.nearest["literature_nearest"].iloc[5] == "" and np.isnan(distance.iloc[5])
    assert KNOWN_DISTANCE == pytest.approx(CORRELATION_LENGTH * 0.17386, rel=1e-4)
    off = neighbourhood(formulas[1:4], literature.iloc[:0], 0.0)
    assert np.array_equal(off.correlation, np.eye(3)) and not off.known.any()


@pytest.fixture(scope="module")
def searched(default_config, catalog):
    model = StudyModel(catalog, composition_config(default_config), FamilySurrogate())
    return model, run_nsga2(model, progress=False).archive.X


def test_a_published_composition_has_no_novelty(searched):
    model, archive = searched
    first = suggest(model, archive, SuggestOptions(seed=1, literature=NONE, **FAST))
    designs = first.designs
    assert (designs["log10_sigma_std"] > 0).all()
    target = designs["composition"].dropna().iloc[0]
    # published, even at a σ that would make it better still: not proposed again
    high = pd.DataFrame(
        {"composition": [target], "log10_sigma": [-1.0], "temperature_c": [25.0], "source": ["x"]}
    )
    again = suggest(model, archive, SuggestOptions(seed=1, literature=high, **FAST))
    assert target not in set(again.designs["composition"].dropna())
    # (family_measurements.csv of the catalog counts in both: 144 designs near its members)
    assert first.info["published_within_tolerance"] == 144
    assert again.info["published_within_tolerance"] > 144
    # a measurement 30 degrees C away from the operating temperature does not count
    warm = high.assign(temperature_c=55.0)
    other = suggest(model, archive, SuggestOptions(seed=1, literature=warm, **FAST))
    assert other.info["published_within_tolerance"] == 144
    assert target in set(other.designs["composition"].dropna())
    row = again.designs.iloc[0]  # the catalog's family_measurements.csv counts as published too
    assert row["literature_nearest"] and row["literature_distance"] > KNOWN_DISTANCE
    assert "nearest published" in row["why"]


def test_same_seed_same_joint_batch_and_values(searched):
    model, archive = searched
    options = SuggestOptions(seed=5, literature=NONE, **FAST)
    a, b = suggest(model, archive, options), suggest(model, archive, options)
    pd.testing.assert_frame_equal(a.designs, b.designs)
    for key in ("batch_value_joint", "batch_value_greedy_repeated"):
        assert a.info[key] == b.info[key] and a.info[key] > 0
    assert a.info["batch_value_joint"] >= a.info["batch_value_greedy_repeated"]
    assert "correlated over composition" in a.info["method"]
    plain = suggest(
        model, archive, SuggestOptions(seed=5, literature=NONE, correlation_length=0, **FAST)
    )
    assert "independent compositions" in plain.info["method"]


def test_conditioning_moves_a_neighbours_draws_to_the_believed_value():
    from pipeline.campaign.acquisition import _JointDraws

    correlation = np.array([[1.0, 0.99, 0.0], [0.99, 1.0, 0.0], [0.0, 0.0, 1.0]])
    z = joint_normal(np.random.default_rng(7), correlation, 4096)
    before = z[:, 2].copy()
    joint = _JointDraws(z, correlation)
    moved = joint.condition(0, -1.5)  # the chosen composition believed 1.5 sd below its mean
    assert moved.tolist() == [1]  # the independent group is left alone
    assert np.array_equal(joint.z[:, 2], before) and (joint.z[:, 0] == -1.5).all()
    assert joint.z[:, 1].mean() == pytest.approx(0.99 * -1.5, abs=0.01)
    assert joint.z[:, 1].std() == pytest.approx(math.sqrt(1 - 0.99**2), abs=0.01)
    assert joint.P[1, 1] == pytest.approx(1 - 0.99**2) and joint.P[0, 0] == 0.0
    assert joint.condition(0, 0.0).size == 0  # known now: nothing more to learn from it
