"""An evaluator stacked over plausible worlds (Evaluator.stacked) gives, design by design, what each
world's own evaluator gives: the designs × worlds population in one call (issue 24, item 1)."""

import copy

import numpy as np
import pytest

from benchmarks.physics import valid_batch
from pipeline.study.catalog import load_catalog
from pipeline.study.config import load_config
from pipeline.study.evaluation import DesignBatch, Evaluator
from pipeline.study.plausible import catalog_with, draw_values, model_with, stacked_model
from pipeline.study.problem import StudyModel
from pipeline.study.robust import WorldsModel
from tests.conftest import CONFIGS

N_WORLDS = 3


@pytest.fixture(scope="module")
def model():
    # a cold end too: the stacked cold evaluator is checked with the operating one
    config = load_config(
        CONFIGS / "default.yaml",
        ["tracking.enabled=false", "constraints.temperature_window_c=[0, 45]"],
    )
    return StudyModel(load_catalog(config.catalog_dir()), config)


@pytest.fixture(scope="module")
def worlds(model):
    values = draw_values(model.catalog.evidence(), N_WORLDS, seed=5)
    return [
        model_with(model, catalog_with(model.catalog, values[s]), "all") for s in range(N_WORLDS)
    ]


def _in_world(batch: DesignBatch, world: int) -> DesignBatch:
    return DesignBatch(**{**vars(batch), "world": np.full(len(batch), world, dtype=np.intp)})


def _assert_same(a: dict, b: dict, rows=slice(None)) -> None:
    assert set(a) == set(b)
    for key in a:
        np.testing.assert_array_equal(a[key][rows], b[key], err_msg=key)


def test_a_stacked_evaluator_gives_each_worlds_own_numbers(model, worlds):
    batch = valid_batch(model.catalog, 3000, seed=2)
    stacked = Evaluator.stacked([w.evaluator for w in worlds])
    every = DesignBatch(
        **{
            name: np.concatenate([getattr(batch, name)] * N_WORLDS)
            for name in ("material", "process", "coating")
        },
        thickness_um=np.tile(batch.thickness_um, N_WORLDS),
        relative_density=np.tile(batch.relative_density, N_WORLDS),
        filler_fraction=np.tile(batch.filler_fraction, N_WORLDS),
        world=np.repeat(np.arange(N_WORLDS), len(batch)),
    )
    with np.errstate(all="ignore"):
        together = stacked(every, chunk_size=4096)  # chunks cross the worlds' boundaries
        for s, world in enumerate(worlds):
            alone = world.evaluator(batch)
            _assert_same(together, alone, slice(s * len(batch), (s + 1) * len(batch)))
    # the worlds differ (else the test could not tell a world from another)
    first = together["total_asr_ohm_cm2"][: len(batch)]
    second = together["total_asr_ohm_cm2"][len(batch) : 2 * len(batch)]
    assert np.nanmax(np.abs(first - second)) > 0.0


def test_one_world_stacked_is_the_plain_evaluator(model):
    batch = valid_batch(model.catalog, 500, seed=3)
    with np.errstate(all="ignore"):
        plain = model.evaluator(batch)
        stacked = Evaluator.stacked([model.evaluator])(_in_world(batch, 0))
    _assert_same(stacked, plain)


def test_the_search_over_worlds_matches_a_loop_over_the_worlds(model, worlds):
    X = np.random.default_rng(4).random((200, model.space.n_var))
    F, feasible, worst = WorldsModel(model, worlds)._in_worlds(X)
    assert F.shape == (N_WORLDS, 200, model.n_obj)
    for s, world in enumerate(worlds):
        F0, G0, _ = world.evaluate(X)
        np.testing.assert_array_equal(F[s], F0)
        np.testing.assert_array_equal(feasible[s], np.all(G0 <= 0.0, axis=1))
        np.testing.assert_array_equal(worst[s], G0.max(axis=1))
    # the worlds disagree on some design's verdict or objectives
    assert not np.array_equal(F[0], F[1]) or not np.array_equal(feasible[0], feasible[1])


def test_an_empty_population_is_evaluated_in_every_world(model, worlds):
    F, feasible, worst = WorldsModel(model, worlds)._in_worlds(np.empty((0, model.space.n_var)))
    assert F.shape == (N_WORLDS, 0, model.n_obj)
    assert feasible.shape == worst.shape == (N_WORLDS, 0)


