import numpy as np
import pytest

from objectives import interfaces, transport
from tests.objectives.guards import assert_domain, cases


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


# --- domains (objectives/domain.py): impossible inputs raise, edges and NaN pass ----------------

VALID = {
    interfaces.interfacial_resistance_ohm_cm2: dict(
        resistance_per_side_ohm_cm2=10.0,
        contact_fraction=0.5,
        stack_pressure_mpa=5.0,
        reference_pressure_mpa=1.0,
    ),
    interfaces.total_asr_ohm_cm2: dict(
        bulk_asr_ohm_cm2=2.0, anode_interface_ohm_cm2=10.0, cathode_interface_ohm_cm2=5.0
    ),
}
DOMAINS = {
    interfaces.interfacial_resistance_ohm_cm2: dict(
        resistance_per_side_ohm_cm2="[0, inf)",
        contact_fraction="(0, 1]",
        stack_pressure_mpa="(0, inf)",
        reference_pressure_mpa="(0, inf)",
    ),
    interfaces.total_asr_ohm_cm2: dict(
        bulk_asr_ohm_cm2="[0, inf)",
        anode_interface_ohm_cm2="[0, inf)",
        cathode_interface_ohm_cm2="[0, inf)",
    ),
}


@pytest.mark.parametrize(("func", "argument", "interval"), cases(DOMAINS))
def test_domain(func, argument, interval):
    assert_domain(func, VALID[func], argument, interval)


def test_no_coating_data_stays_unknown():
    # the catalog's resistance matrix is NaN where a coating was not reported on a material
    r = interfaces.interfacial_resistance_ohm_cm2(np.array([[1.0, np.nan]]), 0.5)
    assert r[0, 0] == 2.0 and np.isnan(r[0, 1])
