"""The Pareto front as a scientist reviews it: a bounded display front, pairwise 2-D projections
(PNG, shown inline by the MLflow UI), a small interactive parallel-coordinates page, and the overlay
of two runs' fronts.

Labels, units and directions come from the registry (OBJECTIVES); constraint limits from the
constraints that bound an objective directly (constraints.objective_limits).

Display front: the archive keeps every non-dominated design ever found, thousands of near-duplicates
once the hypervolume has converged. For figures and the CSV the front is thinned by ε-dominance
(Laumanns et al., Evol. Comput. 10(3), 2002) on the objectives normalized by the study's fixed
bounds: the normalized objective space is cut into boxes of side ε, one design is kept per box (the
one nearest the box's best corner) and boxes ε-dominated by another box are dropped; ε is the
smallest of a geometric ladder for which at most `max_designs` designs remain. Thinning is done per
material, so every material present on the front stays visible. The full front stays in Parquet.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from pipeline.study.registry import G_CLIP, OBJECTIVES, normalize

DISPLAY_MAX_DESIGNS = 200  # designs in the display front (plots, CSV, parallel coordinates)
MARKERS = ("*", "D", "P", "X", "s", "^", "v", "p", "h", "<", ">", "8")
# where each chosen design's number sits around its marker (points), so close choices stay legible
NUMBER_OFFSETS = ((6, 5), (-12, 5), (6, -12), (-12, -12))
LIMIT_COLOUR = "crimson"


# --- display front ---------------------------------------------------------------------------------


def arrow(objective: str) -> str:
    """The better direction: ↓ for a minimized objective, ↑ for a maximized one."""
    return "↑" if OBJECTIVES[objective].maximized else "↓"


def direction_label(objective: str) -> str:
    """'thickness [µm] ↓': the registry's label and unit, and which way is better."""
    return f"{OBJECTIVES[objective].axis_label} {arrow(objective)}"


def normalized_objectives(
    front: pd.DataFrame, objectives: tuple[str, ...], bounds: dict[str, tuple[float, float]]
) -> np.ndarray:
    """Reported objective columns mapped to [0, 1] by the fixed bounds (0 = best); an unknown value
    counts as the worst, as in the search (registry.Objective.minimized)."""
    F = np.empty((len(front), len(objectives)))
    for j, name in enumerate(objectives):
        value = front[name].to_numpy(float)
        F[:, j] = (
            -np.nan_to_num(value, nan=0.0)
            if OBJECTIVES[name].maximized
            else np.nan_to_num(value, nan=G_CLIP)
        )
    return normalize(F, objectives, bounds)


def epsilon_kept(F: np.ndarray, eps: float) -> np.ndarray:
    """Indices of the designs an ε-dominance archive keeps (one per non-dominated ε-box)."""
    if len(F) == 0:
        return np.zeros(0, dtype=int)
    boxes = np.floor(F / eps)
    # per box, the design closest to the box's best corner (ties: the first in front order)
    distance = np.linalg.norm(F - boxes * eps, axis=1)
    order = np.lexsort((np.arange(len(F)), distance))
    _, first = np.unique(boxes[order], axis=0, return_index=True)
    keep = order[first]
    unique = boxes[keep]
    # a box is dropped when another box is at least as good in every objective (ε-dominated)
    weakly_better = np.all(unique[None, :, :] <= unique[:, None, :], axis=2)
    np.fill_diagonal(weakly_better, False)
    return np.sort(keep[~weakly_better.any(axis=1)])


@dataclass(frozen=True)
class DisplayFront:
    designs: pd.DataFrame  # rows of the front, in front order
    eps: float  # 0.0: no thinning was needed
    total: int  # designs on the full front


def display_front(
    front: pd.DataFrame,
    objectives: tuple[str, ...],
    bounds: dict[str, tuple[float, float]],
    max_designs: int = DISPLAY_MAX_DESIGNS,
) -> DisplayFront:
    """At most max_designs designs of the front: the whole front when it is that small, otherwise
    the per-material ε-dominance archive with the smallest ε on a 1.2× ladder from 0.001 that fits."""
    if len(front) <= max_designs:
        return DisplayFront(front, 0.0, len(front))
    F = normalized_objectives(front, objectives, bounds)
    groups = [np.flatnonzero(front["material"].to_numpy() == m) for m in front["material"].unique()]
    eps = 1e-3
    while True:
        kept = np.sort(np.concatenate([g[epsilon_kept(F[g], eps)] for g in groups]))
        if len(kept) <= max_designs or eps > 1.0:
            return DisplayFront(front.iloc[kept], eps, len(front))
        eps *= 1.2


