"""The fastest charge each option survives (flaw-initiated penetration, the one current-dependent
short): worked numbers and the report's section."""

import numpy as np
import pytest

from pipeline.reporting.report import charge_section
from pipeline.study.charge import fastest_charge
from pipeline.study.config import load_config
from pipeline.study.problem import StudyModel
from tests.conftest import CONFIGS


def test_fastest_charge_worked_numbers(catalog):
    config = load_config(CONFIGS / "default.yaml", ["tracking.enabled=false"])
    rates = fastest_charge(StudyModel(catalog, config)).set_index(["material", "coating"])
    # j_max = CCD · (λ_max · A_test / (ln 2 · A))^(1/m), λ_max = −ln 0.99, m = 5, A = A_test
    factor = (-np.log(0.99) / np.log(2)) ** (1 / 5)
    assert factor == pytest.approx(0.4288, abs=1e-4)
    garnet = rates.loc[("LLZO", "lii_znlix")]
    assert garnet["max_charge_current_ma_per_cm2"] == pytest.approx(2.3 * factor)
    assert garnet["max_charge_c_rate_per_h"] == pytest.approx(2.3 * factor / 4.0)
    assert rates.loc[("Li6PS5Cl", "none"), "max_charge_current_ma_per_cm2"] == pytest.approx(
        0.9 * factor
    )
    # fastest first; a pair that keeps reacting (LATP on LiI/ZnLix) is not listed
    assert rates.index[0] == ("LLZO", "lii_znlix")
    assert ("LATP", "lii_znlix") not in rates.index
    # half the contact halves every current (the local current doubles)
    lost = load_config(
        CONFIGS / "default.yaml", ["tracking.enabled=false", "interfaces.contact_fraction=0.5"]
    )
    slower = fastest_charge(StudyModel(catalog, lost)).set_index(["material", "coating"])
    assert slower.loc[("LLZO", "lii_znlix"), "max_charge_current_ma_per_cm2"] == pytest.approx(
        0.5 * 2.3 * factor
    )


def test_the_report_says_which_options_survive_the_study_charge(catalog):
    config = load_config(CONFIGS / "studies" / "fast_charge_1c.yaml", ["tracking.enabled=false"])
    lines = charge_section(config, fastest_charge(StudyModel(catalog, config)))
    text = "\n".join(lines)
    assert "## Fastest charge each option survives" in text
    assert "this study charges at 4 mA/cm² (1 C of 4 mAh/cm²)" in text
    rows = [line for line in text.splitlines() if line.startswith("| LLZO | lii_znlix")]
    assert rows and rows[0].endswith("| False |")  # no catalog option survives 1C
