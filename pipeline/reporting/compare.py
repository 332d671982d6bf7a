"""Front-to-front comparison of two runs of the same study: hypervolume change, designs in and out.

A design's identity is its material, process and coating with thickness, relative density and filler
fraction rounded (3 significant digits), so tiny numeric differences do not count as new designs.
"""

from __future__ import annotations

import pandas as pd

from pipeline.study.registry import OPTION_COLUMNS, VARIABLES

IDENTITY = OPTION_COLUMNS
ROUNDED = tuple(v.name for v in VARIABLES)


def design_keys(front: pd.DataFrame) -> pd.Series:
    """One string per design: its option and its rounded variables (an empty front: no keys)."""
    if front.empty:
        return pd.Series([], dtype=str, index=front.index)
    parts = [front[c].astype(str) for c in IDENTITY]
    parts += [front[c].map(lambda v: f"{v:.3g}") for c in ROUNDED]
    return pd.Series(["|".join(p) for p in zip(*parts, strict=True)], index=front.index)


def compare_fronts(
    previous: pd.DataFrame, current: pd.DataFrame
) -> tuple[dict[str, float], pd.DataFrame]:
    """(metrics, diff table with a `change` column: entered / left)."""
    prev_keys, cur_keys = design_keys(previous), design_keys(current)
    entered = current[~cur_keys.isin(set(prev_keys))]
    left = previous[~prev_keys.isin(set(cur_keys))]
    diff = pd.concat(
        [entered.assign(change="entered"), left.assign(change="left")], ignore_index=True
    )
    metrics = {
        "compare.designs_entered": float(len(entered)),
        "compare.designs_left": float(len(left)),
        "compare.designs_kept": float(prev_keys.isin(set(cur_keys)).sum()),
        "compare.previous_front_size": float(len(previous)),
    }
    return metrics, diff
