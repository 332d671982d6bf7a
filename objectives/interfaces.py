"""Electrode | electrolyte interfacial resistance and the total ASR of a membrane in a cell.

Review: coatings (Li₃N, ALD Al₂O₃) cut the interfacial resistance "from over 1000 Ω cm² to below
10 Ω cm²"; ALD Al₂O₃ on garnet: 1710 -> 1 Ω cm² (Han et al., Nat. Mater. 16, 572 (2017),
doi:10.1038/nmat4821). Physics notes §8 (arXiv:2501.00600, Li₆PS₅Cl): interfacial resistance scales
with the recoverable contact area as A^−1 and with stack pressure as p^−0.5, so contact loss is a
multiplier on the coating's per-side value rather than a constant.
"""

import numpy as np
from numpy.typing import ArrayLike, NDArray

Array = NDArray[np.float64]


def interfacial_resistance_ohm_cm2(
    resistance_per_side_ohm_cm2: ArrayLike,
    contact_fraction: ArrayLike = 1.0,
    *,
    stack_pressure_mpa: ArrayLike | None = None,
    reference_pressure_mpa: ArrayLike = 1.0,
    pressure_exponent: ArrayLike = -0.5,
) -> Array:
    """Interfacial resistance of one side, R = R_ref · (A_contact/A)^−1 · (p/p_ref)^n.

    resistance_per_side_ohm_cm2: R_ref at full contact and p_ref [Ω cm²];
    contact_fraction: recoverable contact area fraction in (0, 1] (exponent −1, arXiv:2501.00600);
    stack_pressure_mpa: optional stack pressure p; n = −0.5 for Li₆PS₅Cl (same source). [Ω cm²].
    """
    r = np.asarray(resistance_per_side_ohm_cm2, dtype=float) / np.asarray(
        contact_fraction, dtype=float
    )
    if stack_pressure_mpa is not None:
        r = r * (
            np.asarray(stack_pressure_mpa, dtype=float)
            / np.asarray(reference_pressure_mpa, dtype=float)
        ) ** np.asarray(pressure_exponent, dtype=float)
    return r


def total_asr_ohm_cm2(
    bulk_asr_ohm_cm2: ArrayLike,
    anode_interface_ohm_cm2: ArrayLike,
    cathode_interface_ohm_cm2: ArrayLike = 0.0,
) -> Array:
    """Total membrane ASR = bulk L/σ + R_int(anode side) + R_int(cathode side). [Ω cm²]."""
    return (
        np.asarray(bulk_asr_ohm_cm2, dtype=float)
        + np.asarray(anode_interface_ohm_cm2, dtype=float)
        + np.asarray(cathode_interface_ohm_cm2, dtype=float)
    )
