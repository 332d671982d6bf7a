"""Figures a researcher would rather look at than read (PNG, matplotlib without a display); the
Pareto front's figures are in pareto.py."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from scipy.stats import norm


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def parity_plot(oof: pd.DataFrame, path: Path, title: str) -> Path:
    """Predicted vs measured log10 σ on held-out compositions, with 90 % intervals."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(5.5, 5.5), dpi=120)
    inside = (oof["y"] >= oof["lower"]) & (oof["y"] <= oof["upper"])
    ax.errorbar(
        oof["y"],
        oof["mean"],
        yerr=[oof["mean"] - oof["lower"], oof["upper"] - oof["mean"]],
        fmt="none",
        ecolor="0.8",
        lw=0.6,
        zorder=1,
    )
    ax.scatter(
        oof["y"][inside], oof["mean"][inside], s=10, c="tab:blue", label="interval covers", zorder=2
    )
    ax.scatter(
        oof["y"][~inside],
        oof["mean"][~inside],
        s=12,
        c="tab:red",
        label="interval misses",
        zorder=3,
    )
    lo, hi = (
        float(min(oof["y"].min(), oof["mean"].min())) - 0.5,
        float(max(oof["y"].max(), oof["mean"].max())) + 0.5,
    )
    ax.plot([lo, hi], [lo, hi], "k--", lw=0.8)
    mae = float(np.mean(np.abs(oof["y"] - oof["mean"])))
    ax.set(
        xlim=(lo, hi),
        ylim=(lo, hi),
        xlabel="measured log10 σ [S/cm]",
        ylabel="predicted log10 σ [S/cm]",
        title=f"{title}\nMAE {mae:.2f}, 90 % interval coverage {inside.mean():.0%} (grouped CV)",
    )
    ax.legend(loc="upper left", fontsize=8)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path


def calibration_plot(oof: pd.DataFrame, path: Path, title: str) -> Path:
    """Observed vs nominal coverage of central Gaussian-equivalent intervals (diagonal = calibrated)."""
    plt = _pyplot()
    levels = np.linspace(0.05, 0.99, 30)
    z = np.abs(oof["y"] - oof["mean"]) / oof["std"].clip(lower=1e-12)
    observed = [(z <= norm.ppf(0.5 + c / 2)).mean() for c in levels]
    fig, ax = plt.subplots(figsize=(5, 5), dpi=120)
    ax.plot(levels, observed, "o-", ms=3, label="surrogate")
    ax.plot([0, 1], [0, 1], "k--", lw=0.8, label="ideal")
    ax.axvline(0.9, color="0.7", lw=0.6)
    ax.set(
        xlabel="nominal coverage",
        ylabel="observed coverage on held-out compositions",
        title=title,
        xlim=(0, 1),
        ylim=(0, 1),
    )
    ax.legend(loc="upper left", fontsize=8)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path


def hypervolume_plot(history: pd.DataFrame, path: Path) -> Path:
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6, 3.5), dpi=120)
    computed = history.dropna(subset=["hypervolume"])  # not every generation records it (HV_EVERY)
    ax.plot(computed["generation"], computed["hypervolume"], "-", lw=1.5)
    ax.set(
        xlabel="generation",
        ylabel="hypervolume of the archive (normalized)",
        title="Search progress",
    )
    ax2 = ax.twinx()
    ax2.plot(history["generation"], history["archive_size"], color="0.6", lw=1, ls="--")
    ax2.set_ylabel("front size", color="0.4")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path
