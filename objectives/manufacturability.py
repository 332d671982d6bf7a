"""Manufacturability score in [0, 1]: a weighted mean of five documented components.

Components (each in [0, 1], higher is easier to make at scale):
- maturity: manufacturing readiness level (the review places oxide and sulfide membranes at MRL 4–7),
  mapped linearly from mrl_low (0) to mrl_high (1);
- thickness margin: how far the design thickness sits above the process's minimum thickness,
  (L/L_min − 1)/full_margin, so designs at the edge of a process window score 0;
- processing temperature: linear from ambient (1) to t_max_c (0), e.g. sintering near 1100 °C;
- atmosphere: score of the stricter of the material's and the process's atmosphere (ambient air,
  dry room for sulfides, inert glovebox), values from config;
- scalability: roll-to-roll / continuous versus batch, values from config.
The weights and category scores are user preferences, read from config, not literature values.

Domains (checked, objectives.domain): MRL in [1, 10] (the DoD scale) with mrl_high > mrl_low;
thicknesses and full_margin > 0; temperatures ≥ −273.15 °C with t_max_c > ambient_c; component
scores in [0, 1]; weights ≥ 0 with a positive sum. NaN (unknown) propagates.
"""

import numpy as np
from numpy.typing import ArrayLike, NDArray

from objectives.constants import ZERO_CELSIUS_K
from objectives.domain import require, require_in

Array = NDArray[np.float64]


def maturity_score(mrl: ArrayLike, *, mrl_low: float = 1.0, mrl_high: float = 9.0) -> Array:
    """(MRL − low)/(high − low), clipped to [0, 1]. MRL, low and high in [1, 10]; high > low."""
    level = np.asarray(mrl, dtype=float)
    require_in("mrl", level, "[1, 10]")
    require_in("mrl_low", mrl_low, "[1, 10]")
    require_in("mrl_high", mrl_high, "[1, 10]")
    require("mrl_high", mrl_high, f"a value > mrl_low ({mrl_low})", mrl_high <= mrl_low)
    return np.clip((level - mrl_low) / (mrl_high - mrl_low), 0.0, 1.0)


def thickness_margin_score(
    thickness_um: ArrayLike, *, min_thickness_um: ArrayLike, full_margin: float = 0.5
) -> Array:
    """(L/L_min − 1)/full_margin clipped to [0, 1]: 0 at the process's thinnest, 1 at +full_margin.

    L, L_min > 0 [µm]; full_margin > 0.
    """
    thickness = np.asarray(thickness_um, dtype=float)
    minimum = np.asarray(min_thickness_um, dtype=float)
    require_in("thickness_um", thickness, "(0, inf)")
    require_in("min_thickness_um", minimum, "(0, inf)")
    require_in("full_margin", full_margin, "(0, inf)")
    return np.clip((thickness / minimum - 1.0) / full_margin, 0.0, 1.0)


def temperature_score(
    processing_temperature_c: ArrayLike, *, ambient_c: float = 25.0, t_max_c: float = 1500.0
) -> Array:
    """(t_max − T)/(t_max − ambient) clipped to [0, 1]: room-temperature processes score 1.

    Temperatures ≥ −273.15 °C; t_max_c > ambient_c.
    """
    temperature = np.asarray(processing_temperature_c, dtype=float)
    above_absolute_zero = f"[{-ZERO_CELSIUS_K}, inf)"
    require_in("processing_temperature_c", temperature, above_absolute_zero)
    require_in("ambient_c", ambient_c, above_absolute_zero)
    require("t_max_c", t_max_c, f"a value > ambient_c ({ambient_c})", t_max_c <= ambient_c)
    return np.clip((t_max_c - temperature) / (t_max_c - ambient_c), 0.0, 1.0)


def manufacturability_score(
    *,
    maturity: ArrayLike,
    thickness_margin: ArrayLike,
    temperature: ArrayLike,
    atmosphere: ArrayLike,
    scalability: ArrayLike,
    weights: ArrayLike = (1.0, 1.0, 1.0, 1.0, 1.0),
) -> Array:
    """Weighted mean Σ wᵢ sᵢ / Σ wᵢ of the five component scores, each in [0, 1] and so passed by
    keyword; weights in the order of the arguments: 5 values ≥ 0 with a positive sum."""
    w = np.asarray(weights, dtype=float)
    require("weights", w, "5 values", np.array(w.shape != (5,)))
    require_in("weights", w, "[0, inf)")
    require("weights", w.sum(), "a positive sum", ~(w.sum() > 0))
    scores = []
    for name, value in (
        ("maturity", maturity),
        ("thickness_margin", thickness_margin),
        ("temperature", temperature),
        ("atmosphere", atmosphere),
        ("scalability", scalability),
    ):
        score = np.asarray(value, dtype=float)
        require_in(name, score, "[0, 1]")
        scores.append(score)
    return (
        w[0] * scores[0] + w[1] * scores[1] + w[2] * scores[2] + w[3] * scores[3] + w[4] * scores[4]
    ) / w.sum()
