"""Figures: each writer leaves a non-empty file of the right kind (Pareto figures: test_pareto.py)."""

import numpy as np
import pandas as pd
import pytest

from pipeline.reporting import plots

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def assert_png(path):
    data = path.read_bytes()
    assert len(data) > 1000, path
    assert data.startswith(PNG_MAGIC), path


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