# --- pairwise projections ----------------------------------------------------------------------------


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def material_colours(materials) -> dict[str, Any]:
    plt = _pyplot()
    cmap = plt.get_cmap("tab10")
    return {m: cmap(i % 10) for i, m in enumerate(sorted(set(materials)))}


def choice_label(number: int, row) -> str:
    """'1 knee (= asf): Li6PS5Cl / wet_coating / li3n, 18 µm'."""
    same = getattr(row, "same_as_choice", "")
    same = same if isinstance(same, str) else ""  # read back from CSV, an empty cell is NaN
    name = row.choice + (f" (= {same})" if same else "")
    return f"{number} {name}: {row.material} / {row.process} / {row.coating}, {row.thickness_um:.3g} µm"


def _grid(n: int, plt, width: float = 2.6):
    """Lower triangle of pairwise panels: row r plots objective r+1 against objective c ≤ r."""
    k = n - 1
    fig, axes = plt.subplots(
        k, k, figsize=(width * k + 0.8, width * k + 0.9), dpi=100, squeeze=False
    )
    for r in range(k):
        for c in range(k):
            if c > r:
                axes[r, c].set_axis_off()  # the upper triangle would only repeat the lower one
    return fig, axes


def _panels(objectives: tuple[str, ...], axes):
    """(axes, x objective, y objective) of each lower-triangle panel, labelled on the outer edge."""
    k = len(objectives) - 1
    for r in range(k):
        for c in range(r + 1):
            ax = axes[r, c]
            x, y = objectives[c], objectives[r + 1]
            ax.tick_params(labelsize=7)
            ax.set_xlabel(direction_label(x) if r == k - 1 else "", fontsize=8)
            ax.set_ylabel(direction_label(y) if c == 0 else "", fontsize=8)
            ax.grid(True, lw=0.3, alpha=0.5)
            yield ax, x, y


def _draw_limits(ax, x: str, y: str, limits: dict[str, tuple[str, float]]) -> None:
    """A dashed line at each limit of the panel's axes, the infeasible side lightly shaded."""
    for name, line, span, axis in (
        (x, ax.axvline, ax.axvspan, "x"),
        (y, ax.axhline, ax.axhspan, "y"),
    ):
        if name not in limits:
            continue
        relation, value = limits[name]
        label = f"limit: {OBJECTIVES[name].label} {relation} {value:g} {OBJECTIVES[name].unit}"
        line(value, color=LIMIT_COLOUR, ls="--", lw=1.0, label=label, zorder=1)
        low, high = ax.get_xlim() if axis == "x" else ax.get_ylim()
        if relation == "≤":
            span(value, max(high, value), color=LIMIT_COLOUR, alpha=0.07, lw=0, zorder=0)
        else:
            span(min(low, value), value, color=LIMIT_COLOUR, alpha=0.07, lw=0, zorder=0)


def pareto_figure(
    shown: DisplayFront,
    chosen: pd.DataFrame,
    objectives: tuple[str, ...],
    limits: dict[str, tuple[str, float]],
    title: str,
):
    """Matplotlib Figure of the display front's pairwise projections: materials as colours (legend
    names each with its family), each chosen design with its own marker and number, limits drawn."""
    plt = _pyplot()
    designs = shown.designs
    fig, axes = _grid(len(objectives), plt)
    colours = material_colours(designs["material"]) if len(designs) else {}
    families = dict(zip(designs["material"], designs["family"], strict=False))
    for ax, x, y in _panels(objectives, axes):
        for material, colour in colours.items():
            sub = designs[designs["material"] == material]
            ax.scatter(
                sub[x],
                sub[y],
                s=9,
                color=colour,
                alpha=0.6,
                lw=0,
                label=f"{material} ({families[material]})",
                zorder=2,
            )
        for number, row in enumerate(chosen.itertuples(index=False), start=1):
            ax.scatter(
                [getattr(row, x)],
                [getattr(row, y)],
                s=110,
                marker=MARKERS[(number - 1) % len(MARKERS)],
                facecolor=colours.get(row.material, "white"),
                edgecolor="black",
                lw=1.1,
                label=choice_label(number, row),
                zorder=4,
            )
            ax.annotate(
                str(number),
                (getattr(row, x), getattr(row, y)),
                xytext=NUMBER_OFFSETS[(number - 1) % len(NUMBER_OFFSETS)],
                textcoords="offset points",
                fontsize=7,
                fontweight="bold",
                zorder=5,
            )
        _draw_limits(ax, x, y, limits)
    handles, labels = [], []
    for ax, *_ in _panels(objectives, axes):  # every entry once, whichever panel drew it
        for h, lab in zip(*ax.get_legend_handles_labels(), strict=True):
            if lab not in labels:
                handles.append(h)
                labels.append(lab)
    if handles:
        fig.legend(
            handles,
            labels,
            loc="upper right",
            bbox_to_anchor=(0.995, 0.93),
            fontsize=7.5,
            markerscale=1.0,
            frameon=True,
            title="material (family) · chosen designs · limits",
            title_fontsize=8,
        )
    fig.suptitle(title, fontsize=11, x=0.02, y=0.995, ha="left", va="top")
    thinned = (
        f"{len(designs)} of {shown.total} front designs shown (ε-dominance thinning per material, "
        f"ε = {shown.eps:.3g} of each normalized range)"
        if shown.eps
        else f"all {shown.total} front designs shown"
    )
    fig.text(
        0.02,
        0.968,
        thinned + ";\narrows point to the better direction (↓ minimized, ↑ maximized)",
        fontsize=8,
        ha="left",
        va="top",
    )
    fig.tight_layout(rect=(0, 0, 1, 0.93))
    return fig


