"""Physical constants and unit conversions (CODATA 2018 exact or recommended values)."""

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
# = 0.49 decades); above it σ may rise past the ceiling along its own Arrhenius line.
ROOM_TEMPERATURE_MAX_C: Final = 40.0


def room_temperature_ceiling_problem(sigma_s_per_cm: float, temperature_c: float) -> str | None:
    """What is wrong with a conductivity no solid Li conductor reaches at that (room) temperature,
    in the words every input check uses (None: nothing)."""
    ceiling = 10.0**ROOM_TEMPERATURE_SIGMA_CEILING_LOG10
    if temperature_c > ROOM_TEMPERATURE_MAX_C or not sigma_s_per_cm > ceiling:
        return None
    return (
        f"{sigma_s_per_cm:g} S/cm at {temperature_c:g} °C is above {ceiling:.2g} S/cm, the highest "
        "room-temperature conductivity of a solid Li conductor (2.5e-2 S/cm, Kato et al. 2016) "
        "with half a decade of headroom: was it in mS/cm?"
    )
