import numpy as np
import pytest

from objectives import dendrites
from tests.objectives.guards import assert_domain, cases


def test_current_density_worked_number():
    # Duan et al.: 4 mAh/cm² at 1C is 4 mA/cm²
    assert dendrites.current_density_ma_per_cm2(4.0, 1.0) == pytest.approx(4.0)
    assert dendrites.current_density_ma_per_cm2(3.0, 0.5) == pytest.approx(1.5)


def test_ohmic_drop():
    assert dendrites.ohmic_drop_v(4.0, 50.0) == pytest.approx(0.2)
    assert dendrites.ohmic_drop_v(1.0, 2.5) == pytest.approx(2.5e-3)


def test_ccd_criterion():
    margin = dendrites.ccd_margin(np.array([0.5, 4.0, 12.5]), 4.0)
    np.testing.assert_allclose(margin, [0.125, 1.0, 3.125])
    assert list(margin >= 1) == [False, True, True]


def test_monroe_newman_indicator():
    # Garnet G ≈ 60 GPa vs Li 4.24 GPa -> ~14x, far above the ~2 threshold, yet Li still penetrates
    assert dendrites.monroe_newman_ratio(59.6) == pytest.approx(59.6 / 4.24)
    assert dendrites.monroe_newman_ratio(8.48) == pytest.approx(2.0)


# --- domains (objectives/domain.py): impossible inputs raise, edges and NaN pass ----------------

VALID = {
    dendrites.current_density_ma_per_cm2: dict(areal_capacity_mah_per_cm2=4.0, c_rate_per_h=1.0),
    dendrites.ohmic_drop_v: dict(current_density_ma_per_cm2=4.0, asr_ohm_cm2=50.0),
    dendrites.ccd_margin: dict(ccd_ma_per_cm2=1.0, current_density_ma_per_cm2=4.0),
    dendrites.monroe_newman_ratio: dict(shear_modulus_gpa=60.0, lithium_shear_modulus_gpa=4.24),
}
DOMAINS = {
    dendrites.current_density_ma_per_cm2: dict(
        areal_capacity_mah_per_cm2="[0, inf)", c_rate_per_h="[0, inf)"
    ),
    dendrites.ohmic_drop_v: dict(current_density_ma_per_cm2="[0, inf)", asr_ohm_cm2="[0, inf)"),
    dendrites.ccd_margin: dict(ccd_ma_per_cm2="[0, inf)", current_density_ma_per_cm2="(0, inf)"),
    dendrites.monroe_newman_ratio: dict(
        shear_modulus_gpa="[0, inf)", lithium_shear_modulus_gpa="(0, inf)"
    ),
}


@pytest.mark.parametrize(("func", "argument", "interval"), cases(DOMAINS))
def test_domain(func, argument, interval):
    assert_domain(func, VALID[func], argument, interval)
