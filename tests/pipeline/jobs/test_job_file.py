"""Job files are validated by the same schema machinery as study and training configs: every
problem at once, each with its key path; the resolved JobConfig keeps its meaning."""

import pytest
import yaml

from pipeline.errors import ConfigError
from pipeline.jobs.scheduler import JobConfig, StudyEntry, load_job
from tests.conftest import CONFIGS


def write(tmp_path, data) -> str:
    path = tmp_path / "job.yaml"
    path.write_text(yaml.safe_dump(data) if not isinstance(data, str) else data)
    return str(path)


def problems(tmp_path, data) -> list[str]:
    with pytest.raises(ConfigError) as info:
        load_job(write(tmp_path, data))
    head, *lines = str(info.value).splitlines()
    if not lines:  # one problem: "<file>: invalid job file: <problem>" on one line
        head, problem = head.split(": invalid job file: ", 1)
        assert head.endswith("job.yaml")
        return [problem]
    assert head.endswith("job.yaml: invalid job file")
    return [line.removeprefix("  - ") for line in lines]


def test_the_shipped_nightly_job_resolves_names_and_paths():
    job = load_job(CONFIGS / "jobs" / "nightly.yaml")
    assert job.name == "nightly"
    assert [s.name for s in job.studies] == ["default", "cold_climate", "energy_density_5obj"]
    assert job.studies[0] == StudyEntry("default", str(CONFIGS / "default.yaml"), ())
    assert job.state_dir == str(CONFIGS.parent / "results" / "jobs")
    assert job.train_config == str(CONFIGS / "train.yaml")
    assert (job.scheduler, job.attempts, job.backoff_s, job.retrain_surrogate) == (
        None,
        3,
        2.0,
        False,
    )


def test_defaults_and_null_values_keep_the_defaults(tmp_path):
    config = str(CONFIGS / "default.yaml")
    text = f"name:\nstudies:\n  - config: {config}\n    overrides:\ncompute:\nretries:\n"
    job = load_job(write(tmp_path, text))
    assert job == JobConfig(
        name="job",
        source=str(tmp_path / "job.yaml"),
        studies=(StudyEntry("default", config, ()),),
        state_dir=str((tmp_path / "../../results/jobs").resolve()),
        train_config=str((tmp_path / "../train.yaml").resolve()),
    )


def test_every_problem_is_reported_at_once_with_its_key_path(tmp_path):
    config = str(CONFIGS / "default.yaml")
    found = problems(
        tmp_path,
        {
            "nmae": "x",
            "studies": [
                {"config": config, "overrides": ["search.seed=2"]},
                {"config": config, "name": "default", "overrides": ["search.seed"]},
                {"confg": "a.yaml"},
                5,
                {"config": "missing.yaml", "overides": []},
            ],
            "compute": {"scheduler": "localhost:8786", "workers": 2},
            "retries": {"attempts": 0, "backoff_s": 601},
            "retrain_surrogate": "yes",
        },
    )
    assert found == [
        "key 'nmae': unknown key (did you mean 'name'?)",
        "key 'studies[2].confg': unknown key (did you mean 'config'?)",
        "key 'studies[2].config': missing (required)",
        "key 'studies[3]': expected a mapping, got 5",
        "key 'studies[4].overides': unknown key (did you mean 'overrides'?)",
        "key 'retrain_surrogate': expected true or false, got 'yes'",
        "key 'compute.workers': unknown key",
        "key 'retries.attempts': expected an integer in [1, 20], got 0",
        "key 'retries.backoff_s': expected a number in [0.0, 600.0] s, got 601",
        "key 'studies[1].overrides': expected a list of 'key.path=value' strings",
        "key 'studies[1].name': duplicate study name 'default'",
        f"key 'studies[4].config': no such file {tmp_path / 'missing.yaml'}",
        "key 'compute.scheduler': expected null or an address tcp://HOST:PORT like "
        "tcp://127.0.0.1:8786, got 'localhost:8786'",
    ]


