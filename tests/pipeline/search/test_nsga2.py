import numpy as np
import pandas as pd
import pytest

from pipeline.errors import ConfigError
from pipeline.search.nsga2 import hypervolume, run_nsga2
from pipeline.study.config import StudyConfig
from pipeline.study.problem import StudyModel
from pipeline.study.registry import normalize
from pipeline.study.space import build_space
from tests.conftest import CONFIGS


def small_config(default_config, **search):
    data = default_config.to_dict()
    data["search"].update({"population_size": 24, "generations": 15, **search})
    data["cell"]["charge_c_rate_per_h"] = 0.05  # tests.conftest.FEASIBLE_AT_SMALL_BUDGET
    return StudyConfig.from_dict(data, source=str(CONFIGS / "default.yaml"))


class FakeSurrogate:
    """Stands in for a registered model: fixed std (log10) and applicability per composition."""

    class domain_:
        threshold = 0.05

    def __init__(self, std=0.3, applicability=None):
        self.std = std
        self.applicability = applicability or {}

    def predict_table(self, query):
        n = len(query)
        return pd.DataFrame(
            {
                "log10_sigma_mean": np.full(n, -3.0),
                "log10_sigma_std": np.full(n, self.std),
                "applicability": [self.applicability.get(c, 0.8) for c in query["composition"]],
            }
        )


def test_space_has_only_valid_combinations(default_config, catalog):
    space = build_space(catalog, default_config)
    applies = catalog.process_applies()
    coating_applies = catalog.coating_applies()
    assert space.n_options > 20
    assert applies[space.material, space.process].all()
    assert coating_applies[space.coating, space.material].all()
    batch = space.decode(np.random.default_rng(0).random((500, 4)))
    lo = catalog.processes["min_thickness_um"].to_numpy()[batch.process]
    hi = catalog.processes["max_thickness_um"].to_numpy()[batch.process]
    assert np.all(
        (batch.thickness_um >= lo * (1 - 1e-12)) & (batch.thickness_um <= hi * (1 + 1e-12))
    )


def test_unknown_names_in_search_sets_are_config_errors(default_config, catalog):
    config = small_config(default_config, materials=["LLZO", "LPSCl"])
    with pytest.raises(ConfigError, match=r"search\.materials': unknown 'LPSCl'"):
        build_space(catalog, config)


def test_vectorized_equals_elementwise(default_config, catalog):
    model = StudyModel(catalog, default_config)
    X = np.random.default_rng(1).random((64, 4))
    F, G, _ = model.evaluate(X)
    for i in range(0, 64, 7):
        Fi, Gi, _ = model.evaluate(X[i : i + 1])
        np.testing.assert_array_equal(Fi[0], F[i])
        np.testing.assert_array_equal(Gi[0], G[i])


def test_same_seed_same_front_and_every_front_design_is_feasible(default_config, catalog):
    config = small_config(default_config)
    a = run_nsga2(StudyModel(catalog, config), progress=False)
    b = run_nsga2(StudyModel(catalog, config), progress=False)
    np.testing.assert_array_equal(a.archive.F, b.archive.F)
    np.testing.assert_array_equal(a.archive.X, b.archive.X)
    assert [r.get("hypervolume") for r in a.history] == [r.get("hypervolume") for r in b.history]
    model = StudyModel(catalog, config)
    table = model.table(a.archive.X)
    assert len(table) > 5
    g = table[[c for c in table if c.startswith("G_")]]
    assert (g.to_numpy() <= 0).all()
    assert (table["total_asr_ohm_cm2"] <= config.operating.asr_max_ohm_cm2).all()
    assert (table["strength_mpa"] >= config.mechanics.min_strength_mpa).all()
    hv = [r["hypervolume"] for r in a.history if "hypervolume" in r]
    assert np.all(np.diff(hv) >= -1e-12)  # the archive never loses HV


def test_other_seed_other_front(default_config, catalog):
    a = run_nsga2(StudyModel(catalog, small_config(default_config)), progress=False)
    b = run_nsga2(StudyModel(catalog, small_config(default_config, seed=99)), progress=False)
    assert not np.array_equal(a.archive.F, b.archive.F)


def test_search_reaches_99_percent_of_exact_front_hypervolume(default_config, catalog):
    config = small_config(
        default_config,
        materials=["LLZO", "LATP", "Li6PS5Cl"],
        processes=["tape_casting", "wet_coating", "cold_pressing"],
        coatings=["ald_al2o3", "li3n", "none"],
        grid_levels=6,
        population_size=40,
        generations=60,
    )
    model = StudyModel(catalog, config)
    bounds = {n: config.normalization[n] for n in model.objectives}
    grid = model.space.grid()
    F, G, _ = model.evaluate(grid)
    feasible = np.all(G <= 0, axis=1)
    exact = hypervolume(normalize(F[feasible], model.objectives, bounds))
    result = run_nsga2(model, progress=False)
    found = result.history[-1]["hypervolume"]
    assert exact > 0
    assert found >= 0.99 * exact
    assert found <= exact + 1e-9  # the search space is the grid, so it cannot beat enumeration


def robust_model(default_config, catalog, surrogate, **robust):
    data = default_config.to_dict()
    data["surrogate"].update(
        {"robust": True, "robust_quantile": 0.9, "penalize_out_of_domain": True, **robust}
    )
    return StudyModel(catalog, StudyConfig.from_dict(data), surrogate)


