"""ssemo pipeline: composes the physics (objectives/) and the surrogates (surrogates/) into studies.

- `study/`: what a study is — config, catalog, the registry of variables, objectives and
  constraints, the design space and the vectorized problem (F, G);
- `search/`: NSGA-II on arrays, its checkpoint, Dask scale-out, compromise choices;
- `reporting/`: MLflow tracking, report, plots, run-to-run comparison;
- `jobs/`: unattended operation (job files, lock, retries);
- `run.py` composes one study run; `training.py` and `prediction.py` serve the surrogate;
  `cli.py` is the `ssemo` command.
"""

from pathlib import Path

__version__ = "0.1.0"

REPO_ROOT = Path(__file__).resolve().parents[1]