def save(fig, path: Path) -> Path:
    plt = _pyplot()
    fig.savefig(path)
    plt.close(fig)
    return path


# --- two runs' fronts overlaid -----------------------------------------------------------------------


def overlay_figure(
    before: pd.DataFrame,
    after: pd.DataFrame,
    objectives: tuple[str, ...],
    bounds: dict[str, tuple[float, float]],
    labels: tuple[str, str],
    limits: dict[str, tuple[str, float]],
    entered: pd.Series,
    left: pd.Series,
):
    """Both fronts on the same projections: designs on both in grey, designs that left (only in
    `before`) as blue crosses, designs that entered (only in `after`) as orange dots; each set
    ε-thinned for display. entered / left: masks over after / before (compare.design_keys)."""
    plt = _pyplot()
    fig, axes = _grid(len(objectives), plt)
    sets = (
        # counted as compare.designs_kept counts: the designs of `before` still on the front
        ("on both fronts", before[~left.to_numpy(bool)], dict(color="0.6", s=8, marker="o", lw=0)),
        (
            f"left (only in {labels[0]})",
            before[left.to_numpy(bool)],
            dict(color="tab:blue", s=16, marker="x", lw=0.9),
        ),
        (
            f"entered (only in {labels[1]})",
            after[entered.to_numpy(bool)],
            dict(color="tab:orange", s=12, marker="o", lw=0),
        ),
    )
    shown = {name: display_front(frame, objectives, bounds) for name, frame, _ in sets}
    for ax, x, y in _panels(objectives, axes):
        for name, frame, style in sets:
            part = shown[name].designs
            ax.scatter(part[x], part[y], alpha=0.7, label=f"{name}: {len(frame)}", **style)
        _draw_limits(ax, x, y, limits)
    handles, names = axes[-1, 0].get_legend_handles_labels()
    fig.legend(
        handles, names, loc="upper right", bbox_to_anchor=(0.995, 0.93), fontsize=8, markerscale=2
    )
    fig.suptitle(
        f"Front of {labels[1]} against {labels[0]}",
        fontsize=11,
        x=0.02,
        y=0.995,
        ha="left",
        va="top",
    )
    fig.text(
        0.02,
        0.968,
        "design counts in the legend; up to "
        f"{DISPLAY_MAX_DESIGNS} of each set drawn (ε-thinned); ↓ minimized, ↑ maximized",
        fontsize=8,
        ha="left",
        va="top",
    )
    fig.tight_layout(rect=(0, 0, 1, 0.93))
    return fig


# --- parallel coordinates ---------------------------------------------------------------------------

