"""Multi-layer membranes: worked numbers, one-layer limits, absent layers, NaN and domains."""

import numpy as np
import pytest

from objectives.errors import DomainError
from objectives.laminate import (
    laminate_areal_mass_g_per_cm2,
    laminate_flexural_rigidity_n_mm,
    laminate_minimum_bending_radius_mm,
    laminate_neutral_axis_um,
    laminate_tension_capacity_n_per_mm,
    laminate_tension_load_fraction,
    outer_faces,
    series_asr_ohm_cm2,
    stack_short_probability,
)
from objectives.microstructure import bending_moment_capacity_n_mm_per_mm
from objectives.transport import asr_ohm_cm2
from tests.objectives.guards import boundary, outside

# ILLUSTRATIVE inputs, not catalog values: a dense LLZO layer and a porous LLZO support
DENSE = dict(modulus=150.0, strength=150.0)
POROUS = dict(modulus=60.0, strength=40.0)


def test_halide_sulfide_bilayer_worked_number():
    # 5 µm Li6PS5Cl (2e-3 S/cm) on the Li side + 20 µm Li3InCl6 (1e-3 S/cm) + interphase R
    thickness = np.array([[5.0, 20.0], [5.0, 20.0]])
    asr = series_asr_ohm_cm2(
        thickness, sigma_s_per_cm=[2e-3, 1e-3], internal_interface_ohm_cm2=[[0.0], [5.0]]
    )
    np.testing.assert_allclose(asr, [0.25 + 2.0, 0.25 + 2.0 + 5.0], rtol=1e-12)
    faces = outer_faces(thickness)  # the sulfide faces Li, the halide faces the cathode
    np.testing.assert_array_equal(faces.li_side_layer, [0, 0])
    np.testing.assert_array_equal(faces.cathode_side_layer, [1, 1])


def test_stack_short_needs_every_layer():
    # porous support lets Li through (P = 1), the dense 5 µm layer blocks (P = 1e-3)
    p = stack_short_probability([[90.0, 5.0]], layer_short_probability=[[1.0, 1e-3]])
    assert p == pytest.approx([1e-3])
    trilayer = stack_short_probability(
        [[40.0, 10.0, 40.0]], layer_short_probability=[[1.0, 1e-3, 1.0]]
    )
    assert trilayer == pytest.approx([1e-3])
    both = stack_short_probability([[10.0, 10.0]], layer_short_probability=[[0.1, 0.2]])
    assert both == pytest.approx([0.02])  # independent layers (an optimistic assumption)


def test_one_layer_limits():
    t, e, s = 20.0, DENSE["modulus"], DENSE["strength"]
    one = np.array([[t]])
    assert series_asr_ohm_cm2(
        one, sigma_s_per_cm=4e-4, internal_interface_ohm_cm2=0.0
    ) == pytest.approx(asr_ohm_cm2(t, 4e-4))
    assert laminate_neutral_axis_um(one, youngs_modulus_gpa=e) == pytest.approx([t / 2])
    # R_min = E t/(2σ_f): LLZO 150 GPa, 150 MPa, 20 µm -> 10 mm
    radius = laminate_minimum_bending_radius_mm(one, youngs_modulus_gpa=e, strength_mpa=s)
    assert radius == pytest.approx([10.0])
    # D = E t³/12: 150e3 N/mm² · (0.02 mm)³/12 = 0.1 N mm
    rigidity = laminate_flexural_rigidity_n_mm(one, youngs_modulus_gpa=e)
    assert rigidity == pytest.approx([0.1])
    # the moment at first crack, D/R_min, is the plate's σ_f t²/6
    assert rigidity / radius == pytest.approx(bending_moment_capacity_n_mm_per_mm(s, t))
    # tension: σ_f t = 150 MPa · 20 µm = 3 N/mm
    tension = laminate_tension_capacity_n_per_mm(one, strength_mpa=s, youngs_modulus_gpa=e)
    assert tension == pytest.approx([3.0])


