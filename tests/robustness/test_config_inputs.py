"""Bad study, training and job configuration: every value, file and override is refused with one
line naming the file and key, exit code 2, before any run starts or any file is written.

The number keys are enumerated from the config dataclasses themselves, so a key added later is
covered: each refuses NaN, +inf and -inf (YAML .nan, .inf, -.inf) and a value below its range."""

from __future__ import annotations

import dataclasses
import typing
from pathlib import Path

import pytest

from pipeline.study.config import StudyConfig, TrainConfig
from tests.robustness.conftest import CONFIGS, assert_refused, outcome


def number_keys(cls, prefix: str = "") -> list[tuple[str, dict]]:
    """(key path, field metadata) of every float/int key of a config dataclass, nested."""
    keys = []
    hints = typing.get_type_hints(cls)
    for f in dataclasses.fields(cls):
        hint = hints[f.name]
        if isinstance(hint, type) and dataclasses.is_dataclass(hint):
            keys += number_keys(hint, f"{prefix}{f.name}.")
        elif hint in (float, int, float | None) and f.metadata.get("low") is not None:
            keys.append((f"{prefix}{f.name}", dict(f.metadata)))
    return keys


STUDY_NUMBER_KEYS = number_keys(StudyConfig)
TRAIN_NUMBER_KEYS = number_keys(TrainConfig)


def study(tmp_path, *overrides: str) -> list[str]:
    return [
        "run",
        "--out",
        tmp_path / "out",
        "--set",
        f"tracking.tracking_uri=sqlite:///{tmp_path}/mlflow.db",
        *[a for o in overrides for a in ("--set", o)],
    ]


def assert_config_refused(result, tmp_path, names) -> None:
    assert_refused(
        result,
        2,
        names,
        store=tmp_path / "mlflow.db",
        absent=(tmp_path / "out", tmp_path / "mlflow.db"),
    )


def test_every_number_key_is_enumerated():
    assert len(STUDY_NUMBER_KEYS) >= 40
    assert "operating.temperature_c" in dict(STUDY_NUMBER_KEYS)


@pytest.mark.parametrize("value", [".nan", ".inf", "-.inf"])
@pytest.mark.parametrize("key", [k for k, _ in STUDY_NUMBER_KEYS])
def test_non_finite_numbers_are_refused(capsys, tmp_path, key, value):
    result = outcome(capsys, study(tmp_path, f"{key}={value}"))
    assert_config_refused(result, tmp_path, ("default.yaml", f"key '{key}'"))


@pytest.mark.parametrize(
    ("key", "low"), [(k, m["low"]) for k, m in STUDY_NUMBER_KEYS if m["low"] is not None]
)
def test_values_below_a_keys_range_are_refused(capsys, tmp_path, key, low):
    below = low - 1 if low <= 0 else -abs(low)
    result = outcome(capsys, study(tmp_path, f"{key}={below}"))
    assert_config_refused(result, tmp_path, ("default.yaml", f"key '{key}'"))


@pytest.mark.parametrize("key", [k for k, _ in TRAIN_NUMBER_KEYS])
def test_training_config_numbers_refuse_nan(capsys, tmp_path, key):
    result = outcome(
        capsys,
        [
            "train",
            "--set",
            f"mlflow.tracking_uri=sqlite:///{tmp_path}/mlflow.db",
            "--set",
            f"{key}=.nan",
        ],
    )
    assert_config_refused(result, tmp_path, ("train.yaml", f"key '{key}'"))


