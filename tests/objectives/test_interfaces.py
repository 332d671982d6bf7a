import numpy as np
import pytest

from objectives import interfaces, transport


def test_coating_drops_total_asr_like_the_review():
    # Review: coatings cut interfacial resistance from >1000 to <10 Ω cm² (ALD Al2O3 on garnet: 1710 -> 1).
    bulk = transport.asr_ohm_cm2(20.0, 1e-3)  # 2 Ω cm²
    bare = interfaces.total_asr_ohm_cm2(bulk, interfaces.interfacial_resistance_ohm_cm2(1710.0))
    coated = interfaces.total_asr_ohm_cm2(bulk, interfaces.interfacial_resistance_ohm_cm2(1.0))
    assert bare == pytest.approx(1712.0)
    assert coated == pytest.approx(3.0)
    assert coated < 50.0 < bare


def test_contact_loss_and_pressure_scaling():
    # arXiv:2501.00600: R ∝ (contact area)^-1 and ∝ p^-0.5
    assert interfaces.interfacial_resistance_ohm_cm2(10.0, contact_fraction=0.5) == pytest.approx(
        20.0
    )
    r = interfaces.interfacial_resistance_ohm_cm2(
        10.0, stack_pressure_mpa=4.0, reference_pressure_mpa=1.0
    )
    assert r == pytest.approx(5.0)


def test_total_asr_sums_both_sides():
    total = interfaces.total_asr_ohm_cm2(np.array([1.0, 2.0]), np.array([3.0, 4.0]), 5.0)
    np.testing.assert_allclose(total, [9.0, 11.0])
