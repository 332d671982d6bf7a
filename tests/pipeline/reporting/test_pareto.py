"""The Pareto view: the bounded display front, the pairwise projections (inspected as matplotlib
Figure objects: labels with units and direction, legend, each chosen design marked distinctly,
constraint limits), the parallel-coordinates page and the two-run overlay."""

import matplotlib
import numpy as np
import pandas as pd
import pytest

from pipeline.reporting import pareto
from pipeline.reporting.compare import compare_fronts, design_keys
from pipeline.study.constraints import objective_limits

OBJECTIVES = ("thickness_um", "total_asr_ohm_cm2", "strength_mpa", "manufacturability")
BOUNDS = {
    "thickness_um": (0.0, 250.0),
    "total_asr_ohm_cm2": (0.0, 50.0),
    "strength_mpa": (0.0, 300.0),
    "manufacturability": (0.0, 1.0),
}
# what the registry says for these objectives, written out once here to check the figures against
LABELS = {
    "thickness_um": "thickness [µm] ↓",
    "total_asr_ohm_cm2": "total ASR [Ω cm²] ↓",
    "strength_mpa": "strength [MPa] ↑",
    "manufacturability": "manufacturability [0-1] ↑",
}


def synthetic_front(n: int, seed: int = 0) -> pd.DataFrame:
    """n designs per material of two materials with a thickness/ASR/strength trade-off."""
    rng = np.random.default_rng(seed)
    rows = []
    for material, family, sigma, strength in (
        ("LLZO", "oxide", 4.9e-4, 150.0),
        ("Li6PS5Cl", "sulfide", 2.0e-3, 30.0),
    ):
        t = np.exp(rng.uniform(np.log(10.0), np.log(200.0), n))
        density = rng.uniform(0.85, 1.0, n)
        rows.append(
            pd.DataFrame(
                {
                    "material": material,
                    "family": family,
                    "process": rng.choice(["tape_casting", "wet_coating"], n),
                    "coating": rng.choice(["none", "li3n", "ald_al2o3"], n),
                    "thickness_um": t,
                    "relative_density": density,
                    "filler_fraction": 0.0,
                    "total_asr_ohm_cm2": t * 1e-4 / (sigma * density) + 2.0,
                    "strength_mpa": strength * np.exp(-4.1 * (1 - density)),
                    "manufacturability": rng.choice([0.55, 0.6, 0.72, 0.84], n),
                }
            )
        )
    return pd.concat(rows, ignore_index=True)


FRONT = synthetic_front(400)


def chosen_from(front: pd.DataFrame) -> pd.DataFrame:
    picks = front.iloc[[10, 500, 620]]
    return picks.assign(
        choice=["knee", "asf", "best_sulfide"], why="", same_as_choice=["", "best_oxide", ""]
    )


CHOSEN = chosen_from(FRONT)


# --- display front -----------------------------------------------------------------------------------


def test_a_small_front_is_shown_whole():
    shown = pareto.display_front(FRONT.iloc[:150], OBJECTIVES, BOUNDS)
    assert shown.eps == 0.0 and shown.total == 150
    assert shown.designs.equals(FRONT.iloc[:150])


def test_thinning_bounds_the_designs_and_keeps_every_material():
    shown = pareto.display_front(FRONT, OBJECTIVES, BOUNDS, max_designs=120)
    assert 0 < len(shown.designs) <= 120 and shown.total == len(FRONT) and shown.eps > 0
    assert set(shown.designs["material"]) == set(FRONT["material"])
    assert set(shown.designs.index) <= set(FRONT.index)  # designs of the front, not new points
    again = pareto.display_front(FRONT, OBJECTIVES, BOUNDS, max_designs=120)
    assert again.designs.index.equals(shown.designs.index)  # deterministic


def test_every_front_design_has_a_shown_design_of_its_material_within_epsilon():
    # the ε-dominance guarantee: for each design f there is a kept g with g_i < f_i + ε in every
    # normalized objective (0 = best), so nothing the display drops is more than ε better anywhere
    shown = pareto.display_front(FRONT, OBJECTIVES, BOUNDS, max_designs=120)
    F = pareto.normalized_objectives(FRONT, OBJECTIVES, BOUNDS)
    kept = FRONT.index.get_indexer(shown.designs.index)
    for material in FRONT["material"].unique():
        mine = np.flatnonzero(FRONT["material"].to_numpy() == material)
        theirs = np.intersect1d(kept, mine)
        covered = np.all(F[theirs][None, :, :] < F[mine][:, None, :] + shown.eps, axis=2).any(1)
        assert covered.all(), material


