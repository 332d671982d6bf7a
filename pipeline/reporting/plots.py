"""Figures a researcher would rather look at than read (PNG, matplotlib without a display)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from scipy.stats import norm

from pipeline.study.registry import axis_label


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


def scatter_matrix(
    front: pd.DataFrame, chosen: pd.DataFrame, objectives: tuple[str, ...], path: Path
) -> Path:
    """Pairwise scatter of the objectives over the front, coloured by family, chosen designs marked."""
    plt = _pyplot()
    n = len(objectives)
    fig, axes = plt.subplots(n, n, figsize=(2.6 * n, 2.6 * n), dpi=110, squeeze=False)
    families = sorted(front["family"].unique()) if len(front) else []
    colours = {f: plt.get_cmap("tab10")(i % 10) for i, f in enumerate(families)}
    for i, yi in enumerate(objectives):
        for j, xj in enumerate(objectives):
            ax = axes[i, j]
            if i == j:
                for f in families:
                    values = front.loc[
                        front["family"] == f, xj
                    ].dropna()  # unknown values are not plotted
                    if len(values):
                        ax.hist(values, bins=20, color=colours[f], alpha=0.6)
            else:
                for f in families:
                    sub = front[front["family"] == f]
                    ax.scatter(sub[xj], sub[yi], s=4, color=colours[f], alpha=0.5, label=f)
                ax.scatter(
                    chosen[xj],
                    chosen[yi],
                    s=60,
                    facecolors="none",
                    edgecolors="k",
                    linewidths=1.2,
                    label="chosen",
                )
            if i == n - 1:
                ax.set_xlabel(axis_label(xj), fontsize=8)
            if j == 0:
                ax.set_ylabel(axis_label(yi), fontsize=8)
            ax.tick_params(labelsize=7)
    handles, labels = axes[0, 1].get_legend_handles_labels() if n > 1 else ([], [])
    if handles:
        fig.legend(
            handles, labels, loc="upper center", ncol=min(len(labels), 6), fontsize=8, markerscale=3
        )
    fig.tight_layout(rect=(0, 0, 1, 0.96))
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


def parallel_coordinates_html(front: pd.DataFrame, objectives: tuple[str, ...], path: Path) -> Path:
    """Interactive parallel coordinates (plotly, self-contained HTML: no network needed to view it)."""
    import plotly.graph_objects as go

    codes = {f: i for i, f in enumerate(sorted(front["family"].unique()))}
    dims = [
        dict(
            label="family",
            values=front["family"].map(codes),
            tickvals=list(codes.values()),
            ticktext=list(codes),
        )
    ]
    dims += [dict(label=axis_label(o), values=front[o]) for o in objectives]
    dims += [dict(label="relative density", values=front["relative_density"])]
    fig = go.Figure(
        go.Parcoords(
            line=dict(color=front["family"].map(codes), colorscale="Turbo"), dimensions=dims
        )
    )
    fig.update_layout(title="Pareto front: drag along an axis to filter")
    fig.write_html(path, include_plotlyjs=True, full_html=True)
    return path