def test_equal_layers_behave_as_one_layer():
    # three bonded layers of one material are one layer of the total thickness
    stack = np.array([[5.0, 10.0, 15.0]])
    whole = np.array([[30.0]])
    for func, kwargs in (
        (laminate_neutral_axis_um, dict(youngs_modulus_gpa=100.0)),
        (laminate_flexural_rigidity_n_mm, dict(youngs_modulus_gpa=100.0)),
        (laminate_minimum_bending_radius_mm, dict(youngs_modulus_gpa=100.0, strength_mpa=80.0)),
        (laminate_tension_capacity_n_per_mm, dict(youngs_modulus_gpa=100.0, strength_mpa=80.0)),
    ):
        np.testing.assert_allclose(func(stack, **kwargs), func(whole, **kwargs), rtol=1e-12)


def test_symmetric_laminate_neutral_axis_at_mid_thickness():
    # polymer/ceramic/polymer sandwich and porous/dense/porous trilayer (illustrative moduli)
    thickness = np.array([[10.0, 20.0, 10.0], [40.0, 10.0, 40.0]])
    modulus = np.array([[1.0, 150.0, 1.0], [60.0, 150.0, 60.0]])
    np.testing.assert_allclose(
        laminate_neutral_axis_um(thickness, youngs_modulus_gpa=modulus), [20.0, 45.0]
    )
    # an asymmetric stack's axis moves toward the stiff layer
    z = laminate_neutral_axis_um([[10.0, 10.0]], youngs_modulus_gpa=[[150.0, 1.0]])
    assert z[0] < 10.0


def test_dense_layer_on_porous_support_worked_numbers():
    t = np.array([[10.0, 90.0]])
    e = [[DENSE["modulus"], POROUS["modulus"]]]
    s = [[DENSE["strength"], POROUS["strength"]]]
    # z_n = (1500·5 + 5400·55)/6900 = 44.13 µm
    z = laminate_neutral_axis_um(t, youngs_modulus_gpa=e)
    assert z == pytest.approx([304500.0 / 6900.0])
    # ε_f: dense 1e-3, porous 6.67e-4 (cracks first) -> 6900 N/mm · 6.67e-4 = 4.6 N/mm
    tension = laminate_tension_capacity_n_per_mm(t, strength_mpa=s, youngs_modulus_gpa=e)
    assert tension == pytest.approx([4.6])
    # bending: the support's outer fibre, 100 − 44.13 µm, reaches 40 MPa first
    radius = laminate_minimum_bending_radius_mm(t, youngs_modulus_gpa=e, strength_mpa=s)
    assert radius == pytest.approx([60.0 * (100.0 - 304500.0 / 6900.0) / 40.0])
    np.testing.assert_allclose(
        laminate_tension_load_fraction(t, youngs_modulus_gpa=e), [[1500 / 6900, 5400 / 6900]]
    )
    # D = Σ E_i [t_i³/12 + t_i (z_i − z_n)²] · 1e-6
    expected = 1e-6 * (
        150.0 * (10.0**3 / 12 + 10.0 * (5.0 - z[0]) ** 2)
        + 60.0 * (90.0**3 / 12 + 90.0 * (55.0 - z[0]) ** 2)
    )
    assert laminate_flexural_rigidity_n_mm(t, youngs_modulus_gpa=e) == pytest.approx([expected])


def test_support_carries_tension_but_dominates_series_asr():
    alone = np.array([[5.0]])
    supported = np.array([[5.0, 90.0]])
    e = [[DENSE["modulus"], POROUS["modulus"]]]
    s = [[DENSE["strength"], POROUS["strength"]]]
    f_alone = laminate_tension_capacity_n_per_mm(
        alone, strength_mpa=DENSE["strength"], youngs_modulus_gpa=DENSE["modulus"]
    )
    f_supported = laminate_tension_capacity_n_per_mm(
        supported, strength_mpa=s, youngs_modulus_gpa=e
    )
    assert f_alone == pytest.approx([0.75])  # 150 MPa · 5 µm
    assert f_supported == pytest.approx([6150.0 * 40.0 / 60e3])  # 4.1 N/mm
    assert f_supported[0] > 5.0 * f_alone[0]
    assert laminate_tension_load_fraction(supported, youngs_modulus_gpa=e)[0, 1] > 0.85
    # ... but the stack must be handled flatter than the bare 5 µm layer (2.5 mm)
    r_alone = laminate_minimum_bending_radius_mm(
        alone, youngs_modulus_gpa=DENSE["modulus"], strength_mpa=DENSE["strength"]
    )
    assert r_alone == pytest.approx([2.5])
    r_supported = laminate_minimum_bending_radius_mm(
        supported, youngs_modulus_gpa=e, strength_mpa=s
    )
    assert r_supported[0] > 10 * r_alone[0]
    # series ASR with the support's pores infiltrated by a poorer conductor (illustrative σ: the
    # infiltrate at 1e-4 S/cm; the dense layer at 5e-4 S/cm): 5e-4/5e-4 + 90e-4/1e-4 = 1 + 90
    asr = series_asr_ohm_cm2(
        supported, sigma_s_per_cm=[[5e-4, 1e-4]], internal_interface_ohm_cm2=[[0.0]]
    )
    assert asr == pytest.approx([91.0])
    assert 90.0 / asr[0] > 0.98  # the porous layer's share


