"""Multi-layer membranes (one to three layers): series ASR, stacked short paths, laminate mechanics.

Why layers: one material rarely serves both electrodes. A halide catholyte is stable at the cathode
but reduced by Li, so a thin Li6PS5Cl anolyte goes on the Li side (Li‖LPSCl‖LYC‖LPSCl‖Li: < 100 mV
over 500 h against ~600 mV rise without it, Wang C. et al., Sci. Adv. 7 (2021) eabh1896,
doi:10.1126/sciadv.abh1896); a polymer/ceramic/polymer sandwich lets the polymer wet Li while the
ceramic blocks anions (J. Am. Chem. Soc. 138 (2016) 9385, doi:10.1021/jacs.6b05341); a thin dense
layer on a porous support is handled by the support (porous/dense/porous garnet trilayers, Hitz et
al., Mater. Today 22 (2019) 50, cited in the thin-membrane fact sheet §3e, whose full text was not
reached: no number of it is used here). The review lists "mechanically robust, sub-10 μm
membranes using reinforced skeletons or multi-layer architectures" among its research directions.
The fact sheet's guidance (§6): model a bilayer "as two layers in series plus a growing interlayer
term, not as one material"; the halide‖sulfide contact forms an In–S-rich interphase whose
resistance rises with cycling (Rosenbach et al., Adv. Energy Mater. 2023, 2203673,
doi:10.1002/aenm.202203673), a contact another group calls "negligible" (fact sheet §2b): so the
internal-interface resistance is an input here, with no default.

Conventions, the same for every function:
- A population of stacks is a 2-D array of shape (n_designs, n_layers), n_layers in 1..3, layers on
  the LAST axis (a single stack may be 1-D, shape (n_layers,)). Layer 0 faces the Li metal anode;
  the last present layer faces the cathode (outer_faces).
- An absent layer has thickness 0 and contributes nothing: no ASR, no interface, no mass, no short
  path, no stiffness, no strength. Present layers are contiguous from the Li side: absent layers
  come only after the present ones, and layer 0 is present (checked; a stack "A | absent | B" is
  written "A | B", so the interface A|B is unambiguous).
- The other per-layer arguments broadcast to the thickness array's shape (a scalar or a (n_layers,)
  row is fine). Their values at absent layers are ignored: neither checked nor used, so a caller
  may pad them with 0 or NaN.
- NaN means "unknown" and propagates; a NaN thickness counts as a present layer of unknown
  thickness.
- Speed: the work is done column by column (≤ 3 layers), in place where the array is our own; a
  reduction over a short last axis (np.sum(axis=-1) on (1e5, 3)) costs as much as five column
  operations, and every temporary of 1e5 floats is a fresh 0.8 MB allocation.

Domains (checked, objectives.domain): thickness ≥ 0 [µm] with the Li-side layer > 0;
conductivities ≥ 0 [S/cm] (σ = 0 is an insulating layer: infinite ASR); interface resistances
≥ 0 [Ω cm²]; probabilities in [0, 1]; Young's moduli > 0 [GPa]; strengths ≥ 0 [MPa]; densities
> 0 [g/cm³]; relative densities in (0, 1].
"""

from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray

from objectives.constants import CM_PER_UM
from objectives.domain import require, require_in
from objectives.errors import DomainError

Array = NDArray[np.float64]
MAX_LAYERS = 3
# Unit factors: GPa·µm/MPa = 1e3 µm = 1 mm; GPa·µm³ = 1e3 N/mm² · 1e-9 mm³ = 1e-6 N mm;
# GPa·µm = 1e3 N/mm² · 1e-3 mm = 1 N/mm; MPa/GPa = 1e-3.
N_MM_PER_GPA_UM3 = 1.0e-6
STRAIN_PER_MPA_PER_GPA = 1.0e-3


class _Stack(NamedTuple):
    shape: tuple[int, ...]  # the designs' shape: thickness_um's shape without the layer axis
    layers: list[Array]  # thickness of each layer, (m,) columns of the (m, k) thickness [µm]
    present: NDArray[np.bool_]  # (..., k), thickness != 0 (NaN: present, of unknown thickness)
    partial: list[bool]  # per layer: absent in some design (its values need masking)
    all_present: bool  # every layer of every design present: no mask is needed


class OuterFaces(NamedTuple):
    """Per design, the layer that touches each electrode (indices on the layer axis)."""

    li_side_layer: NDArray[np.intp]  # always 0
    cathode_side_layer: NDArray[np.intp]  # the last present layer