def test_a_typo_in_a_study_override_or_its_config_refuses_the_job_when_it_is_read(tmp_path):
    """A trial's 'search.generatons=120' override failed only when the study ran (exit 4, as an
    error of default.yaml): the job file is now refused when read (exit 2), naming its own key."""
    config = str(CONFIGS / "default.yaml")
    broken = tmp_path / "broken.yaml"
    broken.write_text((CONFIGS / "default.yaml").read_text() + "\nsearhc: {}\n")
    found = problems(
        tmp_path,
        {
            "studies": [
                {"config": config, "overrides": ["search.generatons=120"]},
                {"config": str(broken), "name": "broken"},
                {"config": config, "name": "fine", "overrides": ["search.generations=120"]},
            ]
        },
    )
    assert len(found) == 2
    assert found[0].startswith("key 'studies[0].overrides': ")
    assert "key 'search.generatons': unknown key (did you mean 'generations'?)" in found[0]
    assert found[1].startswith("key 'studies[1].config': ") and "searhc" in found[1]


def test_a_study_config_the_job_or_its_overrides_make_valid_is_accepted(tmp_path):
    """The check runs the config as the job will: a value its overrides fix, or a study tracking
    URI the job's own replaces, is no problem (a review found both refused by a bare check)."""
    text = (CONFIGS / "default.yaml").read_text()
    text = text.replace("catalog: catalog ", f"catalog: {CONFIGS / 'catalog'} ", 1)
    zero = tmp_path / "zero.yaml"
    zero.write_text(text.replace("generations: 100", "generations: 0", 1))
    uri = tmp_path / "uri.yaml"
    uri.write_text(text.replace("tracking_uri: sqlite:///mlflow.db", "tracking_uri: file:./mlruns"))
    assert "generations: 0" in zero.read_text() and "file:./mlruns" in uri.read_text()
    job = load_job(
        write(
            tmp_path,
            {
                "tracking_uri": f"sqlite:///{tmp_path}/mlflow.db",
                "studies": [
                    {"config": str(zero), "name": "fixed", "overrides": ["search.generations=5"]},
                    {"config": str(uri), "name": "uri"},  # the job's sqlite URI replaces it
                ],
            },
        )
    )
    assert [s.name for s in job.studies] == ["fixed", "uri"]
    # without the job's override a bare config of 0 generations is the config's problem
    found = problems(tmp_path, {"studies": [{"config": str(zero), "name": "broken"}]})
    assert len(found) == 1 and found[0].startswith("key 'studies[0].config': ")


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"name": "x"}, "key 'studies': missing (required)"),
        (
            {"studies": []},
            "key 'studies': expected a non-empty list of {name, config, overrides}, got []",
        ),
        ({"studies": [{"config": 3}]}, "key 'studies[0].config': expected a string, got 3"),
        ({"studies": [{"name": "a"}]}, "key 'studies[0].config': missing (required)"),
        ({"retries": {"attempts": 2.5}}, "key 'retries.attempts': expected an integer in [1, 20]"),
        ({"retries": {"attempts": True}}, "key 'retries.attempts': expected an integer in [1, 20]"),
        ({"compute": []}, "key 'compute': expected a mapping, got []"),
        ({"tracking_uri": 5}, "key 'tracking_uri': expected a string, got 5"),
    ],
)
def test_one_bad_key_is_named(tmp_path, data, expected):
    found = problems(tmp_path, data)
    assert any(p.startswith(expected) for p in found), found


def test_a_file_that_is_not_a_mapping_is_refused(tmp_path):
    with pytest.raises(ConfigError, match="expected a mapping at the top level, got list"):
        load_job(write(tmp_path, "- a\n- b\n"))


@pytest.mark.parametrize(
    "address", ["tcp://127.0.0.1:99999", "http://127.0.0.1:8786", "tcp://a b:1"]
)
def test_a_job_file_checks_its_scheduler_as_a_study_does(tmp_path, address):
    """One rule for compute.scheduler (pipeline.study.config.scheduler_address_problem): a job
    file's only required '://' before."""
    job = tmp_path / "job.yaml"
    study = CONFIGS / "default.yaml"
    job.write_text(
        f"studies:\n  - name: d\n    config: {study}\ncompute:\n  scheduler: '{address}'\n"
    )
    with pytest.raises(ConfigError, match=r"key 'compute.scheduler': expected null or an address"):
        load_job(job)
