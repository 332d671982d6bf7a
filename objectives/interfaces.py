"""Electrode | electrolyte interfacial resistance and the total ASR of a membrane in a cell.

Review: coatings (Li₃N, ALD Al₂O₃) cut the interfacial resistance "from over 1000 Ω cm² to below
10 Ω cm²"; ALD Al₂O₃ on garnet: 1710 -> 1 Ω cm² (Han et al., Nat. Mater. 16, 572 (2017),
doi:10.1038/nmat4821). Physics notes §8 (arXiv:2501.00600, Li₆PS₅Cl): interfacial resistance scales
with the recoverable contact area as A^−1 and with stack pressure as p^−0.5, so contact loss is a
multiplier on the coating's per-side value rather than a constant.

Domains (checked, objectives.domain): resistances ≥ 0 [Ω cm²] (inf, a blocking interface, passes);
contact fraction in (0, 1]; pressures > 0. NaN (unknown, e.g. a coating not reported on a
material) propagates.
"""

import numpy as np
from numpy.typing import ArrayLike, NDArray

from objectives.domain import require_in

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

    resistance_per_side_ohm_cm2: R_ref ≥ 0 at full contact and p_ref [Ω cm²];
    contact_fraction: recoverable contact area fraction in (0, 1] (exponent −1, arXiv:2501.00600);
    stack_pressure_mpa: optional stack pressure p > 0, reference_pressure_mpa p_ref > 0 [MPa];
    n = −0.5 for Li₆PS₅Cl (same source). [Ω cm²].
    """
    r_ref = np.asarray(resistance_per_side_ohm_cm2, dtype=float)
    contact = np.asarray(contact_fraction, dtype=float)
    require_in("resistance_per_side_ohm_cm2", r_ref, "[0, inf)")
    require_in("contact_fraction", contact, "(0, 1]")
    r = r_ref / contact
    if stack_pressure_mpa is not None:
        pressure = np.asarray(stack_pressure_mpa, dtype=float)
        reference = np.asarray(reference_pressure_mpa, dtype=float)
        require_in("stack_pressure_mpa", pressure, "(0, inf)")
        require_in("reference_pressure_mpa", reference, "(0, inf)")
        r = r * (pressure / reference) ** np.asarray(pressure_exponent, dtype=float)
    return r


def total_asr_ohm_cm2(
    bulk_asr_ohm_cm2: ArrayLike,
    anode_interface_ohm_cm2: ArrayLike,
    cathode_interface_ohm_cm2: ArrayLike = 0.0,
) -> Array:
    """Total membrane ASR = bulk L/σ + R_int(anode side) + R_int(cathode side), each ≥ 0. [Ω cm²]."""
    bulk = np.asarray(bulk_asr_ohm_cm2, dtype=float)
    anode = np.asarray(anode_interface_ohm_cm2, dtype=float)
    cathode = np.asarray(cathode_interface_ohm_cm2, dtype=float)
    require_in("bulk_asr_ohm_cm2", bulk, "[0, inf)")
    require_in("anode_interface_ohm_cm2", anode, "[0, inf)")
    require_in("cathode_interface_ohm_cm2", cathode, "[0, inf)")
    return bulk + anode + cathode