def _stack(thickness_um: ArrayLike) -> _Stack:
    """Check a stack's thicknesses (shape, ≥ 0, layer 0 present, present layers contiguous)."""
    t = np.asarray(thickness_um, dtype=float)
    if t.ndim == 0 or not 1 <= t.shape[-1] <= MAX_LAYERS:
        raise DomainError(
            "thickness_um: expected shape (n_designs, n_layers) with 1 to "
            f"{MAX_LAYERS} layers on the last axis, got shape {t.shape}"
        )
    require_in("thickness_um", t, "[0, inf)")
    present = t != 0.0
    all_present = bool(present.all())
    if not all_present:  # a zero somewhere: layer 0 and the order of the layers need checking
        first = t[..., 0]
        require("thickness_um", first, "a Li-side layer (layer 0) thicker than 0", first == 0.0)
        # a present layer after an absent one: a cheap test on the mask first (a NaN thickness
        # counts as present there), then the exact one, in which NaN compares False and passes
        if any((present[..., i + 1] > present[..., i]).any() for i in range(t.shape[-1] - 1)):
            require(
                "thickness_um",
                t[..., 1:],
                "absent layers (thickness 0) only after the present ones",
                (t[..., 1:] > 0.0) & (t[..., :-1] == 0.0),
            )
    k = t.shape[-1]
    partial = [False] * k if all_present else [not present[..., i].all() for i in range(k)]
    flat = t.reshape(-1, k)
    return _Stack(t.shape[:-1], [flat[:, i] for i in range(k)], present, partial, all_present)


def _per_layer(
    name: str,
    values: ArrayLike,
    stack: _Stack,
    interval: str,
    *,
    fill: float,
    interfaces: bool = False,
) -> list[Array]:
    """A per-layer argument (with `interfaces`: per internal interface, k − 1 of them) broadcast
    to the stack, checked where its layer is present, and split into (m,) columns in which the
    values at absent layers are replaced by `fill`, a value that makes them contribute nothing.
    """
    offset = 1 if interfaces else 0  # interface i lies under layer i + 1: present if that is
    count = len(stack.layers) - offset
    target = (*stack.shape, count)
    x = np.asarray(values, dtype=float)
    try:
        x = np.broadcast_to(x, target)
    except ValueError:
        raise DomainError(
            f"{name}: expected a shape that broadcasts to {target}, got shape {x.shape}"
        ) from None
    try:  # the whole array first (one argmin/argmax); if it fails, only the present layers
        require_in(name, x, interval)
    except DomainError:
        if stack.all_present:
            raise
        require_in(name, np.where(stack.present[..., offset:], x, np.nan), interval)
    designs = len(stack.layers[0])
    flat = x.reshape(designs, count)
    present = stack.present.reshape(designs, len(stack.layers))
    return [
        np.where(present[:, i + offset], flat[:, i], fill)
        if stack.partial[i + offset]
        else flat[:, i]
        for i in range(count)
    ]


def _designs(stack: _Stack, values: Array) -> Array:
    """A per-design result, (m,), back in the designs' shape."""
    return values.reshape(stack.shape)


def series_asr_ohm_cm2(
    thickness_um: ArrayLike,
    *,
    sigma_s_per_cm: ArrayLike,
    internal_interface_ohm_cm2: ArrayLike,
) -> Array:
    """ASR of layers in series: Σ_i L_i/σ_i + Σ R_i,i+1 over interfaces between present layers.

    ASR = L/σ per layer (review, "Common Critical Challenges"); current crosses every layer, so
    the resistances add (the fact sheet's "two layers in series plus an interlayer term", §6).
    Electrode|membrane interfaces are not included (objectives.interfaces adds them on the outer
    faces). Worked number: 5 µm Li6PS5Cl (σ = 2e-3 S/cm) on the Li side + 20 µm Li3InCl6
    (σ = 1e-3 S/cm) + a halide|sulfide interphase R: 0.25 + 2.0 + R Ω cm².
    thickness_um: (n, k) [µm]; sigma_s_per_cm: σ_i ≥ 0, (n, k) [S/cm] (σ = 0: inf);
    internal_interface_ohm_cm2: R between layer i and i+1 ≥ 0, (n, k−1) [Ω cm²] (counted only
    when layer i+1 is present). Returns (n,) [Ω cm²].
    """
    stack = _stack(thickness_um)
    # absent layers: σ = 1 gives 0/1 = 0; an absent layer's interface: R = 0
    sigma = _per_layer("sigma_s_per_cm", sigma_s_per_cm, stack, "[0, inf)", fill=1.0)
    interface = _per_layer(
        "internal_interface_ohm_cm2",
        internal_interface_ohm_cm2,
        stack,
        "[0, inf)",
        fill=0.0,
        interfaces=True,
    )
    total = stack.layers[0] * CM_PER_UM
    with np.errstate(divide="ignore"):  # σ = 0: an insulating layer, inf
        total /= sigma[0]
        for t, s, r in zip(stack.layers[1:], sigma[1:], interface, strict=True):
            layer = t * CM_PER_UM
            layer /= s
            total += layer
            total += r
    return _designs(stack, total)


