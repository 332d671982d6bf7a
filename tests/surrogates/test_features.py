import numpy as np
import pandas as pd
import pytest

from surrogates.features import CompositionFeaturizer, feature_names


def frame(*formulas, **structure):
    return pd.DataFrame({"composition": list(formulas), **structure})


def test_fraction_descriptors_worked_numbers():
    train = frame("Li7La3Zr2O12", "Li3PS4")
    featurizer = CompositionFeaturizer(structure=False, descriptors="fractions").fit(train)
    names = list(featurizer.get_feature_names_out())
    fractions = ["frac_La", "frac_Li", "frac_O", "frac_P", "frac_S", "frac_Zr", "frac_other"]
    assert names == [*fractions, "log10_atoms_per_least_element", "li_per_anion"]
    # Li6PS5Cl: 13 atoms; Cl was never seen in training, so its 1/13 goes to frac_other; 6 Li per
    # 6 anion atoms (5 S + 1 Cl)
    row = featurizer.transform(frame("Li6PS5Cl"))[0]
    values = [0, 6 / 13, 0, 1 / 13, 5 / 13, 0, 1 / 13, np.log10(13), 1.0]
    expected = dict(zip(names, values, strict=True))
    np.testing.assert_allclose(row, [expected[n] for n in names])
    assert row[: len(fractions)].sum() == pytest.approx(1.0)


def test_formula_unit_features_do_not_depend_on_how_a_formula_is_scaled():
    from surrogates.features import formula_unit_features

    X = formula_unit_features(
        [
            "Li14La6Zr4O24",
            "Li7La3Zr2O12",
            "Li6.4Al0.2La3Zr2O12",
            "Li51.2Al1.6La24Zr16O96",  # its unit cell: 8 formula units
            "0.75Li2S-0.25P2S5",
            "75Li2S·25P2S5",
            "LaTiO3",
        ]
    )
    # atoms per atom of the least abundant element: Li7La3Zr2O12 24/2, Li6.4Al0.2La3Zr2O12 23.6/0.2,
    # Li3PS4 8/1, LaTiO3 5/1
    np.testing.assert_allclose(
        X,
        [
            [np.log10(12), 7 / 12],
            [np.log10(12), 7 / 12],
            [np.log10(118), 6.4 / 12],
            [np.log10(118), 6.4 / 12],
            [np.log10(8), 0.75],
            [np.log10(8), 0.75],
            [np.log10(5), 0.0],
        ],
    )
    assert (X[0] == X[1]).all() and (X[2] == X[3]).all() and (X[4] == X[5]).all()


def test_legacy_formula_unit_features_reduce_integer_formulas_only():
    # the block of models fitted before issue 14, kept so that they still predict what they did
    from surrogates.features import legacy_formula_unit_features as formula_unit_features
    from surrogates.features import reduced_amounts

    assert reduced_amounts({"Li": 14.0, "La": 6.0, "Zr": 4.0, "O": 24.0}) == {
        "Li": 7.0,
        "La": 3.0,
        "Zr": 2.0,
        "O": 12.0,
    }
    X = formula_unit_features(
        ["Li14La6Zr4O24", "Li7La3Zr2O12", "Li6.4La3Zr1.4Ta0.6O12", "0.75Li2S-0.25P2S5", "LaTiO3"]
    )
    # doped and glass formulas are formula units as written: 23.4 atoms; 0.75*3 + 0.25*7 = 4
    np.testing.assert_allclose(X, [[24, 7], [24, 7], [23.4, 6.4], [4.0, 1.5], [5, 0]])


def test_featurizer_fitted_before_formula_unit_keeps_its_columns():
    # a model pickled before the formula-unit block existed has no `formula_unit` attribute
    train = frame("Li7La3Zr2O12", "Li3PS4")
    featurizer = CompositionFeaturizer(structure=False, descriptors="fractions", formula_unit=False)
    featurizer.fit(train)
    del featurizer.formula_unit
    X = featurizer.transform(frame("Li6PS5Cl"))
    assert X.shape == (1, len(featurizer.feature_names_out_)) == (1, 7)


