import pytest

from surrogates.chemistry import FormulaError, composition_key, parse_formula, smiles_elements


@pytest.mark.parametrize(
    ("formula", "expected"),
    [
        ("Li7La3Zr2O12", {"Li": 7, "La": 3, "Zr": 2, "O": 12}),
        ("Li1.4Al0.4Ge1.6(PO4)3", {"Li": 1.4, "Al": 0.4, "Ge": 1.6, "P": 3, "O": 12}),
        ('"(Li2S)0.75 (P2S5)0.25"', {"Li": 1.5, "S": 2.0, "P": 0.5}),
        ("0.7Li2S-0.3P2S5", {"Li": 1.4, "S": 2.2, "P": 0.6}),
        (
            "0.97(0.6Li2S-0.4SiS2)-0.03Li3InO3",
            {"Li": 1.254, "S": 1.358, "Si": 0.388, "In": 0.03, "O": 0.09},
        ),
        ("0.26B2S3 – 0.3Li2S – 0.44LiI", {"B": 0.52, "S": 1.08, "Li": 1.04, "I": 0.44}),
        ("0.6(Li2S) 0.4(GeS2)", {"Li": 1.2, "S": 1.4, "Ge": 0.4}),
    ],
)
def test_formulas_and_glass_mixtures(formula, expected):
    got = parse_formula(formula)
    assert set(got) == set(expected)
    for element, amount in expected.items():
        assert got[element] == pytest.approx(amount)


@pytest.mark.parametrize("bad", ["", "Xyz2", "Li3PS4 – 50 wt% Al2O3", "nan"])
def test_unparseable_formulas_raise(bad):
    with pytest.raises(FormulaError):
        parse_formula(bad)


def test_smiles_heavy_atoms_skip_chain_markers():
    # LiTFSI-like anion side group with [Cu]/[Au] polymer chain ends
    counts = smiles_elements("[Cu]CC(C1=CC=C(S(=O)(=O)[N-]S(=O)(=O)C(F)(F)F)C=C1)[Au]")
    assert counts == {"C": 9, "S": 2, "O": 4, "N": 1, "F": 3}


def test_composition_key_is_scale_invariant():
    assert composition_key(parse_formula("Li7La3Zr2O12")) == composition_key(
        parse_formula("Li14La6Zr4O24")
    )
    assert composition_key(parse_formula("Li6PS5Cl")) != composition_key(parse_formula("Li6PS5Br"))


# issue 14: every notation of one composition gives the same element fractions
LPS_70_30 = {"Li": 1.4 / 4.2, "S": 2.2 / 4.2, "P": 0.6 / 4.2}


@pytest.mark.parametrize(
    "formula",
    [
        "0.7Li2S-0.3P2S5",  # mole fractions, pseudo-binary
        "70Li2S-30P2S5",  # mol %
        "70Li2S·30P2S5",  # glass notation with a middle dot
        "70Li2S•30P2S5",  # with a bullet
        "(Li2S)0.7(P2S5)0.3",  # grouped
        "(Li2S)70(P2S5)30",
        "Li2S-P2S5 (70:30)",  # ratio after the components
        "Li2S:P2S5 = 70:30",
        "Li2S–P2S5 70:30",
        "Li14P6S22",  # the same as one integer formula (x 20)
        "Li7P3S11",
    ],
)
def test_every_notation_of_a_glass_gives_the_same_fractions(formula):
    from surrogates.chemistry import element_fractions

    got = element_fractions(formula)
    assert set(got) == set(LPS_70_30)
    for element, fraction in LPS_70_30.items():
        assert got[element] == pytest.approx(fraction, abs=1e-12)


@pytest.mark.parametrize(
    ("per_formula_unit", "multiple"),
    [
        ("Li6.4Al0.2La3Zr2O12", "Li51.2Al1.6La24Zr16O96"),  # garnet per unit cell (Z = 8)
        ("Li7La3Zr2O12", "Li56La24Zr16O96"),
        ("Li1.3Al0.3Ti1.7(PO4)3", "Li7.8Al1.8Ti10.2P18O72"),  # NASICON per hexagonal cell (Z = 6)
        ("Li3.25Ge0.25P0.75S4", "Li13Ge1P3S16"),  # decimal and integer forms
    ],
)
def test_a_formula_and_its_multiples_are_the_same_composition(per_formula_unit, multiple):
    from surrogates.chemistry import element_fractions, primitive_formula_atoms

    assert element_fractions(per_formula_unit) == element_fractions(multiple)  # exactly equal
    assert primitive_formula_atoms(parse_formula(per_formula_unit)) == primitive_formula_atoms(
        parse_formula(multiple)
    )
    assert composition_key(parse_formula(per_formula_unit)) == composition_key(
        parse_formula(multiple)
    )


def test_primitive_formula_atoms_worked_numbers():
    from surrogates.chemistry import primitive_formula_atoms

    assert primitive_formula_atoms(parse_formula("Li7La3Zr2O12")) == 24
    assert primitive_formula_atoms(parse_formula("Li6.4Al0.2La3Zr2O12")) == 118  # Li32AlLa15Zr10O60
    assert primitive_formula_atoms(parse_formula("0.75Li2S-0.25P2S5")) == 8  # Li3PS4
    assert primitive_formula_atoms(parse_formula("Li6PS5Cl")) == 13


@pytest.mark.parametrize("bad", ["Li2S-P2S5 (70:20:10)", "Li2S:P2S5 = 70"])
def test_ratio_notation_with_mismatched_counts_is_refused(bad):
    with pytest.raises(FormulaError):
        parse_formula(bad)