CATEGORICAL = ("material", "process", "coating")
_W, _H, _TOP, _BOTTOM, _LEFT, _RIGHT = 1180, 560, 70, 60, 70, 200
_PAGE_SCRIPT = """
const svg = document.querySelector('svg'), lines = [...svg.querySelectorAll('path.design')];
const ranges = {};
function refresh() {
  for (const p of lines) {
    const v = JSON.parse(p.dataset.y);
    const ok = Object.entries(ranges).every(([i, [a, b]]) => v[i] >= a && v[i] <= b);
    p.classList.toggle('off', !ok);
  }
  document.getElementById('count').textContent =
    lines.filter(p => !p.classList.contains('off')).length + ' of ' + lines.length + ' lines';
}
for (const axis of svg.querySelectorAll('g.axis')) {
  const i = axis.dataset.i, box = axis.querySelector('rect.brush');
  let start = null;
  const y = e => { const pt = svg.createSVGPoint(); pt.x = e.clientX; pt.y = e.clientY;
    return pt.matrixTransform(svg.getScreenCTM().inverse()).y; };
  axis.addEventListener('mousedown', e => { start = y(e); e.preventDefault(); });
  svg.addEventListener('mousemove', e => { if (start === null) return;
    const a = Math.min(start, y(e)), b = Math.max(start, y(e));
    box.setAttribute('y', a); box.setAttribute('height', b - a); ranges[i] = [a, b]; refresh(); });
  svg.addEventListener('mouseup', () => { start = null; });
  axis.addEventListener('dblclick', () => { delete ranges[i]; box.setAttribute('height', 0); refresh(); });
}
refresh();
"""


def _axis_values(frame: pd.DataFrame, column: str) -> tuple[list[float], list[tuple[float, str]]]:
    """Positions in [0, 1] (0 = bottom) of each row on one axis, and the ticks (position, text)."""
    if column in CATEGORICAL:
        levels = sorted(frame[column].astype(str).unique())
        step = 1.0 / max(len(levels) - 1, 1)
        where = {level: i * step if len(levels) > 1 else 0.5 for i, level in enumerate(levels)}
        return [where[v] for v in frame[column].astype(str)], [(where[v], v) for v in levels]
    values = frame[column].to_numpy(float)
    finite = values[np.isfinite(values)]
    low, high = (float(finite.min()), float(finite.max())) if len(finite) else (0.0, 1.0)
    if high <= low:
        low, high = low - 0.5, high + 0.5
    position = np.where(np.isfinite(values), (values - low) / (high - low), -0.04)  # NaN: below
    ticks = [(t, f"{low + t * (high - low):.3g}") for t in (0.0, 0.25, 0.5, 0.75, 1.0)]
    return position.tolist(), ticks


