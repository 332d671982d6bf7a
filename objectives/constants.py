"""Physical constants and unit conversions (CODATA 2018 exact or recommended values)."""

import math
from typing import Final

BOLTZMANN_EV_PER_K: Final = 8.617333262e-5  # k_B [eV/K], CODATA 2018
BOLTZMANN_J_PER_K: Final = 1.380649e-23  # k_B [J/K], exact (SI 2019)
ELEMENTARY_CHARGE_C: Final = 1.602176634e-19  # e [C], exact (SI 2019)
FARADAY_C_PER_MOL: Final = 96485.33212  # F [C/mol], CODATA 2018
LITHIUM_MOLAR_MASS_G_PER_MOL: Final = 6.94  # IUPAC 2013 conventional atomic weight of Li

CM_PER_UM: Final = 1.0e-4
ZERO_CELSIUS_K: Final = 273.15
MAH_PER_C: Final = 1.0 / 3.6  # 1 mAh = 3.6 C

# Li metal theoretical specific capacity F / M_Li, [mAh/g]: 96485.33 / 6.94 / 3.6 = 3861.9 mAh/g
# (literature quotes ~3860 mAh/g, e.g. Nat. Commun. 13, 7227 (2022), doi:10.1038/s41467-022-34855-9).
LITHIUM_SPECIFIC_CAPACITY_MAH_PER_G: Final = (
    FARADAY_C_PER_MOL / LITHIUM_MOLAR_MASS_G_PER_MOL * MAH_PER_C
)

# The highest room-temperature Li-ion conductivity reported for a solid, 2.5e-2 S/cm (log10 -1.60) for
# Li9.54Si1.74P1.44S11.7Cl0.3 (Kato et al., Nature Energy 1, 16030 (2016)), plus half a decade of
# headroom for a material that beats it (assumption): a larger value at room temperature is a unit
# slip (mS/cm typed as S/cm) or a liquid, and the surrogate's predictions stop there too.
ROOM_TEMPERATURE_SIGMA_CEILING_LOG10: Final = -1.1
# Values measured at or below this temperature are held to the ceiling: the half decade of headroom
# covers 25 -> 40 °C for activation energies up to 0.6 eV (0.6 / (k_B ln 10) * (1/298.15 - 1/313.15)
# = 0.49 decades). Above it the ceiling moves along the σT Arrhenius line of the fastest conductors.
ROOM_TEMPERATURE_MAX_C: Final = 40.0
CEILING_REFERENCE_C: Final = 25.0
# The fastest conductors' activation energy: LGPS's 0.22 eV (Kuhn, Duppel, Lotsch, Energy Environ.
# Sci. 6, 3548 (2013); the ceiling's record material, Kato 2016, is of its family: an assumption
# that it shares the value). The surrogate's physical bounds move with it too (surrogates.model).
FAST_CONDUCTOR_EA_EV: Final = 0.22


def conductivity_ceiling_log10(temperature_c: float) -> float:
    """log10 of the highest conductivity [S/cm] a solid Li conductor reaches at a temperature: the
    room-temperature ceiling up to ROOM_TEMPERATURE_MAX_C, above it carried from 25 °C along the σT
    Arrhenius line at FAST_CONDUCTOR_EA_EV (0.17 S/cm at 60 °C, 1.2 S/cm at 200 °C)."""
    if temperature_c <= ROOM_TEMPERATURE_MAX_C:
        return ROOM_TEMPERATURE_SIGMA_CEILING_LOG10
    t, t0 = temperature_c + ZERO_CELSIUS_K, CEILING_REFERENCE_C + ZERO_CELSIUS_K
    slope = FAST_CONDUCTOR_EA_EV / (BOLTZMANN_EV_PER_K * math.log(10.0))
    return ROOM_TEMPERATURE_SIGMA_CEILING_LOG10 + math.log10(t0 / t) - slope * (1.0 / t - 1.0 / t0)


def conductivity_ceiling_problem(sigma_s_per_cm: float, temperature_c: float) -> str | None:
    """What is wrong with a conductivity no solid Li conductor reaches at that temperature, in the
    words every input check uses (None: nothing). Above 40 °C the ceiling moves with temperature
    (until 2026-12-08 only 10 S/cm held there, and 2.3 S/cm at 60 °C, mS/cm typed as S/cm, was
    stored and trained on: a new-user trial)."""
    ceiling = 10.0 ** conductivity_ceiling_log10(temperature_c)
    if not sigma_s_per_cm > ceiling:
        return None
    if temperature_c <= ROOM_TEMPERATURE_MAX_C:
        why = (
            "the highest room-temperature conductivity of a solid Li conductor (2.5e-2 S/cm, Kato "
            "et al. 2016) with half a decade of headroom"
        )
    else:
        why = (
            "the room-temperature ceiling (2.5e-2 S/cm, Kato et al. 2016, with half a decade of "
            "headroom) carried from 25 °C along the Arrhenius line of the fastest conductors "
            f"({FAST_CONDUCTOR_EA_EV:g} eV, LGPS)"
        )
    return (
        f"{sigma_s_per_cm:g} S/cm at {temperature_c:g} °C is above {ceiling:.2g} S/cm, {why}: "
        "was it in mS/cm?"
    )