def test_absent_layers_contribute_nothing():
    two = np.array([[5.0, 20.0], [30.0, 10.0]])
    three = np.array([[5.0, 20.0, 0.0], [30.0, 10.0, 0.0]])
    for pad in (np.nan, 0.0, -1.0):  # values at absent layers are neither checked nor used
        cases = [
            (
                series_asr_ohm_cm2,
                dict(sigma_s_per_cm=[2e-3, 1e-3], internal_interface_ohm_cm2=[[3.0], [1.0]]),
                dict(
                    sigma_s_per_cm=[2e-3, 1e-3, pad],
                    internal_interface_ohm_cm2=[[3.0, pad], [1.0, pad]],
                ),
            ),
            (
                stack_short_probability,
                dict(layer_short_probability=[0.5, 0.1]),
                dict(layer_short_probability=[0.5, 0.1, pad]),
            ),
            (
                laminate_areal_mass_g_per_cm2,
                dict(density_g_per_cm3=[2.0, 5.0], relative_density=[0.9, 1.0]),
                dict(density_g_per_cm3=[2.0, 5.0, pad], relative_density=[0.9, 1.0, pad]),
            ),
        ]
        mech2 = dict(youngs_modulus_gpa=[20.0, 150.0], strength_mpa=[30.0, 150.0])
        mech3 = dict(youngs_modulus_gpa=[20.0, 150.0, pad], strength_mpa=[30.0, 150.0, pad])
        cases += [
            (laminate_minimum_bending_radius_mm, mech2, mech3),
            (laminate_tension_capacity_n_per_mm, mech2, mech3),
            (
                laminate_neutral_axis_um,
                dict(youngs_modulus_gpa=[20.0, 150.0]),
                dict(youngs_modulus_gpa=[20.0, 150.0, pad]),
            ),
            (
                laminate_flexural_rigidity_n_mm,
                dict(youngs_modulus_gpa=[20.0, 150.0]),
                dict(youngs_modulus_gpa=[20.0, 150.0, pad]),
            ),
        ]
        for func, kw2, kw3 in cases:
            expected = func(two, **kw2)
            assert np.all(np.isfinite(expected)), func.__name__
            np.testing.assert_allclose(func(three, **kw3), expected, rtol=1e-12, err_msg=str(pad))
    shares = laminate_tension_load_fraction(three, youngs_modulus_gpa=[20.0, 150.0, np.nan])
    np.testing.assert_allclose(shares[:, 2], 0.0)
    np.testing.assert_allclose(shares.sum(axis=1), 1.0)


def test_mixed_layer_counts_in_one_population():
    thickness = np.array([[5.0, 20.0, 5.0], [5.0, 20.0, 0.0], [25.0, 0.0, 0.0]])
    asr = series_asr_ohm_cm2(
        thickness, sigma_s_per_cm=1e-3, internal_interface_ohm_cm2=[[1.0, 2.0]] * 3
    )
    np.testing.assert_allclose(asr, [3.0 + 3.0, 2.5 + 1.0, 2.5])
    faces = outer_faces(thickness)
    np.testing.assert_array_equal(faces.cathode_side_layer, [2, 1, 0])
    np.testing.assert_array_equal(faces.li_side_layer, [0, 0, 0])
    # picking each design's cathode-side value
    window_high_v = np.array([[2.2, 4.3, 3.0], [2.2, 4.3, np.nan], [2.5, np.nan, np.nan]])
    picked = np.take_along_axis(window_high_v, faces.cathode_side_layer[:, None], axis=-1)
    np.testing.assert_allclose(picked[:, 0], [3.0, 4.3, 2.5])