def parallel_coordinates_html(
    shown: DisplayFront, chosen: pd.DataFrame, objectives: tuple[str, ...], title: str
) -> str:
    """A self-contained page (inline SVG and ~30 lines of script, no library): categorical axes for
    material, process and coating, one axis per objective (label, unit, ↓/↑ from the registry),
    relative density; lines coloured by material with a legend; chosen designs drawn bold, numbered
    and listed. Drag along an axis to keep only the designs in that range; double-click clears it.
    The SVG is drawn here, so the page shows the designs even where scripts are blocked."""
    designs = shown.designs
    frame = pd.concat([designs, chosen], ignore_index=True)
    columns = [*CATEGORICAL, *objectives, "relative_density"]
    if "filler_fraction" in frame and frame["filler_fraction"].fillna(0).gt(0).any():
        columns.append("filler_fraction")
    labels = [direction_label(c) if c in OBJECTIVES else c.replace("_", " ") for c in columns]
    span_x = (_W - _LEFT - _RIGHT) / (len(columns) - 1)
    xs = [_LEFT + i * span_x for i in range(len(columns))]
    plot_h = _H - _TOP - _BOTTOM
    ys, ticks = zip(*(_axis_values(frame, c) for c in columns), strict=True)
    colours = {m: _hex(c) for m, c in material_colours(frame["material"]).items()}
    esc = html.escape
    out: list[str] = []

    def polyline(k: int) -> tuple[str, str]:
        pts = [(x, _TOP + (1 - ys[i][k]) * plot_h) for i, x in enumerate(xs)]
        d = "M" + " L".join(f"{x:.0f} {y:.1f}" for x, y in pts)
        return d, json.dumps([round(y, 1) for _, y in pts])

    def tooltip(row) -> str:
        return esc(
            f"{row['material']} / {row['process']} / {row['coating']}: "
            + ", ".join(
                f"{OBJECTIVES[o].label} {row[o]:.4g} {OBJECTIVES[o].unit}" for o in objectives
            )
        )

    for k in range(len(designs)):
        row = frame.iloc[k]
        d, data = polyline(k)
        out.append(
            f"<path class='design' d='{d}' data-y='{data}' stroke='{colours[row['material']]}'>"
            f"<title>{tooltip(row)}</title></path>"
        )
    tags: list[tuple[float, str]] = []
    for number, k in enumerate(range(len(designs), len(frame)), start=1):
        row = frame.iloc[k]
        d, data = polyline(k)
        name = esc(str(row["choice"]))
        out.append(
            f"<path class='design chosen' d='{d}' data-y='{data}' stroke='{colours[row['material']]}'>"
            f"<title>{number} {name}: {tooltip(row)}</title></path>"
        )
        tags.append((_TOP + (1 - ys[-1][k]) * plot_h, f"{number} {name}"))
    last = -1e9
    for end_y, text in sorted(tags):  # names at the right end, at least a line apart
        last = max(end_y + 4, last + 13)
        out.append(f"<text class='tag' x='{xs[-1] + 8:.0f}' y='{last:.1f}'>{text}</text>")
    for i, (x, label) in enumerate(zip(xs, labels, strict=True)):
        out.append(f"<g class='axis' data-i='{i}'>")
        out.append(f"<line x1='{x:.0f}' x2='{x:.0f}' y1='{_TOP}' y2='{_TOP + plot_h}'/>")
        out.append(
            f"<rect class='hit' x='{x - 12:.0f}' y='{_TOP}' width='24' height='{plot_h}'/>"
            f"<rect class='brush' x='{x - 7:.0f}' y='0' width='14' height='0'/>"
        )
        name, _, unit = label.partition(" [")  # the unit and arrow on a second line
        out.append(
            f"<text class='label' x='{x:.0f}' y='{_TOP - 34}'>{esc(name)}"
            + (f"<tspan x='{x:.0f}' dy='15'>[{esc(unit)}</tspan>" if unit else "")
            + "</text>"
        )
        for t, text in ticks[i]:
            out.append(
                f"<text class='tick' x='{x - 5:.0f}' y='{_TOP + (1 - t) * plot_h + 3:.1f}'>"
                f"{esc(text)}</text>"
            )
        out.append("</g>")
    legend = "".join(
        f"<span><i style='background:{c}'></i>{esc(m)} ({esc(str(frame.loc[frame['material'] == m, 'family'].iloc[0]))})</span>"
        for m, c in colours.items()
    )
    chosen_list = "".join(
        f"<li>{esc(choice_label(n, row))}</li>"
        for n, row in enumerate(chosen.itertuples(index=False), start=1)
    )
    note = (
        f"{len(designs)} of {shown.total} front designs (ε-dominance thinning per material, "
        f"ε = {shown.eps:.3g}; the full front is in front.parquet)"
        if shown.eps
        else f"all {shown.total} front designs"
    )
    return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{esc(title)}</title>
<style>
body{{font:13px sans-serif;margin:12px;color:#222}} h1{{font-size:16px;margin:0 0 4px}}
.legend span{{margin-right:14px}} .legend i{{display:inline-block;width:18px;height:4px;margin:0 5px 3px 0;vertical-align:middle}}
path.design{{fill:none;stroke-width:1;opacity:.45}} path.design:hover{{stroke-width:3;opacity:1}}
path.chosen{{stroke-width:3.5;opacity:1;filter:drop-shadow(0 0 1.5px #000)}} path.off{{display:none}}
g.axis line{{stroke:#333}} text.label{{font-size:12px;font-weight:bold;text-anchor:middle}}
text.tick{{font-size:10px;text-anchor:end;fill:#444;paint-order:stroke;stroke:#fff;stroke-width:3px}}
text.tag{{font-size:11px;font-weight:bold}} rect.hit{{fill:transparent;cursor:crosshair}}
rect.brush{{fill:#000;fill-opacity:.12;stroke:#000;pointer-events:none}} ul{{margin:4px 0;list-style:none;padding-left:12px}}
</style></head><body>
<h1>{esc(title)}</h1>
<div>{esc(note)}. Drag along an axis to keep a range of values, double-click the axis to clear it; hover a line for its design. Arrows point to the better direction (↓ minimized, ↑ maximized). Showing <b id="count"></b>.</div>
<div class="legend">Material (family): {legend}</div>
<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_W} {_H}" style="width:100%;max-width:{_W}px;height:auto">
{chr(10).join(out)}
</svg>
<div>Chosen designs (bold lines):<ul>{chosen_list}</ul></div>
<script>{_PAGE_SCRIPT}</script>
</body></html>
"""


def _hex(rgba) -> str:
    return "#" + "".join(f"{round(255 * v):02x}" for v in rgba[:3])
