"""The loop as a job: studies rerun with suggestions; new measurements make new suggestions."""

from pathlib import Path

import pandas as pd
import pytest

from pipeline.jobs.scheduler import load_job
from tests.conftest import CONFIGS
from tests.pipeline.jobs.test_scheduler import run_cli, write_job


def test_the_shipped_campaign_job_resolves_and_leaves_nightly_alone():
    job = load_job(CONFIGS / "jobs" / "campaign.yaml")
    assert job.retrain_surrogate and job.train_config == str(CONFIGS / "train_campaign.yaml")
    assert job.campaign == {
        "measurements": str(CONFIGS.parent / "measurements"),
        "q": 8,
        "samples": 64,
        "seed": 0,
    }
    assert all("@campaign" in " ".join(s.overrides) for s in job.studies)
    assert load_job(CONFIGS / "jobs" / "nightly.yaml").campaign is None


@pytest.mark.slow  # two job runs and an ingest in subprocesses: ~50 s on 2 cores
def test_campaign_job_writes_suggestions_and_new_measurements_change_them(tmp_path):
    store = tmp_path / "measurements"
    job = write_job(
        tmp_path,
        generations=10,
        extra={"campaign": {"measurements": str(store), "q": 3, "samples": 8, "seed": 0}},
    )
    first = run_cli("job", "run", str(job))
    assert first.returncode == 0, first.stderr
    assert "next batch: " in first.stdout and "suggestions.csv" in first.stdout
    out = next((tmp_path / "state" / "studies" / "a").iterdir())
    suggestions = pd.read_csv(out / "suggestions.csv")
    assert len(suggestions) >= 1
    assert "## What to make and measure next" in (out / "report.md").read_text()
    assert "expected HV gain" in (out / "report.md").read_text()
    # the lab measures the first suggestion; the next run is not reused and does not repeat it
    top = suggestions.iloc[0]
    csv = tmp_path / "m.csv"
    csv.write_text(
        "sample_id,operator,date,material,process,coating,thickness_um,temperature_c,sigma_s_per_cm\n"
        f"L1,tester,2026-01-05,{top.material},{top.process},{top.coating},{top.thickness_um:.4g},25,1e-3\n"
    )
    ingested = run_cli("ingest", str(csv), "--store", str(store))
    assert ingested.returncode == 0, ingested.stderr
    second = run_cli("job", "run", str(job))
    assert second.returncode == 0, second.stderr
    assert "reused" not in second.stdout
    newest = max((tmp_path / "state" / "studies" / "a").iterdir(), key=lambda p: p.stat().st_mtime)
    assert Path(newest) != out
    again = pd.read_csv(newest / "suggestions.csv")
    same = (
        (again["material"] == top.material)
        & (again["process"] == top.process)
        & ((again["thickness_um"] / top.thickness_um - 1).abs() <= 0.1)
    )
    assert not same.any()
