import copy

import pytest
import yaml

from pipeline.errors import ConfigError
from pipeline.study.config import StudyConfig, load_config, set_override
from tests.conftest import CONFIGS

RAW = yaml.safe_load((CONFIGS / "default.yaml").read_text())


def test_default_config_round_trips(default_config):
    assert StudyConfig.from_dict(default_config.to_dict()) == default_config
    assert default_config.operating.asr_max_ohm_cm2 == 50.0  # the review's limit is the default


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        (
            ("operating", "temperature_c"),
            "warm",
            "key 'operating.temperature_c': expected a number",
        ),
        (("operating", "asr_max_ohm_cm2"), -5, "key 'operating.asr_max_ohm_cm2'"),
        (("cell", "active_mass_fraction"), 1.5, "key 'cell.active_mass_fraction'"),
        (
            ("mechanics", "porosity_model"),
            "archie",
            "expected one of 'bruggeman', 'maxwell_garnett'",
        ),
        (("composite", "model"), "brugeman", "did you mean 'bruggeman'"),
        (("manufacturability", "weights"), {"maturity": 1}, "missing 'thickness_margin'"),
        (
            ("manufacturability", "atmosphere_scores"),
            {"ambient": 2.0},
            "manufacturability.atmosphere_scores.ambient",
        ),
        (("cell",), "big", "key 'cell': expected a mapping"),
    ],
)
def test_corrupting_one_key_names_that_key(path, value, expected):
    data = copy.deepcopy(RAW)
    node = data
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    with pytest.raises(ConfigError) as err:
        StudyConfig.from_dict(data, source="study.yaml")
    assert "study.yaml" in str(err.value)
    assert expected in str(err.value)


def test_misspelled_key_gets_suggestion():
    data = copy.deepcopy(RAW)
    data["operating"]["temprature_c"] = data["operating"].pop("temperature_c")
    with pytest.raises(
        ConfigError,
        match=r"operating.temprature_c': unknown key \(did you mean 'temperature_c'\?\)",
    ):
        StudyConfig.from_dict(data)


def test_all_problems_reported_at_once():
    data = copy.deepcopy(RAW)
    data["operating"]["temperature_c"] = "x"
    data["cell"]["c_rate_per_h"] = 0
    with pytest.raises(ConfigError) as err:
        StudyConfig.from_dict(data)
    assert "operating.temperature_c" in str(err.value) and "cell.c_rate_per_h" in str(err.value)


def test_core_shell_needs_interphase_conductivity():
    data = copy.deepcopy(RAW)
    data["composite"]["model"] = "core_shell"
    with pytest.raises(ConfigError, match="interphase_sigma_s_per_cm"):
        StudyConfig.from_dict(data)
    data["composite"]["interphase_sigma_s_per_cm"] = 1e-4
    assert StudyConfig.from_dict(data).composite.model == "core_shell"


def test_overrides_and_file_errors(tmp_path):
    cfg = load_config(
        CONFIGS / "default.yaml", ["operating.asr_max_ohm_cm2=30", "composite.model=series"]
    )
    assert cfg.operating.asr_max_ohm_cm2 == 30.0 and cfg.composite.model == "series"
    with pytest.raises(ConfigError, match=r"expected key.path=value"):
        set_override({}, "novalue")
    bad = tmp_path / "bad.yaml"
    bad.write_text("operating: [1, 2\n")
    with pytest.raises(ConfigError, match=r"bad.yaml: not valid YAML"):
        load_config(bad)
    with pytest.raises(ConfigError, match=r"missing.yaml: cannot read config"):
        load_config(tmp_path / "missing.yaml")


def test_a_study_asks_for_one_kind_of_membrane(catalog):
    """search.architectures: the shipped bulk-cell studies search free-standing separators only,
    the thin-film study films on an electrode only (processes.csv architecture)."""
    from pipeline.study.space import build_space

    architecture = catalog.processes["architecture"]
    for name, kind in (("default.yaml", "free_standing"), ("studies/thin_films.yaml", "supported")):
        config = load_config(CONFIGS / name)
        assert config.search.architectures == (kind,)
        space = build_space(catalog, config)
        used = {catalog.process_ids[j] for j in set(space.options["process"])}
        assert used and {architecture[p] for p in used} == {kind}


def test_an_unknown_architecture_is_named():
    with pytest.raises(ConfigError, match=r"search\.architectures.*floating"):
        load_config(CONFIGS / "default.yaml", ["search.architectures=[floating]"])


@pytest.mark.parametrize(
    "path", sorted(p.relative_to(CONFIGS) for p in CONFIGS.glob("studies/*.yaml")), ids=str
)
def test_shipped_studies_write_under_the_repository_results_folder(path):
    # output_dir is relative to the config file: a study one folder deeper than default.yaml
    # that copies its "../results" writes to configs/results/, which .gitignore hides
    config = load_config(CONFIGS / path)
    assert config.resolve_path(config.tracking.output_dir) == CONFIGS.parent / "results"


def test_a_config_file_whose_catalog_folder_is_missing_names_the_key(tmp_path):
    copied = tmp_path / "default.yaml"  # default.yaml's relative catalog/ is not beside the copy
    copied.write_text((CONFIGS / "default.yaml").read_text())
    with pytest.raises(ConfigError) as err:
        load_config(copied)
    assert f"{copied}: invalid config: key 'catalog': expected the catalog folder" in str(err.value)
    assert str(tmp_path / "catalog") in str(err.value)
