"""compute.scheduler of a study: used only with evaluation_chunks > 1, probed before anything is
created (exit 5 naming the key when no scheduler answers), and its address checked at config load."""

from __future__ import annotations

import time

import pytest

from pipeline.errors import EnvironmentProblem
from pipeline.search import distributed
from pipeline.study.config import Compute
from tests.conftest import CONFIGS
from tests.robustness.conftest import assert_refused, closed_port, outcome

SMALL = (
    "search.generations=2",
    "search.population_size=10",
    "uncertainty.worlds=0",
    "surrogate.enabled=false",
)


def run_args(tmp_path, *overrides: str, tracking: bool = False) -> list[str]:
    sets = [*SMALL, f"tracking.enabled={str(tracking).lower()}", *overrides]
    return [
        "run",
        "--config",
        CONFIGS / "default.yaml",
        "--out",
        tmp_path / "out",
        "--set",
        f"tracking.tracking_uri=sqlite:///{tmp_path}/mlflow.db",
        *[a for s in sets for a in ("--set", s)],
    ]


@pytest.fixture
def short_probe(monkeypatch):
    """A probe of 1 s instead of SCHEDULER_PROBE_TIMEOUT_S: the failure paths stay quick."""
    monkeypatch.setattr(distributed, "SCHEDULER_PROBE_TIMEOUT_S", 1.0)


def test_the_probe_timeout_is_a_few_seconds():
    assert 1 <= distributed.SCHEDULER_PROBE_TIMEOUT_S <= 10


@pytest.mark.parametrize(
    ("scheduler", "chunks", "used"),
    [
        (None, 1, False),
        (None, 4, False),
        ("tcp://127.0.0.1:8786", 1, False),
        ("tcp://h:1", 2, True),
    ],
)
def test_the_scheduler_is_used_only_with_more_than_one_chunk(scheduler, chunks, used):
    assert (
        distributed.scheduler_used(Compute(scheduler=scheduler, evaluation_chunks=chunks)) is used
    )


def test_an_unreachable_scheduler_fails_the_probe_quickly_naming_the_key(short_probe):
    address = f"tcp://127.0.0.1:{closed_port()}"
    started = time.perf_counter()
    with pytest.raises(EnvironmentProblem) as caught:
        distributed.probe_scheduler(address, "study.yaml")
    assert time.perf_counter() - started < 4
    assert caught.value.exit_code == 5
    message = str(caught.value)
    assert message.startswith("study.yaml: key 'compute.scheduler': ")
    assert f"{address}: no Dask scheduler answered within 1 s" in message


def test_run_with_an_unreachable_scheduler_exits_5_before_any_run_or_folder(
    capsys, tmp_path, short_probe
):
    address = f"tcp://127.0.0.1:{closed_port()}"
    args = run_args(
        tmp_path,
        f"compute.scheduler={address}",
        "compute.evaluation_chunks=2",
        tracking=True,
    )
    result = outcome(capsys, args)
    assert_refused(
        result,
        5,
        ("default.yaml", "compute.scheduler", address, "no Dask scheduler answered"),
        store=tmp_path / "mlflow.db",
        # probed before the results folder and the MLflow store are touched
        absent=(tmp_path / "out", tmp_path / "mlflow.db"),
    )
    assert "tracking store" not in result.err


def test_a_scheduler_with_one_chunk_is_not_used_and_says_so(capsys, tmp_path, short_probe):
    address = f"tcp://127.0.0.1:{closed_port()}"  # never contacted: no wait, no failure
    result = outcome(capsys, run_args(tmp_path, f"compute.scheduler={address}"))
    assert result.code == 0, result.err[-2000:]
    lines = [line for line in result.err.splitlines() if address in line]
    assert len(lines) == 1, result.err[-2000:]
    assert lines[0].startswith("warning: compute.scheduler ")
    assert "not used" in lines[0] and "evaluation_chunks is 1" in lines[0]


def test_run_with_a_scheduler_that_answers_splits_the_populations(capsys, tmp_path):
    from distributed import LocalCluster

    with LocalCluster(
        n_workers=1,
        threads_per_worker=1,
        processes=False,
        protocol="tcp",
        host="127.0.0.1",
        dashboard_address=None,
    ) as cluster:
        address = cluster.scheduler_address
        assert address.startswith("tcp://127.0.0.1:")
        result = outcome(
            capsys,
            run_args(tmp_path, f"compute.scheduler={address}", "compute.evaluation_chunks=2"),
        )
    assert result.code == 0, result.err[-2000:]
    assert "compute.scheduler" not in result.err
    assert (tmp_path / "out" / "report.md").exists()