BAD_OVERRIDES = [
    ("name=../../../x", "key 'name'"),
    ("name=/etc/x", "key 'name'"),
    ("name=.hidden", "key 'name'"),
    ("name=-rf", "key 'name'"),
    ("name=a b", "key 'name'"),
    ("name=" + "x" * 101, "key 'name'"),
    ("tracking.experiment=../x", "key 'tracking.experiment'"),
    ("search.generatons=5", "key 'search.generatons'"),
    ("search.generations=1e3", "key 'search.generations'"),  # a float now (YAML 1.2), not an int
    ("search.generations=true", "key 'search.generations'"),
    ("search.seed=-1", "key 'search.seed'"),
    ("operating=hot", "key 'operating'"),
    ("operating.temperature_c=warm", "key 'operating.temperature_c'"),
    ("operating.temperature_c=1e400", "key 'operating.temperature_c'"),  # overflows to inf
    (
        "manufacturability.atmosphere_scores.inret=0.4",
        "key 'manufacturability.atmosphere_scores.inret'",
    ),
    (
        "manufacturability.atmosphere_scores.inert=.nan",
        "key 'manufacturability.atmosphere_scores.inert'",
    ),
    (
        "manufacturability.scalability_scores.roll=1",
        "key 'manufacturability.scalability_scores.roll'",
    ),
    ("manufacturability.weights.maturity=-1", "key 'manufacturability.weights.maturity'"),
    ("decision.asf_weights.thickness_um=.inf", "key 'decision.asf_weights.thickness_um'"),
    ("normalization.thickness_um=[0, .inf]", "key 'normalization.thickness_um'"),
    ("normalization.thickness_um=[5, 1]", "key 'normalization.thickness_um'"),
    ("constraints.temperature_window_c=[-20, .nan]", "key 'constraints.temperature_window_c'"),
    ("constraints.temperature_window_c=[60, -20]", "key 'constraints.temperature_window_c'"),
    ("objectives=[thickness_um]", "key 'objectives'"),
    ("objectives=[thickness_um, asr]", "key 'objectives'"),
    ("compute.scheduler=localhost", "key 'compute.scheduler'"),
    ("surrogate.conductivity_source=oracle", "key 'surrogate.conductivity_source'"),
    ("composite.model=core_shell", "key 'composite.interphase_sigma_s_per_cm'"),
    ("search.engine=slow", "key 'search.engine'"),
    ("manufacturability.mrl_high=1", "key 'manufacturability.mrl_high'"),
    ("search=", "key 'search'"),
    ("tracking.enabled=maybe", "key 'tracking.enabled'"),
]


@pytest.mark.parametrize(("override", "name"), BAD_OVERRIDES)
def test_bad_overrides_name_their_key(capsys, tmp_path, override, name):
    result = outcome(capsys, study(tmp_path, override))
    assert_config_refused(result, tmp_path, name)


@pytest.mark.parametrize(
    ("override", "name"),
    [
        ("no-equals-sign", "--set 'no-equals-sign'"),
        ("a..b=1", "--set 'a..b=1'"),
        ("search.seed=[1, 2", "--set 'search.seed=[1, 2'"),
        ("search.seed=*alias", "--set 'search.seed=*alias'"),
        ("operating.temperature_c.x=1", "--set 'operating.temperature_c.x=1'"),
    ],
)
def test_malformed_overrides_are_named(capsys, tmp_path, override, name):
    result = outcome(capsys, study(tmp_path, override))
    assert_config_refused(result, tmp_path, name)


def test_yaml_12_numbers_are_accepted(capsys, tmp_path):
    """The counterpart: 1e-4 and 3E1 are numbers, in --set and in files."""
    from pipeline.study.config import load_config

    config = load_config(
        CONFIGS / "default.yaml", ["search.hv_stagnation_tol=1e-4", "operating.temperature_c=3E1"]
    )
    assert config.search.hv_stagnation_tol == 1e-4 and config.operating.temperature_c == 30.0


BOMB = """a: &a ["x", "x", "x", "x", "x", "x", "x", "x", "x"]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
"""