def test_epsilon_archive_drops_a_box_dominated_by_another():
    F = np.array([[0.10, 0.30], [0.12, 0.33], [0.55, 0.05], [0.51, 0.02], [0.45, 0.35]])
    # ε = 0.2: boxes (0,1), (0,1), (2,0), (2,0), (2,1); (2,1) is dominated by both others and
    # dropped; each kept box keeps the design nearest its best corner
    assert list(pareto.epsilon_kept(F, 0.2)) == [0, 3]
    # ε = 0.6: every design in box (0,0): the one nearest the origin stays
    assert list(pareto.epsilon_kept(F, 0.6)) == [0]


# --- pairwise projections --------------------------------------------------------------------------


@pytest.fixture
def figure(default_config):
    shown = pareto.display_front(FRONT, OBJECTIVES, BOUNDS, max_designs=120)
    fig = pareto.pareto_figure(
        shown, CHOSEN, OBJECTIVES, objective_limits(default_config), "Pareto front of study 'x'"
    )
    yield fig
    matplotlib.pyplot.close(fig)


def panels(fig):
    return [ax for ax in fig.axes if ax.axison]


def test_one_panel_per_pair_of_objectives_and_no_histograms(figure):
    shown = panels(figure)
    n = len(OBJECTIVES)
    assert len(shown) == n * (n - 1) // 2  # the lower triangle only: no repeated upper triangle
    for ax in shown:
        assert not ax.containers  # no bar charts (the count histograms are gone)


def test_axes_carry_label_unit_and_direction_from_the_registry(figure):
    xlabels = {ax.get_xlabel() for ax in panels(figure)} - {""}
    ylabels = {ax.get_ylabel() for ax in panels(figure)} - {""}
    assert xlabels == {LABELS[o] for o in OBJECTIVES[:-1]}
    assert ylabels == {LABELS[o] for o in OBJECTIVES[1:]}
    for ax in panels(figure):
        # no axis of a scatter is labelled with a bare column name or counts
        assert ax.get_xlabel() not in OBJECTIVES and "count" not in ax.get_ylabel()


def legend_texts(fig) -> list[str]:
    (legend,) = fig.legends
    return [t.get_text() for t in legend.get_texts()]


def test_legend_names_materials_with_families_choices_and_limits(figure):
    texts = legend_texts(figure)
    assert {"LLZO (oxide)", "Li6PS5Cl (sulfide)"} <= set(texts)
    chosen = [t for t in texts if t[0].isdigit()]
    assert [t.split(":")[0] for t in chosen] == ["1 knee", "2 asf (= best_oxide)", "3 best_sulfide"]
    row = CHOSEN.iloc[0]
    assert chosen[0].endswith(
        f"{row.material} / {row.process} / {row.coating}, {row.thickness_um:.3g} µm"
    )
    # the default config's ASR and strength limits: both objectives are axes of this figure
    assert "limit: total ASR ≤ 50 Ω cm²" in texts and "limit: strength ≥ 10 MPa" in texts


def test_each_chosen_design_has_its_own_marker_at_its_values_with_its_number(figure):
    for ax in panels(figure):
        x_name = next(o for o in OBJECTIVES if LABELS[o] == _x_of(figure, ax))
        y_name = next(o for o in OBJECTIVES if LABELS[o] == _y_of(figure, ax))
        marks = [c for c in ax.collections if c.get_label()[:1].isdigit()]
        assert len(marks) == len(CHOSEN)
        shapes = {tuple(np.round(c.get_paths()[0].vertices, 6).ravel()) for c in marks}
        assert len(shapes) == len(CHOSEN)  # a distinct marker shape for each choice
        for mark, row in zip(marks, CHOSEN.itertuples(), strict=True):
            np.testing.assert_allclose(
                mark.get_offsets()[0], [getattr(row, x_name), getattr(row, y_name)]
            )
            assert mark.get_sizes()[0] > 5 * max(
                c.get_sizes()[0] for c in ax.collections if c.get_label() == "LLZO (oxide)"
            )
        assert sorted(t.get_text() for t in ax.texts) == ["1", "2", "3"]


