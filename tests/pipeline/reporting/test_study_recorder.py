"""Per-generation metrics reach MLflow while the search runs, not only after it."""

from types import SimpleNamespace

import pytest

from pipeline.reporting import tracking


def generation(k: int):
    record = {"generation": k, "n_evals": 10 * k, "hypervolume": 0.1 * k, "archive_size": k}
    return SimpleNamespace(record=record)


def test_generations_are_flushed_in_batches_during_the_run(tmp_path):
    uri = f"sqlite:///{tmp_path}/mlflow.db"
    with tracking.study_run(True, uri, "recorder-test", "study-x") as rec:
        rec.flush_every = 2
        client = rec.mlflow.tracking.MlflowClient()
        rec.on_generation(generation(1))
        assert client.get_metric_history(rec.run_id, "gen.hypervolume") == []  # buffered
        rec.on_generation(generation(2))
        seen = client.get_metric_history(rec.run_id, "gen.hypervolume")
        assert [(m.step, m.value) for m in seen] == [(1, 0.1), (2, 0.2)]  # while still RUNNING
        assert client.get_run(rec.run_id).info.status == "RUNNING"
        rec.on_generation(generation(3))
        rec.finish({"hypervolume": 0.3}, {"ssemo.study": "x"}, [])
        run_id = rec.run_id
    run = client.get_run(run_id)
    assert run.info.status == "FINISHED"
    assert [m.step for m in client.get_metric_history(run_id, "gen.n_evals")] == [1, 2, 3]
    assert run.data.metrics["hypervolume"] == 0.3 and run.data.tags["ssemo.study"] == "x"


def test_an_exception_inside_the_run_ends_it_failed(tmp_path):
    uri = f"sqlite:///{tmp_path}/mlflow.db"
    with (
        pytest.raises(RuntimeError, match="boom"),
        tracking.study_run(True, uri, "recorder-test", "study-x") as rec,
    ):
        run_id = rec.run_id
        raise RuntimeError("boom")
    client = rec.mlflow.tracking.MlflowClient()
    assert client.get_run(run_id).info.status == "FAILED"


def test_tracking_off_records_nothing():
    with tracking.study_run(False, "sqlite:///unused.db", "x", "y") as rec:
        rec.on_generation(generation(1))
        rec.finish({}, {}, [])
        assert rec.run_id is None


def test_experiments_open_on_the_runs_view(tmp_path):
    # MLflow 3's UI shows an experiment without this tag in its GenAI (traces) mode
    uri = f"sqlite:///{tmp_path}/mlflow.db"
    mlflow = tracking.configure(uri, "kind-test")
    experiment = mlflow.get_experiment_by_name("kind-test")
    assert experiment.tags["mlflow.experimentKind"] == "custom_model_development"