def stack_short_probability(
    thickness_um: ArrayLike, *, layer_short_probability: ArrayLike
) -> Array:
    """Probability that a through-short crosses the whole stack: P = Π_i P_i over present layers.

    A short circuit needs a Li path through every layer, so a dense layer that blocks (P_i ≈ 0)
    protects the stack even when a porous layer lets Li through (P_i = 1). ASSUMPTION: the layers
    fail independently. That is optimistic: a filament through one layer focuses current on the
    spot where it meets the next (void edges amplify current density by up to ~4 orders of
    magnitude, Raj et al. arXiv:2001.06276, fact sheet §3b), and an internal interface can itself
    be a path (Li plates along a LiPON‖LiPON interface, Westover et al., ACS Energy Lett., fact
    sheet §3b); read the product as a lower bound. P_i per layer comes e.g. from
    objectives.defects. Worked number: porous support P = 1, dense 5 µm layer P = 1e-3 -> 1e-3.
    thickness_um: (n, k) [µm]; layer_short_probability: P_i in [0, 1], (n, k). Returns (n,) [0-1].
    """
    stack = _stack(thickness_um)
    # absent layers: P = 1, the product's identity
    p = _per_layer("layer_short_probability", layer_short_probability, stack, "[0, 1]", fill=1.0)
    total = p[0].copy()
    for column in p[1:]:
        total *= column
    return _designs(stack, total)


def laminate_areal_mass_g_per_cm2(
    thickness_um: ArrayLike, *, density_g_per_cm3: ArrayLike, relative_density: ArrayLike = 1.0
) -> Array:
    """Areal mass of the stack, Σ_i ρ_i · ρ_rel,i · L_i (objectives.energy's layer mass, summed).

    Worked number (illustrative densities): 20 µm at 5.0 g/cm³ + 5 µm at 2.0 g/cm³, both dense ->
    0.010 + 0.001 = 0.011 g/cm². thickness_um: (n, k) [µm]; density_g_per_cm3: true density > 0,
    (n, k) [g/cm³]; relative_density in (0, 1], (n, k). Returns (n,) [g/cm²].
    """
    stack = _stack(thickness_um)
    density = _per_layer("density_g_per_cm3", density_g_per_cm3, stack, "(0, inf)", fill=0.0)
    relative = _per_layer("relative_density", relative_density, stack, "(0, 1]", fill=0.0)
    total = np.zeros(len(stack.layers[0]))
    for t, rho, rel in zip(stack.layers, density, relative, strict=True):
        layer = t * CM_PER_UM
        layer *= rho
        layer *= rel
        total += layer
    return _designs(stack, total)


def outer_faces(thickness_um: ArrayLike) -> OuterFaces:
    """The layer that faces the Li anode (always 0) and the one that faces the cathode (the last
    present layer), per design, so that a caller checks each outer face against its own
    electrode: np.take_along_axis(window_high_v, faces.cathode_side_layer[..., None], axis=-1)
    gives the oxidation limit of each design's cathode-side layer.
    thickness_um: (n, k) [µm]. Returns two (n,) index arrays.
    """
    stack = _stack(thickness_um)
    last = np.zeros(stack.shape, dtype=np.intp)
    for i in range(1, len(stack.layers)):  # present layers are contiguous from layer 0
        last += stack.present[..., i]
    return OuterFaces(np.zeros_like(last), last)


# --- mechanics: composite beam theory (transformed section), textbook --------------------------
#
# Layers perfectly bonded, plane sections stay plane (strain linear through the thickness), each
# layer linear elastic up to its strength, beam form (Poisson effects, i.e. plate stiffening by
# 1/(1 − ν²), ignored), no residual stress (co-sintering and thermal mismatch can leave large
# residual stresses in real laminates: not modelled). z is measured from the Li-side face; layer i
# spans [b_i, b_i + t_i], centre z_i = b_i + t_i/2.


