"""Batch Monte-Carlo EHVI: the improvement it integrates, its choices, the Kriging believer."""

import numpy as np

from pipeline.campaign.acquisition import REFERENCE_POINT, dominated_counts, greedy_batch
from pipeline.search.nsga2 import hypervolume


def _deterministic(points):
    """One draw per candidate equal to its mean: (S=1, N, d) samples."""
    points = np.asarray(points, float)
    return points[None], np.ones((1, len(points)), bool), points, np.ones(len(points), bool)


def test_improvement_matches_the_exact_hypervolume_gain():
    front = np.array([[0.5, 0.5], [0.2, 0.9]])
    candidate = np.array([[0.3, 0.3]])
    exact = hypervolume(np.vstack([front, candidate])) - hypervolume(front)
    samples, feasible, mean, mean_ok = _deterministic(candidate)
    choice = greedy_batch(
        samples, feasible, mean, mean_ok, np.arange(1), front, 1, n_points=1 << 14
    )
    assert choice.index.tolist() == [0]
    assert abs(choice.acquisition[0] - exact) / exact < 0.03


def test_best_candidate_first_dominated_never_and_duplicates_not_twice():
    front = np.array([[0.5, 0.5]])
    # 0: a large gain, 1: dominated by the front (no gain), 2: a smaller gain, 3: the same as 0
    points = [[0.1, 0.1], [0.7, 0.7], [0.45, 0.45], [0.1, 0.1]]
    samples, feasible, mean, mean_ok = _deterministic(points)
    choice = greedy_batch(
        samples, feasible, mean, mean_ok, np.arange(4), front, 4, n_points=1 << 12
    )
    assert choice.index[0] in (0, 3)
    assert 1 not in choice.index  # nothing to gain: never suggested
    assert not {0, 3} <= set(choice.index.tolist())  # believed 0's outcome: 3 adds nothing
    assert np.all(choice.acquisition > 0)


def test_infeasible_draws_count_for_nothing_and_p_feasible_is_reported():
    rng = np.random.default_rng(0)
    front = np.array([[0.6, 0.6]])
    samples = np.repeat(np.array([[[0.3, 0.3], [0.3, 0.3]]]), 10, axis=0)
    feasible = np.ones((10, 2), bool)
    feasible[rng.permutation(10)[:7], 1] = False  # candidate 1 feasible in 3 of 10 draws
    mean = samples[0]
    choice = greedy_batch(samples, feasible, mean, np.ones(2, bool), np.arange(2), front, 1)
    assert choice.index.tolist() == [0]
    assert np.isclose(choice.acquisition_all[1], 0.3 * choice.acquisition_all[0])
    never = greedy_batch(
        samples, np.zeros((10, 2), bool), mean, np.zeros(2, bool), np.arange(2), front, 2
    )
    assert len(never.index) == 0


def test_believer_collapses_the_uncertain_composition_it_chose():
    # candidates 0 and 1 share a composition: uncertain draws, mean on the front's level; after 0 is
    # chosen its mean is believed, so 1 (same composition) gains only what its own mean adds
    front = np.array([[0.5, 0.5]])
    draws = np.array([[[0.2, 0.2], [0.25, 0.2]], [[0.8, 0.8], [0.8, 0.8]]])  # (S=2, N=2, d)
    mean = np.array([[0.55, 0.55], [0.6, 0.55]])
    choice = greedy_batch(
        draws, np.ones((2, 2), bool), mean, np.ones(2, bool), np.array([7, 7]), front, 2
    )
    assert choice.index.tolist() == [0]  # 1 collapsed to a dominated mean: nothing left to gain


def test_same_seed_same_batch():
    rng = np.random.default_rng(3)
    samples = rng.uniform(0, 1, (16, 40, 3))
    mean = samples.mean(axis=0)
    args = (samples, np.ones((16, 40), bool), mean, np.ones(40, bool), np.arange(40), mean[:5], 6)
    a, b = greedy_batch(*args, seed=5), greedy_batch(*args, seed=5)
    assert a.index.tolist() == b.index.tolist()
    assert np.array_equal(a.acquisition, b.acquisition)
    assert len(set(a.index.tolist())) == len(a.index)


def test_a_set_of_designs_counts_the_union_of_what_its_members_dominate():
    free = np.array([[0.9, 0.3], [0.3, 0.9], [0.95, 0.95], [0.05, 0.05]])
    one = np.array([[[0.2, 0.2], [0.2, 0.2]]])
    two = np.array([[[0.8, 0.1], [0.1, 0.8]]])
    assert dominated_counts(one, free).tolist() == [3]
    assert dominated_counts(two, free).tolist() == [3]  # (0.9,0.3), (0.3,0.9), (0.95,0.95)
    assert dominated_counts(np.array([[REFERENCE_POINT, 0.0]]), free).tolist() == [0]
