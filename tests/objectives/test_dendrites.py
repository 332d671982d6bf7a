import numpy as np
import pytest

from objectives import dendrites


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