def test_structure_block_marks_missing_values():
    train = frame("Li3PS4", "Li3InCl6", space_group_number=[62.0, np.nan], a=[13.0, np.nan])
    X = CompositionFeaturizer(structure=True, descriptors="fractions").fit(train).transform(train)
    # ... a, b, c, alpha, beta, gamma, has_structure, then volume per atom, Li per nm3, has_cell,
    # then Li–Li min and mean distance, has_li_sites: absent columns and NaN become -1
    np.testing.assert_allclose(
        X[0, -14:], [62.0, 13.0, -1, -1, -1, -1, -1, 1.0, -1, -1, 0.0, -1, -1, 0.0]
    )
    np.testing.assert_allclose(
        X[1, -14:], [-1, -1, -1, -1, -1, -1, -1, 0.0, -1, -1, 0.0, -1, -1, 0.0]
    )


def test_cell_descriptors_from_lattice_and_z():
    # Li7La3Zr2O12, cubic a = 12.97 A, Z = 8: 192 atoms and 56 Li per cell
    train = frame(
        "Li7La3Zr2O12",
        space_group_number=[230.0],
        a=[12.97],
        b=[12.97],
        c=[12.97],
        alpha=[90.0],
        beta=[90.0],
        gamma=[90.0],
        formula_units_per_cell=[8.0],
    )
    featurizer = CompositionFeaturizer(structure=True, descriptors="fractions").fit(train)
    X = featurizer.transform(train)
    names = list(featurizer.get_feature_names_out())
    cell = [names.index(c) for c in ("volume_per_atom_a3", "li_per_nm3", "has_cell")]
    volume = 12.97**3
    np.testing.assert_allclose(X[0, cell], [volume / 192, 1000 * 56 / volume, 1.0])


def test_magpie_descriptors_statistics():
    train = frame("LiCl", "Li2O")
    featurizer = CompositionFeaturizer(structure=False, descriptors="magpie").fit(train)
    names = list(featurizer.get_feature_names_out())
    assert names[: len(feature_names())] == feature_names()
    row = dict(zip(names, featurizer.transform(frame("LiCl"))[0], strict=True))
    # LiCl: Z = 3 and 17 at equal fractions -> mean 10, mean absolute deviation 7, range 14
    assert (row["mean_Z"], row["mad_Z"], row["range_Z"]) == pytest.approx((10.0, 7.0, 14.0))
    assert (row["frac_Li"], row["frac_Cl"], row["n_elements"]) == pytest.approx((0.5, 0.5, 2.0))


def test_unknown_descriptors_are_named():
    with pytest.raises(ValueError, match="'descriptors' parameter of CompositionFeaturizer"):
        CompositionFeaturizer(descriptors="graphs").fit(frame("LiCl"))


def test_process_routes_from_free_text():
    from surrogates.features import process_route

    assert process_route("RF magnetron sputtering") == "vapor"
    assert process_route("plasma-assisted ALD") == "vapor"
    assert process_route("chemical solution deposition") == "solution"
    assert process_route("tape casting + sintering") == "solution"
    assert process_route("mechanochemistry + hot pressing") == "pressed_sintered"
    assert process_route("") == ""


