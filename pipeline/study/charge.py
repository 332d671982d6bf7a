"""The fastest charge each (material, Li-side coating) of a study survives: flaw-initiated Li
penetration (objectives/shorts.py) is the only short-circuit mechanism that depends on the current,
so its hazard λ = ln 2 · (A/A_test) · (j/(φ·CCD))^m ≤ λ_max = −ln(1 − p_max) solves for the
largest charge current, j_max = φ·CCD·(λ_max·A_test/(ln 2·A))^(1/m), and the C-rate j_max / Q_A."""

from __future__ import annotations

import numpy as np
import pandas as pd

from objectives.shorts import LN2


def fastest_charge(model) -> pd.DataFrame:
    """Per chemically stable (material, coating) of the study's options with a known CCD: CCD,
    Weibull modulus,
    the largest charge current [mA/cm²] and C-rate at which P(flaw penetration) ≤ the study's
    max_short_probability; sorted fastest first. model: a pipeline.study.problem.StudyModel."""
    ev, config = model.evaluator, model.config
    limit = -np.log1p(-config.constraints.max_short_probability)
    area = config.mechanics.membrane_area_cm2
    options = model.space.options[["material_id", "coating_id", "material", "coating"]]
    pairs = options.drop_duplicates(["material", "coating"])
    m, c = pairs["material"].to_numpy(), pairs["coating"].to_numpy()
    # a pair that keeps reacting is excluded anyway (its own section of the report)
    stable = ev.li_side_ok[c, m] & ev.cathode_side_ok[m]
    pairs, m, c = pairs[stable], m[stable], c[stable]
    ccd = ev.ccd_ma_per_cm2[c, m]
    modulus = ev.flaw_weibull_modulus[m]
    test_area = ev.flaw_test_area_cm2[m]
    with np.errstate(divide="ignore", invalid="ignore"):
        j_max = (
            config.interfaces.contact_fraction
            * ccd
            * (limit * test_area / (LN2 * area)) ** (1.0 / modulus)
        )
    # which measurement the CCD is: one with this coating, or the material's own (bare Li), which
    # a coating without a CCD of its own inherits
    with_coating = np.isfinite(model.catalog.coating_ccd_ma_per_cm2()[c, m])
    frame = pd.DataFrame(
        {
            "material": pairs["material_id"].to_numpy(),
            "coating": pairs["coating_id"].to_numpy(),
            "ccd_ma_per_cm2": ccd,
            "ccd_measured_on": np.where(with_coating, "this coating", "the bare material"),
            "weibull_modulus": modulus,
            "max_charge_current_ma_per_cm2": j_max,
            "max_charge_c_rate_per_h": j_max / config.cell.areal_capacity_mah_per_cm2,
        }
    )
    frame = frame[np.isfinite(frame["max_charge_current_ma_per_cm2"])]
    return frame.sort_values("max_charge_current_ma_per_cm2", ascending=False).reset_index(
        drop=True
    )