class _Beam(NamedTuple):
    modulus: list[Array]  # E_i [GPa], 0 at absent layers
    bottom: list[Array]  # b_i [µm]
    top: list[Array]  # b_i + t_i [µm]
    et: list[Array]  # E_i t_i [GPa µm = N/mm]
    et_sum: Array  # Σ E_i t_i [N/mm]
    neutral_axis: Array  # z_n [µm]


def _beam(stack: _Stack, youngs_modulus_gpa: ArrayLike) -> _Beam:
    """Layer positions, E·t and the neutral axis z_n = Σ E_i t_i z_i / Σ E_i t_i of a stack."""
    # absent layers: E = 0, no stiffness (and t = 0 puts them at the top face)
    modulus = _per_layer("youngs_modulus_gpa", youngs_modulus_gpa, stack, "(0, inf)", fill=0.0)
    layers = stack.layers
    top = [layers[0]]
    for t in layers[1:]:
        top.append(top[-1] + t)
    bottom = [np.zeros(1), *top[:-1]]
    et = [e * t for e, t in zip(modulus, layers, strict=True)]
    et_sum = et[0].copy()
    moment = et[0] * layers[0]  # Σ E_i t_i (b_i + top_i) = 2 Σ E_i t_i z_i; b_0 + top_0 = t_0
    for i in range(1, len(layers)):
        et_sum += et[i]
        centre = bottom[i] + top[i]
        centre *= et[i]
        moment += centre
    with np.errstate(invalid="ignore", divide="ignore"):
        moment /= et_sum
    moment *= 0.5
    return _Beam(modulus, bottom, top, et, et_sum, moment)


def laminate_neutral_axis_um(thickness_um: ArrayLike, *, youngs_modulus_gpa: ArrayLike) -> Array:
    """Neutral axis from the Li-side face, z_n = Σ E_i t_i z_i / Σ E_i t_i (composite beam theory,
    transformed section). One layer or a symmetric laminate: mid-thickness.
    Worked number: 10 µm at 150 GPa on 90 µm at 60 GPa -> (1500·5 + 5400·55)/6900 = 44.13 µm.
    thickness_um: (n, k) [µm]; youngs_modulus_gpa: E_i > 0, (n, k) [GPa]. Returns (n,) [µm].
    """
    stack = _stack(thickness_um)
    return _designs(stack, _beam(stack, youngs_modulus_gpa).neutral_axis)


def laminate_flexural_rigidity_n_mm(
    thickness_um: ArrayLike, *, youngs_modulus_gpa: ArrayLike
) -> Array:
    """Bending stiffness per unit width, D = Σ E_i [t_i³/12 + t_i (z_i − z_n)²] (composite beam
    theory, transformed section; parallel-axis theorem). One layer: E t³/12.
    Worked number: 20 µm LLZO at 150 GPa -> 150e3 N/mm² · (0.02 mm)³/12 = 0.1 N mm.
    thickness_um: (n, k) [µm]; youngs_modulus_gpa: E_i > 0, (n, k) [GPa]. Returns (n,) [N mm]
    (N mm²/mm: moment per unit width per unit curvature).
    """
    stack = _stack(thickness_um)
    beam = _beam(stack, youngs_modulus_gpa)
    total = np.zeros(len(stack.layers[0]))
    for et, t, b, c in zip(beam.et, stack.layers, beam.bottom, beam.top, strict=True):
        offset = b + c
        offset *= 0.5
        offset -= beam.neutral_axis  # z_i − z_n
        offset *= offset
        own = t * t
        own /= 12.0
        own += offset
        own *= et
        total += own
    total *= N_MM_PER_GPA_UM3
    return _designs(stack, total)