def _x_of(fig, ax) -> str:
    """The x label of the panel's column (only the bottom row carries it)."""
    column = [a for a in panels(fig) if a.get_subplotspec().colspan == ax.get_subplotspec().colspan]
    return next(a.get_xlabel() for a in column if a.get_xlabel())


def _y_of(fig, ax) -> str:
    row = [a for a in panels(fig) if a.get_subplotspec().rowspan == ax.get_subplotspec().rowspan]
    return next(a.get_ylabel() for a in row if a.get_ylabel())


def test_limits_are_drawn_on_the_panels_of_their_objective(figure):
    for ax in panels(figure):
        limits = {line.get_label() for line in ax.lines}
        has_asr = LABELS["total_asr_ohm_cm2"] in (_x_of(figure, ax), _y_of(figure, ax))
        assert ("limit: total ASR ≤ 50 Ω cm²" in limits) == has_asr
    (asr_panel,) = [a for a in panels(figure) if _x_of(figure, a) == LABELS["total_asr_ohm_cm2"]][
        :1
    ]
    (line,) = [li for li in asr_panel.lines if "ASR" in li.get_label()]
    assert list(line.get_xdata()) == [50.0, 50.0]


def test_title_states_the_thinning(figure):
    texts = [t.get_text() for t in figure.texts]
    assert any("of 800 front designs shown (ε-dominance thinning per material" in t for t in texts)


def test_the_figure_is_written_as_png(tmp_path, figure):
    path = pareto.save(figure, tmp_path / "pareto_front.png")
    assert path.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")


# --- parallel coordinates ---------------------------------------------------------------------------


def test_parallel_coordinates_page_is_small_self_contained_and_labelled():
    shown = pareto.display_front(FRONT, OBJECTIVES, BOUNDS)
    page = pareto.parallel_coordinates_html(shown, CHOSEN, OBJECTIVES, "Parallel coordinates")
    assert len(page.encode()) < 150_000  # no JavaScript library inlined
    assert "<script src" not in page and "plotly" not in page.lower()
    for axis in ("material", "process", "coating", "relative density"):
        assert f">{axis}</text>" in page, axis
    assert ">thickness<tspan x='" in page and "[µm] ↓</tspan>" in page
    assert ">strength<tspan" in page and "[MPa] ↑</tspan>" in page
    assert page.count("<path class='design'") == len(shown.designs)
    assert page.count("<path class='design chosen'") == len(CHOSEN)
    for number, choice in enumerate(CHOSEN["choice"], start=1):
        assert "<text class='tag'" in page and f">{number} {choice}</text>" in page
    assert "LLZO (oxide)" in page and "Li6PS5Cl (sulfide)" in page
    for level in ("tape_casting", "wet_coating", "li3n", "ald_al2o3"):  # categorical ticks
        assert f">{level}</text>" in page


# --- two runs overlaid ------------------------------------------------------------------------------


def test_overlay_legend_counts_match_the_comparison(default_config):
    before, after = synthetic_front(150, seed=1), synthetic_front(150, seed=2)
    after = pd.concat([after, before.iloc[:40]], ignore_index=True)  # 40 designs on both fronts
    entered = ~design_keys(after).isin(set(design_keys(before)))
    left = ~design_keys(before).isin(set(design_keys(after)))
    fig = pareto.overlay_figure(
        before,
        after,
        OBJECTIVES,
        BOUNDS,
        ("A", "B"),
        objective_limits(default_config),
        entered,
        left,
    )
    metrics, _ = compare_fronts(before, after)
    assert legend_texts(fig) == [
        f"on both fronts: {int(metrics['compare.designs_kept'])}",
        f"left (only in A): {int(metrics['compare.designs_left'])}",
        f"entered (only in B): {int(metrics['compare.designs_entered'])}",
    ]
    assert metrics["compare.designs_kept"] == 40
    assert len(panels(fig)) == 6
    matplotlib.pyplot.close(fig)
