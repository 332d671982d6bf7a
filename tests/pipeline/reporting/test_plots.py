"""Figures: each writer leaves a non-empty file of the right kind; axes are labelled with units."""

import re

import matplotlib
import numpy as np
import pandas as pd
import pytest

from pipeline.reporting import plots

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
OBJECTIVES = ("thickness_um", "total_asr_ohm_cm2", "strength_mpa", "manufacturability")

FRONT = pd.DataFrame(
    {
        "material": ["LLZO", "LLZO", "Li6PS5Cl", "Li6PS5Cl", "PEO-LiTFSI"],
        "process": ["tape_casting"] * 2 + ["wet_coating"] * 2 + ["wet_coating"],
        "coating": ["ald_al2o3", "li3n", "li3n", "none", "none"],
        "family": ["oxide", "oxide", "sulfide", "sulfide", "polymer"],
        "thickness_um": [20.0, 45.0, 30.0, 12.0, 25.0],
        "relative_density": [0.97, 0.98, 0.9, 0.85, 1.0],
        "filler_fraction": [0.0] * 5,
        "total_asr_ohm_cm2": [12.0, 20.0, 4.5, 3.0, 40.0],
        "strength_mpa": [150.0, 160.0, 25.0, 20.0, 10.0],
        "manufacturability": [0.6, 0.55, 0.75, 0.7, 0.9],
        "gravimetric_wh_per_kg": [380.0, 350.0, 400.0, 410.0, 390.0],
    }
)
CHOSEN = FRONT.iloc[[2, 0]].assign(choice=["knee", "best_oxide"], why=["", ""])


def assert_png(path):
    data = path.read_bytes()
    assert len(data) > 1000, path
    assert data.startswith(PNG_MAGIC), path


def svg_texts(path) -> set[str]:
    """Every text element of an SVG written with text kept as text (svg.fonttype none)."""
    return set(re.findall(r"<text[^>]*>([^<]*)</text>", path.read_text(encoding="utf-8")))


@pytest.fixture
def oof():
    """Held-out predictions: 40 compositions, log10 σ, intervals of ±2 (one misses by design)."""
    rng = np.random.default_rng(0)
    y = rng.uniform(-8.0, -2.0, 40)
    mean = y + rng.normal(0.0, 0.5, 40)
    mean[0] = y[0] + 5.0  # outside its interval
    return pd.DataFrame(
        {"y": y, "mean": mean, "lower": mean - 2.0, "upper": mean + 2.0, "std": 1.0}
    )


def test_parity_plot_writes_a_png(tmp_path, oof):
    path = plots.parity_plot(oof, tmp_path / "parity.png", "forest")
    assert path == tmp_path / "parity.png"
    assert_png(path)


def test_calibration_plot_writes_a_png(tmp_path, oof):
    path = plots.calibration_plot(oof, tmp_path / "calibration.png", "forest")
    assert path == tmp_path / "calibration.png"
    assert_png(path)


def test_hypervolume_plot_writes_a_png(tmp_path):
    history = pd.DataFrame(
        {
            "generation": [1, 2, 3, 4],
            "hypervolume": [0.1, 0.3, 0.35, 0.36],
            "archive_size": [5, 12, 18, 20],
        }
    )
    path = plots.hypervolume_plot(history, tmp_path / "hv.png")
    assert path == tmp_path / "hv.png"
    assert_png(path)


def test_scatter_matrix_writes_a_png(tmp_path):
    path = plots.scatter_matrix(FRONT, CHOSEN, OBJECTIVES[:2], tmp_path / "matrix.png")
    assert path == tmp_path / "matrix.png"
    assert_png(path)


def test_scatter_matrix_of_an_empty_front_still_writes_a_png(tmp_path):
    path = plots.scatter_matrix(FRONT.iloc[:0], CHOSEN.iloc[:0], OBJECTIVES[:2], tmp_path / "e.png")
    assert_png(path)


def test_scatter_matrix_axes_carry_units(tmp_path):
    # The figure written as SVG with its text kept as text, so the axis labels can be read back.
    objectives = (*OBJECTIVES, "gravimetric_wh_per_kg")
    with matplotlib.rc_context({"svg.fonttype": "none"}):
        path = plots.scatter_matrix(FRONT, CHOSEN, objectives, tmp_path / "matrix.svg")
    texts = svg_texts(path)
    assert {
        "thickness [µm]",
        "total ASR [Ω cm²]",
        "strength [MPa]",
        "manufacturability [0-1]",
        "stack energy [Wh/kg]",
    } <= texts
    assert not set(objectives) & texts  # no axis is labelled by its bare column name
    # the legend names the families and the chosen designs
    assert {"oxide", "sulfide", "polymer", "chosen"} <= texts


def test_parallel_coordinates_is_a_self_contained_html_with_unit_labels(tmp_path):
    path = plots.parallel_coordinates_html(FRONT, OBJECTIVES, tmp_path / "parallel.html")
    assert path == tmp_path / "parallel.html"
    html = path.read_text(encoding="utf-8")
    assert html.lstrip().lower().startswith("<!doctype html>") or "<html" in html[:500]
    assert not re.search(r"<script[^>]*\bsrc=", html)  # plotly.js inlined: opens without network
    for label in ("thickness [µm]", "total ASR [Ω cm²]", "strength [MPa]", "family"):
        assert f'"label":"{label}"' in html, label