def _bad_files(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    """name -> (config path, text the message must contain)."""
    d = tmp_path / "configs"
    d.mkdir()
    files = {
        "alias_bomb": (BOMB, "aliases"),
        "plain_alias": ("search: &s {seed: 2}\nname: *s\n", "aliases"),
        "not_utf8": (b"name: caf\xe9\n", "not UTF-8"),
        "yaml_syntax": ("search: [1, 2\n", "not valid YAML"),
        "tab_indent": ("search:\n\tseed: 2\n", "not valid YAML"),
        "top_level_list": ("- a\n- b\n", "expected a mapping at the top level"),
        "top_level_text": ("just text\n", "expected a mapping at the top level"),
        "too_large": ("# " + "x" * 1_100_000 + "\n", "more than the"),
        "deep_nesting": ("a: " + "[" * 2000 + "]" * 2000 + "\n", "not valid YAML"),
        "unknown_top_key": ("serch: {seed: 2}\n", "key 'serch'"),
        "name_traversal": ("name: ../../../x\n", "key 'name'"),
        "python_tag": ("name: !!python/object/apply:os.system ['true']\n", "not valid YAML"),
        # PyYAML keeps the last of two equal keys silently: the first block's settings would vanish
        "duplicate_key": (
            "search: {seed: 2}\nname: a\nsearch: {generations: 3}\n",
            "key 'search' appears twice in one mapping (first on line 1)",
        ),
        "nested_duplicate_key": ("search:\n  seed: 2\n  seed: 3\n", "key 'seed' appears twice"),
    }
    out = {}
    for name, (text, expected) in files.items():
        path = d / f"{name}.yaml"
        path.write_bytes(text if isinstance(text, bytes) else text.encode())
        out[name] = (path, expected)
    out["a_folder"] = (d, "cannot read config")
    out["missing"] = (d / "absent.yaml", "cannot read config")
    return out


BAD_FILE_NAMES = [
    "alias_bomb",
    "plain_alias",
    "not_utf8",
    "yaml_syntax",
    "tab_indent",
    "top_level_list",
    "top_level_text",
    "too_large",
    "deep_nesting",
    "unknown_top_key",
    "name_traversal",
    "python_tag",
    "duplicate_key",
    "nested_duplicate_key",
    "a_folder",
    "missing",
]


@pytest.mark.parametrize("case", BAD_FILE_NAMES)
def test_bad_config_files_are_one_line(capsys, tmp_path, case):
    path, expected = _bad_files(tmp_path)[case]
    result = outcome(
        capsys,
        ["run", "--config", path, "--out", tmp_path / "out"],
    )
    assert_config_refused(result, tmp_path, (str(path), expected))


@pytest.mark.parametrize(
    "case", ["alias_bomb", "not_utf8", "a_folder", "top_level_list", "duplicate_key"]
)
def test_bad_files_as_job_and_training_configs(capsys, tmp_path, case):
    path, expected = _bad_files(tmp_path)[case]
    for args in (["job", "run", path], ["train", "--config", path]):
        result = outcome(capsys, args)
        assert_refused(
            result, 2, (str(path), expected.replace("cannot read config", "cannot read"))
        )


@pytest.mark.parametrize(
    ("address", "why"),
    [
        ("tcp://127.0.0.1:99999", "PORT"),
        ("tcp://127.0.0.1:0", "PORT"),
        ("tcp://127.0.0.1", "PORT"),
        ("tcp://not a host:8786", "HOST"),
        ("tcp://256.1.1.1:8786", "HOST: 256.1.1.1"),
        ("tcp://[::g]:8786", "HOST"),
        ("http://127.0.0.1:1", "tcp://HOST:PORT"),
        ("ucx://127.0.0.1:1", "tcp://HOST:PORT"),
        ("inproc://x", "tcp://HOST:PORT"),
        ("tls://127.0.0.1:8786", "tcp://HOST:PORT"),  # ssemo passes no TLS certificates
    ],
)
def test_bad_scheduler_addresses_are_config_errors(capsys, tmp_path, address, why):
    result = outcome(capsys, study(tmp_path, f"compute.scheduler={address}"))
    assert_config_refused(result, tmp_path, ("default.yaml", "key 'compute.scheduler'", why))


@pytest.mark.parametrize(
    "address",
    ["tcp://127.0.0.1:8786", "tcp://localhost:1", "tcp://[::1]:65535", "tcp://dask-0.cluster:8786"],
)
def test_good_scheduler_addresses_are_valid(capsys, address):
    args = ["validate-config", CONFIGS / "default.yaml", "--set", f"compute.scheduler={address}"]
    result = outcome(capsys, args)
    assert result.code == 0, result.err


def test_an_unbracketed_ipv6_scheduler_address_is_told_to_use_brackets():
    from pipeline.study.config import scheduler_address_problem

    assert "goes in brackets" in scheduler_address_problem("tcp://::1:8786")
    assert scheduler_address_problem("tcp://[::1]:8786") is None


def test_a_training_config_given_where_a_study_config_is_expected_is_named_so(capsys):
    from pipeline.cli import main

    assert main(["validate-config", str(CONFIGS / "train.yaml")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "a training config" in err[0] and "ssemo train --config" in err[0]