def test_context_block_family_route_and_thickness():
    train = frame(
        "Li7La3Zr2O12",
        "Li3PS4",
        family=["garnet", "thio-phosphate"],
        process=["RF magnetron sputtering", ""],
        thickness_um=[1.5, np.nan],
    )
    featurizer = CompositionFeaturizer(structure=False, descriptors="fractions", context=True)
    featurizer.fit(train)
    names = list(featurizer.get_feature_names_out())
    tail = names[names.index("li_per_anion") + 1 :]
    assert tail == [
        "family_garnet",
        "family_thio-phosphate",
        "family_other",
        "route_vapor",
        "route_solution",
        "route_pressed_sintered",
        "log10_thickness_um",
        "has_thickness",
    ]
    new = frame(
        "Li6PS5Cl", family=["argyrodite"], process=["wet slurry casting"], thickness_um=[10]
    )
    block = featurizer.transform(new)[0, -len(tail) :]
    np.testing.assert_allclose(block, [0, 0, 1, 0, 1, 0, 1.0, 1.0])
    # a table without any context columns: nothing known, no thickness
    bare = featurizer.transform(frame("Li3PS4"))[0, -len(tail) :]
    np.testing.assert_allclose(bare, [0, 0, 0, 0, 0, 0, -9.0, 0.0])


def test_nearly_equal_compositions_get_nearly_equal_formula_unit_features():
    """A new user found predictions swinging between Li6.4La3Zr1.4Ta0.6O12 and the same formula with
    a fourth decimal (the smallest integer formula jumped from 24-ish to thousands of atoms)."""
    from surrogates.features import PRIMITIVE_FORMULA_UNIT_COLUMNS, formula_unit_features

    a, b = formula_unit_features(["Li6.4La3Zr1.4Ta0.6O12", "Li6.4001La3Zr1.4001Ta0.5999O12"])
    np.testing.assert_allclose(a, b, atol=1e-3)
    np.testing.assert_allclose(a[0], np.log10(23.4 / 0.6))  # Σ n / min n
    # the block models fitted with the smallest integer formula keep (and its jump)
    old = formula_unit_features(
        ["Li6.4La3Zr1.4Ta0.6O12", "Li6.4001La3Zr1.4001Ta0.5999O12"], PRIMITIVE_FORMULA_UNIT_COLUMNS
    )
    assert abs(old[0, 0] - old[1, 0]) > 1.0


def test_li_li_block_values_and_missing_path():
    # OBELiX-like rows with the Li–Li columns; a row without a CIF (NaN), one out of range
    train = frame(
        "Li7La3Zr2O12",
        "Li3PS4",
        "Li6PS5Cl",
        li_li_min_distance_a=[2.56, np.nan, 25.0],
        li_li_nn_mean_distance_a=[2.57, np.nan, 25.0],
    )
    featurizer = CompositionFeaturizer(structure=True, descriptors="fractions").fit(train)
    names = list(featurizer.get_feature_names_out())
    assert names[-3:] == ["li_li_min_distance_a", "li_li_nn_mean_distance_a", "has_li_sites"]
    X = featurizer.transform(train)
    np.testing.assert_allclose(X[:, -3:], [[2.56, 2.57, 1.0], [-1, -1, 0.0], [-1, -1, 0.0]])
    # a user's table without the columns: the same features, the Li–Li block missing
    bare = featurizer.transform(frame("Li7La3Zr2O12"))
    assert bare.shape == (1, len(names))
    np.testing.assert_allclose(bare[0, -3:], [-1, -1, 0.0])


def test_featurizer_fitted_before_li_li_keeps_its_columns():
    # a model pickled before the Li–Li block has no `li_li_` attribute: its old feature count
    train = frame("Li7La3Zr2O12", "Li3PS4", space_group_number=[230.0, 62.0])
    featurizer = CompositionFeaturizer(structure=True, descriptors="fractions").fit(train)
    new = featurizer.transform(train)
    del featurizer.li_li_
    featurizer.feature_names_out_ = featurizer.feature_names_out_[:-3]  # as it was fitted then
    rows = frame("Li6PS5Cl", li_li_min_distance_a=[2.0], li_li_nn_mean_distance_a=[2.1])
    old = featurizer.transform(rows)
    assert old.shape == (1, len(featurizer.feature_names_out_)) == (1, new.shape[1] - 3)
    np.testing.assert_array_equal(featurizer.transform(train), new[:, :-3])
