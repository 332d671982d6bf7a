"""Scale-out of a job on a Dask cluster: the same study set on 1 and on 2 workers (and on every core
where more exist).

The job: four independent studies (the default study with four seeds, 100 x 600 generations each),
submitted to a local Dask cluster of single-threaded worker processes through `ssemo job`'s own code
path (pipeline.jobs.scheduler.run_job with compute.scheduler set). MLflow logging is off here so that the
measured work is the search itself, not SQLite writes. Target (issue 5): speedup_2_workers >= 1.7 on
this 2-core machine; where more cores exist, speedup_max_workers at >= 0.75 parallel efficiency.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from benchmarks._common import write_result
from pipeline.jobs.scheduler import load_job, run_job

N_STUDIES = 4
GENERATIONS = int(os.environ.get("SSEMO_BENCH_GENERATIONS", "600"))


def job_file(tmp: Path, scheduler: str) -> Path:
    overrides = [
        "surrogate.enabled=false",
        "tracking.enabled=false",
        "search.population_size=100",
        f"search.generations={GENERATIONS}",
    ]
    job = {
        "name": "scale",
        "state_dir": str(tmp / "state"),
        "compute": {"scheduler": scheduler},
        "studies": [
            {
                "name": f"s{i}",
                "config": str(ROOT / "configs" / "default.yaml"),
                "overrides": [*overrides, f"search.seed={i + 1}"],
            }
            for i in range(N_STUDIES)
        ],
    }
    path = tmp / "job.yaml"
    path.write_text(yaml.safe_dump(job))
    return path


def wall_time(n_workers: int) -> float:
    from distributed import Client, LocalCluster

    with (
        tempfile.TemporaryDirectory() as tmp,
        LocalCluster(
            n_workers=n_workers, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        client.wait_for_workers(n_workers)
        job = load_job(job_file(Path(tmp), cluster.scheduler_address))
        run_job(job, force=True, progress=False)  # warm-up: imports and caches on every worker
        started = time.perf_counter()
        code, outcomes = run_job(job, force=True, progress=False)
        wall = time.perf_counter() - started
        if code != 0:
            raise SystemExit(f"job failed: {outcomes}")
    return wall


def main() -> None:
    cores = os.cpu_count() or 1
    one = wall_time(1)
    two = wall_time(2)
    figures = {
        "job_wall_s_1_worker": one,
        "job_wall_s_2_workers": two,
        "speedup_2_workers": one / two,
        "n_studies": N_STUDIES,
        "generations_per_study": GENERATIONS,
        "cpu_count": cores,
        "meets_speedup_target": one / two >= 1.7,
    }
    if cores > 2:
        many = wall_time(cores)
        figures |= {
            "workers_max": cores,
            "job_wall_s_max_workers": many,
            "speedup_max_workers": one / many,
            "parallel_efficiency_max_workers": one / many / cores,
        }
    write_result("scale", figures, packages=("numpy", "dask", "distributed"))


if __name__ == "__main__":
    main()