def test_stacking_refuses_a_table_it_cannot_place(model):
    odd = copy.copy(model.evaluator)
    odd.new_table = np.zeros(3)
    with pytest.raises(TypeError, match="new_table"):
        Evaluator.stacked([odd, odd])
    with pytest.raises(TypeError, match="different tables"):
        Evaluator.stacked([model.evaluator, odd])


def test_stacking_refuses_worlds_of_different_studies(model):
    other = copy.copy(model.evaluator)
    other.charge_current_ma_per_cm2 = 4.0
    with pytest.raises(ValueError, match="charge_current_ma_per_cm2"):
        Evaluator.stacked([model.evaluator, other])


def test_a_sigma_shift_over_stacked_worlds_is_each_worlds_own(model, worlds):
    X = np.random.default_rng(0).random((50, model.space.n_var))
    shift = np.random.default_rng(1).normal(0.0, 0.3, (N_WORLDS, 50))
    F, G, _ = stacked_model(model, worlds).evaluate(
        np.tile(X, (N_WORLDS, 1)), shift.ravel(), world=np.repeat(np.arange(N_WORLDS), 50)
    )
    for s, world in enumerate(worlds):
        F0, G0, _ = world.evaluate(X, shift[s])
        np.testing.assert_array_equal(F[s * 50 : (s + 1) * 50], F0)
        np.testing.assert_array_equal(G[s * 50 : (s + 1) * 50], G0)


def test_a_plausible_world_does_not_take_the_robust_quantile_again():
    """In a world every catalog σ is one draw from its evidence range: robust mode's quantile of
    that same range on top would count its uncertainty twice (problem.StudyModel.evaluate)."""
    config = load_config(
        CONFIGS / "default.yaml", ["tracking.enabled=false", "surrogate.robust=true"]
    )
    robust = StudyModel(load_catalog(config.catalog_dir()), config)
    values = draw_values(robust.catalog.evidence(), 2, seed=5)
    worlds = [model_with(robust, catalog_with(robust.catalog, v), "all") for v in values]
    X = np.random.default_rng(4).random((300, robust.space.n_var))
    with np.errstate(all="ignore"):
        _, _, nominal = robust.evaluate(X)
        _, _, drawn = stacked_model(robust, worlds).evaluate(
            np.tile(X, (2, 1)), world=np.repeat(np.arange(2), len(X))
        )
    known = np.isfinite(nominal["total_asr_ohm_cm2"])
    assert np.any(nominal["robust_asr_ohm_cm2"][known] > nominal["total_asr_ohm_cm2"][known])
    np.testing.assert_array_equal(drawn["robust_asr_ohm_cm2"], drawn["total_asr_ohm_cm2"])


def test_a_world_or_a_moved_sigma_takes_no_robust_quantile_and_a_prior_catalog_its_own():
    """Robust mode in the reports' worlds and the one-value-at-a-time screening: a σ_ref set to one
    value (a draw, a range end) is not uncertain any more; the others keep their factors."""
    from pipeline.reporting.decisive import _at

    config = load_config(
        CONFIGS / "default.yaml", ["tracking.enabled=false", "surrogate.robust=true"]
    )
    robust = StudyModel(load_catalog(config.catalog_dir()), config)
    ids = list(robust.catalog.material_ids)
    nominal = robust.conductivity.robust_factor
    assert nominal[ids.index("LLZO")] > 1.3 and nominal[ids.index("LATP")] > 1.8
    world = draw_values(robust.catalog.evidence(), 1, seed=5)[0]
    drawn = model_with(robust, catalog_with(robust.catalog, world), "all")
    assert np.all(drawn.conductivity.robust_factor == 1.0)
    ev = robust.catalog.evidence()
    row = ev[(ev["item"] == "LLZO") & (ev["property"] == "sigma_ref_s_per_cm")].iloc[0]
    at_low = model_with(robust, _at(robust.catalog, row, float(row["low"])), "moved")
    factor = at_low.conductivity.robust_factor
    assert factor[ids.index("LLZO")] == 1.0
    assert factor[ids.index("LATP")] == nominal[ids.index("LATP")]
    # the composite with an LLZO filler: the larger of its phases', LLZO's now 1
    matrix = nominal[ids.index("PEO-LiTFSI")]
    assert factor[ids.index("PEO-LiTFSI+LLZO")] == pytest.approx(max(matrix, 1.0))
    # a catalog of other evidence (the prior of measured values): its own ranges, nothing fixed
    same = model_with(robust, robust.catalog, "none")
    np.testing.assert_array_equal(same.conductivity.robust_factor, nominal)
    with pytest.raises(ValueError, match="fixed_sigma"):
        model_with(robust, robust.catalog, "some")
