"""Current, ohmic drop and dendrite criteria.

The criterion used is the critical current density (CCD): the operating current density must stay
below the measured CCD (physics notes §4: failure of inorganic SEs is fracture-controlled, Famprikis
2019; Duan et al.). The Monroe–Newman shear-modulus ratio (J. Electrochem. Soc. 152, A396 (2005),
doi:10.1149/1.1850854) is only reported as an indicator: Li grows through thiophosphate glass
(G ≈ 7 GPa) and garnet (G ≈ 60 GPa) alike.

Domains (checked, objectives.domain): capacities, C-rates, current densities, ASRs, CCDs and moduli
≥ 0, and > 0 where they divide. NaN (unknown, e.g. a material without a reported CCD) propagates.
"""

import numpy as np
from numpy.typing import ArrayLike, NDArray

from objectives.domain import require_in

Array = NDArray[np.float64]

# Li metal shear modulus G_Li = 4.24 GPa (E 4.91 GPa, ν 0.362; CRC Handbook via physics notes §4).
LITHIUM_SHEAR_MODULUS_GPA = 4.24


def current_density_ma_per_cm2(
    areal_capacity_mah_per_cm2: ArrayLike, c_rate_per_h: ArrayLike
) -> Array:
    """Current density of a cathode cycled at a C-rate: j = Q_A · C. [mA/cm²].

    Q_A ≥ 0 [mAh/cm²]; C ≥ 0 [1/h]. Worked number (Duan et al., physics notes §4): 4 mAh/cm² at
    1C -> 4 mA/cm².
    """
    capacity = np.asarray(areal_capacity_mah_per_cm2, dtype=float)
    c_rate = np.asarray(c_rate_per_h, dtype=float)
    require_in("areal_capacity_mah_per_cm2", capacity, "[0, inf)")
    require_in("c_rate_per_h", c_rate, "[0, inf)")
    return capacity * c_rate


def ohmic_drop_v(current_density_ma_per_cm2: ArrayLike, asr_ohm_cm2: ArrayLike) -> Array:
    """Ohmic drop across the membrane ΔV = j · ASR. j ≥ 0 [mA/cm²], ASR ≥ 0 [Ω cm²]. Returns [V].

    Worked number: 4 mA/cm² through 50 Ω cm² -> 0.2 V.
    """
    j = np.asarray(current_density_ma_per_cm2, dtype=float)
    asr = np.asarray(asr_ohm_cm2, dtype=float)
    require_in("current_density_ma_per_cm2", j, "[0, inf)")
    require_in("asr_ohm_cm2", asr, "[0, inf)")
    return j * asr * 1e-3


def ccd_margin(ccd_ma_per_cm2: ArrayLike, current_density_ma_per_cm2: ArrayLike) -> Array:
    """CCD margin CCD / j (dimensionless). The design passes the CCD criterion when margin ≥ 1.

    CCD ≥ 0 [mA/cm²]; j > 0 [mA/cm²].
    """
    ccd = np.asarray(ccd_ma_per_cm2, dtype=float)
    j = np.asarray(current_density_ma_per_cm2, dtype=float)
    require_in("ccd_ma_per_cm2", ccd, "[0, inf)")
    require_in("current_density_ma_per_cm2", j, "(0, inf)")
    return ccd / j


def monroe_newman_ratio(
    shear_modulus_gpa: ArrayLike, lithium_shear_modulus_gpa: ArrayLike = LITHIUM_SHEAR_MODULUS_GPA
) -> Array:
    """Monroe–Newman indicator G_SSE / G_Li (dimensionless; ~2 is their threshold for PEO-like ν).

    G_SSE ≥ 0, G_Li > 0 [GPa]. Reported, never used as the criterion (see module docstring).
    """
    g = np.asarray(shear_modulus_gpa, dtype=float)
    g_li = np.asarray(lithium_shear_modulus_gpa, dtype=float)
    require_in("shear_modulus_gpa", g, "[0, inf)")
    require_in("lithium_shear_modulus_gpa", g_li, "(0, inf)")
    return g / g_li