def test_nan_propagates_from_present_layers():
    t = np.array([[5.0, 20.0]])
    unknown = [[np.nan, 1e-3]]
    assert np.isnan(
        series_asr_ohm_cm2(t, sigma_s_per_cm=unknown, internal_interface_ohm_cm2=0.0)[0]
    )
    assert np.isnan(
        series_asr_ohm_cm2(t, sigma_s_per_cm=1e-3, internal_interface_ohm_cm2=np.nan)[0]
    )
    assert np.isnan(stack_short_probability(t, layer_short_probability=unknown)[0])
    for strength, modulus in (([[np.nan, 100.0]], 100.0), (100.0, [[100.0, np.nan]])):
        assert np.isnan(
            laminate_minimum_bending_radius_mm(
                t, youngs_modulus_gpa=modulus, strength_mpa=strength
            )[0]
        )
        assert np.isnan(
            laminate_tension_capacity_n_per_mm(
                t, youngs_modulus_gpa=modulus, strength_mpa=strength
            )[0]
        )
    nan_thickness = np.array([[5.0, np.nan]])  # a present layer of unknown thickness
    assert np.isnan(laminate_neutral_axis_um(nan_thickness, youngs_modulus_gpa=100.0)[0])
    assert np.isnan(
        series_asr_ohm_cm2(nan_thickness, sigma_s_per_cm=1e-3, internal_interface_ohm_cm2=0.0)[0]
    )


def test_edges_of_the_domains():
    t = np.array([[5.0, 20.0]])
    with np.errstate(all="raise"):  # no warning escapes at an edge
        insulator = series_asr_ohm_cm2(
            t, sigma_s_per_cm=[[0.0, 1e-3]], internal_interface_ohm_cm2=0.0
        )
        assert insulator[0] == np.inf
        brittle = laminate_minimum_bending_radius_mm(
            t, youngs_modulus_gpa=100.0, strength_mpa=[[0.0, 50.0]]
        )
        assert brittle[0] == np.inf  # cracks at any bend
        assert laminate_tension_capacity_n_per_mm(
            t, youngs_modulus_gpa=100.0, strength_mpa=[[0.0, 50.0]]
        )[0] == pytest.approx(0.0)


def test_vectorized_over_a_population():
    rng = np.random.default_rng(0)
    n = 500
    t = rng.uniform(1.0, 100.0, (n, 3))
    t[::3, 2] = 0.0
    t[::5, 1:] = 0.0
    e, s = rng.uniform(1.0, 200.0, (n, 3)), rng.uniform(10.0, 300.0, (n, 3))
    sigma, r = rng.uniform(1e-5, 1e-2, (n, 3)), rng.uniform(0.0, 10.0, (n, 2))
    radius = laminate_minimum_bending_radius_mm(t, youngs_modulus_gpa=e, strength_mpa=s)
    asr = series_asr_ohm_cm2(t, sigma_s_per_cm=sigma, internal_interface_ohm_cm2=r)
    assert radius.shape == asr.shape == (n,)
    for i in range(6):  # one design at a time (1-D input) gives the same answer
        one = laminate_minimum_bending_radius_mm(t[i], youngs_modulus_gpa=e[i], strength_mpa=s[i])
        assert one.shape == () and one == pytest.approx(radius[i])
        k = int(np.count_nonzero(t[i]))
        by_hand = np.sum(t[i, :k] * 1e-4 / sigma[i, :k]) + np.sum(r[i, : k - 1])
        assert asr[i] == pytest.approx(by_hand)


def test_areal_mass_worked_number():
    # illustrative densities: 20 µm at 5.0 g/cm³ + 5 µm at 2.0 g/cm³ -> 0.010 + 0.001 g/cm²
    mass = laminate_areal_mass_g_per_cm2([[20.0, 5.0]], density_g_per_cm3=[5.0, 2.0])
    assert mass == pytest.approx([0.011])


# --- domains (objectives/domain.py): impossible inputs raise, edges and NaN pass ----------------

