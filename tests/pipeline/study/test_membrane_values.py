"""Catalog values of issue 13 item 6: pellet vs as-processed membrane σ, and the dense LLZO modulus."""

import dataclasses

import numpy as np
import pytest

from objectives import microstructure
from pipeline.study.evaluation import Evaluator
from tests.pipeline.study.test_evaluation import batch_of


def with_factor(catalog, process_id, factor):
    long = catalog.process_properties.copy()
    rows = (long["process_id"] == process_id) & (long["property"] == "membrane_conductivity_factor")
    long.loc[rows, "value"] = factor
    return dataclasses.replace(catalog, process_properties=long)


def test_membrane_sigma_is_the_factor_times_the_pellet_sigma(default_config, catalog):
    rows = [("Li6PS5Cl", "wet_coating", "li3n", 30.0, rho, 0.0) for rho in (1.0, 0.9)]
    batch = batch_of(catalog, rows)
    pellet = Evaluator(with_factor(catalog, "wet_coating", 1.0), default_config)(batch)
    membrane = Evaluator(with_factor(catalog, "wet_coating", 0.37), default_config)(batch)
    # at full density the pellet σ is the catalog's dense σ; porosity acts on both alike
    assert pellet["sigma_membrane_s_per_cm"][0] == pytest.approx(pellet["sigma_dense_s_per_cm"][0])
    np.testing.assert_allclose(
        membrane["sigma_membrane_s_per_cm"], 0.37 * pellet["sigma_membrane_s_per_cm"], rtol=1e-12
    )
    np.testing.assert_allclose(
        membrane["bulk_asr_ohm_cm2"], pellet["bulk_asr_ohm_cm2"] / 0.37, rtol=1e-12
    )
    np.testing.assert_array_equal(membrane["sigma_dense_s_per_cm"], pellet["sigma_dense_s_per_cm"])


def test_every_process_applies_its_catalog_factor(default_config, catalog):
    applies = catalog.process_applies()
    templates = (catalog.materials["temperature_law"] == "composite").to_numpy()
    resistance = catalog.coating_resistance_ohm_cm2()
    rows, expected = [], []
    factors = catalog.membrane_conductivity_factor()
    pellet = (catalog.materials["sigma_ref_form"] == "pellet").to_numpy()
    for j, process_id in enumerate(catalog.process_ids):
        # a pellet-referenced material where the process makes one (its factor applies), else
        # any (an as-made sheet or film: factor 1)
        makes = [i for i in np.flatnonzero(applies[:, j]) if not templates[i]]
        i = next((i for i in makes if pellet[i]), makes[0])
        coating = catalog.coating_ids[int(np.flatnonzero(~np.isnan(resistance[:, i]))[0])]
        rows.append((catalog.material_ids[i], process_id, coating, 20.0, 1.0, 0.0))
        # the most specific process_properties row for the pair (material, family, then the
        # general row): a film process has its own factor for some materials (PLD: LLZO, LATP)
        specific = catalog.process_values("membrane_conductivity_factor")[i, j]
        expected.append(specific if pellet[i] else 1.0)
        assert factors[i, j] == expected[-1]
    out = Evaluator(catalog, default_config)(batch_of(catalog, rows))
    assert np.all((np.array(expected) > 0) & (np.array(expected) <= 1.0))  # none beats its pellet
    np.testing.assert_allclose(
        out["sigma_membrane_s_per_cm"] / out["sigma_dense_s_per_cm"], expected, rtol=1e-12
    )


def test_llzo_modulus_is_the_dense_value(catalog):
    llzo = catalog.materials.loc["LLZO"]
    e0, b = llzo["youngs_modulus_gpa"], llzo["modulus_porosity_coefficient"]
    # the porosity law gives back Ni et al. 2012 (M035): 149.8 GPa at P = 0.03, 132.6 at P = 0.06
    assert microstructure.porous_property(e0, 0.97, b) == pytest.approx(149.8, rel=2e-3)
    assert microstructure.porous_property(e0, 0.94, b) == pytest.approx(132.6, rel=3e-3)
    assert e0 == pytest.approx(169.0, abs=0.5)  # physics notes §5: E0 ≈ 169 GPa