def test_robust_mode_and_domain_penalty(default_config, catalog):
    model = robust_model(
        default_config, catalog, FakeSurrogate(std=0.5, applicability={"Li6PS5Cl": 0.0})
    )
    X = np.random.default_rng(2).random((200, 4))
    _, _, out = model.evaluate(X)
    known = np.isfinite(out["total_asr_ohm_cm2"])  # an unknown interface leaves the ASR unknown
    assert known.any()
    # robust: the bulk ASR at its 90 % quantile, never more optimistic than the nominal
    bulk = out["robust_asr_ohm_cm2"] - out["interface_asr_ohm_cm2"]
    assert np.all(bulk[known] >= out["bulk_asr_ohm_cm2"][known] * (1 - 1e-12))
    assert np.any(bulk[known] > 1.05 * out["bulk_asr_ohm_cm2"][known])
    lpscl = np.array(catalog.material_ids)[model.space.decode(X).material] == "Li6PS5Cl"
    assert lpscl.any()
    assert np.all(out["g_domain"][lpscl] > 0) and not out["in_domain"][lpscl].any()
    assert "g_domain" in model.constraint_names


def test_robust_mode_reads_the_catalog_range_for_a_measured_sigma(default_config, catalog):
    """conductivity_source: catalog: a design uses the catalog's measured σ, so its robust quantile
    comes from that measurement's evidence range, whatever the surrogate's spread for the
    composition (a factor 10^(1.28 · 0.5) = 4.4 from a std of 0.5 before this was fixed)."""
    X = np.random.default_rng(2).random((200, 4))
    models = [robust_model(default_config, catalog, FakeSurrogate(std=s)) for s in (0.05, 0.5)]
    outs = [model.evaluate(X)[2] for model in models]
    np.testing.assert_array_equal(outs[0]["robust_asr_ohm_cm2"], outs[1]["robust_asr_ohm_cm2"])
    out = outs[1]
    materials = np.array(catalog.material_ids)[models[1].space.decode(X).material]
    llzo = (materials == "LLZO") & np.isfinite(out["total_asr_ohm_cm2"])
    assert llzo.any()
    row = catalog.material_properties.query(
        "material_id == 'LLZO' and property == 'sigma_ref_s_per_cm'"
    ).iloc[0]
    # an interquartile range (range_kind quartiles): a split normal of ln σ through the quartiles,
    # so the 10 % quantile lies z_0.1/z_0.75 lower-half sds under the median: factor
    # exp(1.2816/0.6745 · ln(5.81e-4/3.61e-4)) = 2.47 (×1.33 when the 29-entry range was bounds)
    assert row["range_kind"] == "quartiles"
    expected = np.exp(1.2815515655446004 / 0.6744897501960817 * np.log(row["value"] / row["low"]))
    assert expected == pytest.approx(2.47, abs=0.01)
    bulk = out["robust_asr_ohm_cm2"] - out["interface_asr_ohm_cm2"]
    np.testing.assert_allclose(bulk[llzo] / out["bulk_asr_ohm_cm2"][llzo], expected, rtol=1e-9)


def test_robust_mode_reads_the_surrogate_spread_for_a_predicted_sigma(default_config, catalog):
    """conductivity_source: surrogate: σ is the surrogate's, so is its spread: 10^(z_0.9 · std)."""
    model = robust_model(
        default_config, catalog, FakeSurrogate(std=0.5), conductivity_source="surrogate"
    )
    X = np.random.default_rng(2).random((200, 4))
    _, _, out = model.evaluate(X)
    formula = catalog.materials["formula"].fillna("").to_numpy()[model.space.decode(X).material]
    rows = (formula != "") & np.isfinite(out["total_asr_ohm_cm2"])
    assert rows.any()
    bulk = out["robust_asr_ohm_cm2"] - out["interface_asr_ohm_cm2"]
    np.testing.assert_allclose(
        bulk[rows] / out["bulk_asr_ohm_cm2"][rows], 10 ** (1.2815515655446004 * 0.5), rtol=1e-9
    )


def test_cold_window_is_the_binding_asr(default_config, catalog):
    data = default_config.to_dict()
    data["constraints"]["temperature_window_c"] = [-20.0, 60.0]
    model = StudyModel(catalog, StudyConfig.from_dict(data))
    _, _, out = model.evaluate(np.random.default_rng(3).random((100, 4)))
    finite = np.isfinite(out["g_asr_cold"]) & np.isfinite(out["g_asr"])
    assert np.all(out["g_asr_cold"][finite] >= out["g_asr"][finite])
    assert "g_asr_cold" in model.constraint_names


def test_population_chunks_on_dask_workers_give_the_same_front(default_config, catalog):
    from distributed import Client, LocalCluster

    from pipeline.search.distributed import ChunkedModel

    config = small_config(default_config, generations=6)
    local = run_nsga2(StudyModel(catalog, config), progress=False)
    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        chunked = ChunkedModel(StudyModel(catalog, config), client, chunks=3)
        remote = run_nsga2(chunked, progress=False)
    np.testing.assert_array_equal(local.archive.F, remote.archive.F)
    np.testing.assert_array_equal(local.archive.X, remote.archive.X)


def test_hypervolume_recorded_on_first_every_nth_and_last_generation(default_config, catalog):
    from pipeline.search.nsga2 import HV_EVERY

    result = run_nsga2(
        StudyModel(catalog, small_config(default_config, generations=12)), progress=False
    )
    with_hv = [r["generation"] for r in result.history if "hypervolume" in r]
    assert with_hv == [1, *range(HV_EVERY, 12, HV_EVERY), 12]
    assert len(result.history) == 12  # every generation still has its other figures


def test_a_stagnation_test_computes_hypervolume_every_generation(default_config, catalog):
    config = small_config(default_config, hv_stagnation_window=3, generations=12)
    result = run_nsga2(StudyModel(catalog, config), progress=False)
    assert all("hypervolume" in r for r in result.history)
