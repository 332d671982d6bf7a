"""The next training uses the ingested measurements: the prediction moves towards them."""

import numpy as np
import pandas as pd
import pytest

from pipeline.campaign.store import MeasurementStore, ingest_file
from pipeline.study.config import TrainConfig
from pipeline.training import features_frame, load_training_data
from surrogates.model import ConductivitySurrogate
from tests.conftest import CONFIGS

TARGET = "Li6.25Ga0.25La3Zr2O12"
MEASURED_LOG10 = -1.5  # far above anything a garnet is reported at (assumed, for the test)


def _config(store, enabled: bool, weight: int = 5) -> TrainConfig:
    return TrainConfig.from_dict(
        {
            "data": {
                "sources": {
                    "curated": {"enabled": True, "path": "data/curated_conductivity.csv"},
                    "measurements": {"enabled": enabled, "path": str(store), "weight": weight},
                },
                "min_rows": 5,
            },
            "tuning": {"enabled": False},
        },
        source=str(CONFIGS / "train_default.yaml"),
    )


def _predict(config: TrainConfig) -> float:
    data = load_training_data(config)
    model = ConductivitySurrogate(
        model_params={"n_estimators": 40}, ea_params={"n_estimators": 20}, random_state=0
    ).fit(
        features_frame(data.rows),
        data.rows["log10_sigma"].to_numpy(float),
        groups=data.rows["formula_key"].to_numpy(),
    )
    query = pd.DataFrame({"composition": [TARGET], "temperature_k": [298.15]})
    return float(model.predict_table(query)["log10_sigma_mean"].iloc[0])


def test_retraining_moves_the_prediction_towards_an_ingested_value(tmp_path, catalog):
    store = MeasurementStore(tmp_path / "store")
    csv = tmp_path / "m.csv"
    csv.write_text(
        "sample_id,operator,date,composition,temperature_c,sigma_s_per_cm\n"
        f"G1,tester,2026-01-05,{TARGET},25,{10**MEASURED_LOG10}\n"
    )
    ingest_file(csv, catalog, store, skip_bad_rows=False)
    without = load_training_data(_config(store.root, enabled=False))
    with_ = load_training_data(_config(store.root, enabled=True))
    # the store's version is recorded, and the rows enter with their weight (5 copies)
    assert without.measurements_version == "none"
    assert with_.measurements_version == store.version_label()
    added = with_.rows[with_.rows["dataset"] == "measurements"]
    assert len(added) == 5 and np.allclose(added["log10_sigma"], MEASURED_LOG10)
    assert with_.data_hash != without.data_hash  # a fixed recipe retrains: the data changed
    before, after = _predict(_config(store.root, False)), _predict(_config(store.root, True))
    assert abs(after - MEASURED_LOG10) < abs(before - MEASURED_LOG10) - 0.3


@pytest.mark.slow  # a full `train` with MLflow registration: ~50 s on 2 shared cores
def test_training_records_which_measurement_version_trained_the_model(tmp_path, catalog):
    import mlflow

    store = MeasurementStore(tmp_path / "store")
    ingest_file(CONFIGS / "examples" / "measurements.csv", catalog, store, skip_bad_rows=False)
    uri = f"sqlite:///{tmp_path}/mlflow.db"
    config = TrainConfig.from_dict(
        {
            "data": {
                "sources": {
                    "curated": {"enabled": True, "path": "data/curated_conductivity.csv"},
                    "measurements": {"enabled": True, "path": str(store.root), "weight": 2},
                },
                "min_rows": 5,
            },
            "tuning": {"enabled": False, "cv_folds": 2},
            "mlflow": {"tracking_uri": uri, "alias": "campaign"},
        },
        source=str(CONFIGS / "train_default.yaml"),
    )
    from pipeline.training import train

    summary = train(config)
    label = store.version_label()
    assert summary["measurements_version"] == label
    client = mlflow.tracking.MlflowClient(uri)
    assert client.get_run(summary["run_id"]).data.tags["ssemo.measurements_version"] == label
    version = client.get_model_version_by_alias("ssemo-conductivity", "campaign")
    assert version.tags["ssemo.measurements_version"] == label
