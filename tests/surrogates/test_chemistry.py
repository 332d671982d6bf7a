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
