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
"""

import numpy as np
from numpy.typing import ArrayLike, NDArray

Array = NDArray[np.float64]


def maturity_score(mrl: ArrayLike, *, mrl_low: float = 1.0, mrl_high: float = 9.0) -> Array:
    """(MRL − low)/(high − low), clipped to [0, 1]."""
    return np.clip((np.asarray(mrl, dtype=float) - mrl_low) / (mrl_high - mrl_low), 0.0, 1.0)


def thickness_margin_score(
    thickness_um: ArrayLike, *, min_thickness_um: ArrayLike, full_margin: float = 0.5
) -> Array:
    """(L/L_min − 1)/full_margin clipped to [0, 1]: 0 at the process's thinnest, 1 at +full_margin."""
    margin = np.asarray(thickness_um, dtype=float) / np.asarray(min_thickness_um, dtype=float) - 1.0
    return np.clip(margin / full_margin, 0.0, 1.0)


def temperature_score(
    processing_temperature_c: ArrayLike, *, ambient_c: float = 25.0, t_max_c: float = 1500.0
) -> Array:
    """(t_max − T)/(t_max − ambient) clipped to [0, 1]: room-temperature processes score 1."""
    return np.clip(
        (t_max_c - np.asarray(processing_temperature_c, dtype=float)) / (t_max_c - ambient_c),
        0.0,
        1.0,
    )


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
    keyword; weights in the order of the arguments."""
    w = np.asarray(weights, dtype=float)
    if w.shape != (5,) or np.any(w < 0) or w.sum() <= 0:
        raise ValueError(
            f"weights must be 5 non-negative numbers with a positive sum, got {weights!r}"
        )
    return (
        w[0] * np.asarray(maturity, dtype=float)
        + w[1] * np.asarray(thickness_margin, dtype=float)
        + w[2] * np.asarray(temperature, dtype=float)
        + w[3] * np.asarray(atmosphere, dtype=float)
        + w[4] * np.asarray(scalability, dtype=float)
    ) / w.sum()