STACK = np.array([[5.0, 20.0, 10.0], [5.0, 20.0, 10.0]])
VALID = {
    series_asr_ohm_cm2: dict(sigma_s_per_cm=1e-3, internal_interface_ohm_cm2=1.0),
    stack_short_probability: dict(layer_short_probability=0.5),
    laminate_areal_mass_g_per_cm2: dict(density_g_per_cm3=3.0, relative_density=0.9),
    laminate_neutral_axis_um: dict(youngs_modulus_gpa=100.0),
    laminate_flexural_rigidity_n_mm: dict(youngs_modulus_gpa=100.0),
    laminate_minimum_bending_radius_mm: dict(youngs_modulus_gpa=100.0, strength_mpa=100.0),
    laminate_tension_load_fraction: dict(youngs_modulus_gpa=100.0),
    laminate_tension_capacity_n_per_mm: dict(youngs_modulus_gpa=100.0, strength_mpa=100.0),
}
DOMAINS = {
    "sigma_s_per_cm": "[0, inf)",
    "internal_interface_ohm_cm2": "[0, inf)",
    "layer_short_probability": "[0, 1]",
    "density_g_per_cm3": "(0, inf)",
    "relative_density": "(0, 1]",
    "youngs_modulus_gpa": "(0, inf)",
    "strength_mpa": "[0, inf)",
}
CASES = [
    pytest.param(func, argument, DOMAINS[argument], id=f"{func.__name__}-{argument}")
    for func, valid in VALID.items()
    for argument in valid
]


def _with(value, argument, good):
    """The argument as a (2, k) or (2, k − 1) array with `value` at design 1, layer 0."""
    columns = STACK.shape[1] - (argument == "internal_interface_ohm_cm2")
    values = np.full((2, columns), good)
    values[1, 0] = value
    return values


@pytest.mark.parametrize(("func", "argument", "interval"), CASES)
def test_domain(func, argument, interval):
    valid = VALID[func]
    for bad in outside(interval):
        with pytest.raises(DomainError, match=rf"^{argument}: expected a value in "):
            func(STACK, **{**valid, argument: bad})
        with pytest.raises(
            DomainError, match=rf"^{argument}: .*\(at index \(1, 0\)\)$"
        ):  # the first offending value, with its (design, layer) index
            func(STACK, **{**valid, argument: _with(bad, argument, valid[argument])})
    with np.errstate(all="ignore"):
        for edge in boundary(interval):
            func(STACK, **{**valid, argument: edge})
        result = np.asarray(func(STACK, **{**valid, argument: _with(np.nan, argument, 1.0)}))
    assert np.all(np.isnan(result[1])), f"NaN {argument} did not propagate"
    assert not np.any(np.isnan(result[0])), f"NaN {argument} leaked into another design"


ALL = [(func, valid) for func, valid in VALID.items()] + [(outer_faces, {})]


@pytest.mark.parametrize(("func", "valid"), ALL, ids=[f.__name__ for f, _ in ALL])
def test_thickness_domain(func, valid):
    for bad, message in (
        ([[5.0, -1.0, 2.0]], r"^thickness_um: expected a value in \[0, inf\), got -1.0"),
        ([[0.0, 0.0, 0.0]], r"^thickness_um: expected a Li-side layer \(layer 0\) thicker than 0"),
        ([[5.0, 0.0, 2.0]], r"^thickness_um: expected absent layers .* \(at index \(0, 1\)\)$"),
        ([[5.0, 1.0, 1.0, 1.0]], r"^thickness_um: expected shape .* got shape \(1, 4\)$"),
        (5.0, r"^thickness_um: expected shape .* got shape \(\)$"),
        (np.zeros((3, 0)), r"^thickness_um: expected shape"),
    ):
        with pytest.raises(DomainError, match=message):
            func(bad, **valid)
    # a gap whose next layer is of unknown thickness is not flagged (NaN passes)
    func([[5.0, 0.0, np.nan]], **valid)


def test_per_layer_shapes_must_broadcast():
    with pytest.raises(DomainError, match=r"^sigma_s_per_cm: expected a shape that broadcasts"):
        series_asr_ohm_cm2(STACK, sigma_s_per_cm=[1e-3, 1e-3], internal_interface_ohm_cm2=0.0)
    with pytest.raises(DomainError, match=r"^internal_interface_ohm_cm2: expected a shape"):
        series_asr_ohm_cm2(STACK, sigma_s_per_cm=1e-3, internal_interface_ohm_cm2=[1.0, 1.0, 1.0])