def laminate_minimum_bending_radius_mm(
    thickness_um: ArrayLike, *, youngs_modulus_gpa: ArrayLike, strength_mpa: ArrayLike
) -> Array:
    """Smallest radius the stack bends to before its first layer cracks: max_i E_i·d_i/σ_f,i.

    At curvature κ = 1/R the stress in layer i is E_i (z − z_n) κ (composite beam theory), largest
    at its outer fibre d_i = max(|b_i − z_n|, |b_i + t_i − z_n|); it cracks when that reaches
    σ_f,i, at R_i = E_i d_i/σ_f,i. The first layer to crack sets the stack's R_min. Handling may
    bend either way, so both faces count, each against σ_f (the tensile strength: conservative for
    the face in compression, since ceramics are stronger in compression). One layer: E t/(2σ_f).
    Worked numbers: LLZO 150 GPa, 150 MPa, 20 µm -> 150·10/150 = 10 mm; 10 µm of it on a 90 µm
    porous support (60 GPa, 40 MPa, illustrative) -> the support cracks first, 60·55.87/40 = 83.8
    mm: a support makes the stack strong in tension but stiff, so it must be handled flatter.
    thickness_um: (n, k) [µm]; youngs_modulus_gpa: E_i > 0 [GPa]; strength_mpa: σ_f,i ≥ 0 [MPa]
    (σ_f = 0 gives inf: it cracks at any bend); both (n, k). Returns (n,) [mm].
    """
    stack = _stack(thickness_um)
    beam = _beam(stack, youngs_modulus_gpa)
    # absent layers: E = 0 and σ_f = 1 give R_i = 0, which never sets the maximum
    strength = _per_layer("strength_mpa", strength_mpa, stack, "[0, inf)", fill=1.0)
    zn = beam.neutral_axis
    radii = []
    for e, b, c, s in zip(beam.modulus, beam.bottom, beam.top, strength, strict=True):
        radius = zn - b
        np.maximum(radius, c - zn, out=radius)  # d_i [µm]
        radius *= e
        with np.errstate(divide="ignore", invalid="ignore"):  # σ_f = 0: inf
            radius /= s  # GPa·µm/MPa = mm
        radii.append(radius)
    largest = radii[0]
    for radius in radii[1:]:  # np.maximum propagates NaN (np.fmax would skip an unknown layer)
        np.maximum(largest, radius, out=largest)
    return _designs(stack, largest)


def laminate_tension_load_fraction(
    thickness_um: ArrayLike, *, youngs_modulus_gpa: ArrayLike
) -> Array:
    """Share of an in-plane tensile load each layer carries at equal strain, E_i t_i / Σ E_j t_j.

    A stiff, thick support carries most of it: 90 µm at 60 GPa under 10 µm at 150 GPa carries
    5400/6900 = 78%. thickness_um: (n, k) [µm]; youngs_modulus_gpa: E_i > 0, (n, k) [GPa].
    Returns (n, k) [0-1], 0 at absent layers.
    """
    stack = _stack(thickness_um)
    beam = _beam(stack, youngs_modulus_gpa)
    with np.errstate(invalid="ignore"):
        shares = np.stack([et / beam.et_sum for et in beam.et], axis=-1)
    return shares.reshape(*stack.shape, len(stack.layers))


def laminate_tension_capacity_n_per_mm(
    thickness_um: ArrayLike, *, strength_mpa: ArrayLike, youngs_modulus_gpa: ArrayLike
) -> Array:
    """In-plane tensile load per unit width at first-layer failure, F/w = Σ_j E_j t_j · min_i ε_f,i.

    Bonded layers stretch together (equal strain); the layer with the smallest strain to failure
    ε_f,i = σ_f,i/E_i cracks first, and a crack in any layer of an electrolyte is a failed
    membrane (first-ply failure). One layer: σ_f t. Units: GPa·µm = N/mm, ε = MPa/GPa · 1e-3.
    Worked numbers (illustrative inputs): 10 µm dense LLZO (150 GPa, 150 MPa) alone -> 1.5 N/mm;
    on a 90 µm porous support (60 GPa, 40 MPa, ε_f = 6.67e-4, cracks first) -> 6900 · 6.67e-4 =
    4.6 N/mm. thickness_um: (n, k) [µm]; strength_mpa: σ_f,i ≥ 0 [MPa]; youngs_modulus_gpa:
    E_i > 0 [GPa]; both (n, k). Returns (n,) [N/mm].
    """
    stack = _stack(thickness_um)
    beam = _beam(stack, youngs_modulus_gpa)
    # absent layers: σ_f = inf gives ε_f = inf (E = 0 there), which never sets the minimum
    strength = _per_layer("strength_mpa", strength_mpa, stack, "[0, inf)", fill=np.inf)
    with np.errstate(divide="ignore"):
        strains = [s / e for e, s in zip(beam.modulus, strength, strict=True)]  # ε_f,i [1e-3]
    smallest = strains[0]
    for strain in strains[1:]:  # np.minimum propagates NaN
        np.minimum(smallest, strain, out=smallest)
    smallest *= beam.et_sum
    smallest *= STRAIN_PER_MPA_PER_GPA
    return _designs(stack, smallest)
