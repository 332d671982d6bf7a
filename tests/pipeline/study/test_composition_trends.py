"""The default surrogate, trained on the data ssemo ships, against the reported trends along x.

For each family with sourced conductivities at two substitution levels (composition_families.md,
σ at ~25 °C), the sign of the predicted difference must be the reported one. These compositions are
in (or next to) the training data, so this checks that the composition-family path (template →
formula → features → prediction) reproduces what the data say, not extrapolation skill.
"""

import numpy as np
import pandas as pd
import pytest

from pipeline.study import compositions
from pipeline.study.catalog import load_catalog
from pipeline.study.config import load_train_config
from pipeline.training import features_frame, load_training_data
from tests.conftest import CONFIGS

# (family, x_low_sigma, x_high_sigma, reported σ at each [S/cm], source in composition_families.md)
TRENDS = [
    ("garnet_ta", 1.0, 0.6, (1.6e-4, 1.0e-3), "Li et al. 2012, §1"),
    ("garnet_ga", 0.25, 0.15, (3.5e-4, 1.3e-3), "Bernuy-Lopez 2014; Mater. Chem. Phys. 2012, §1"),
    ("argyrodite_cl", 0.0, 0.5, (2.4e-3, 9.4e-3), "Angew. Chem. 2019, §2"),
    ("latp", 0.0, 0.3, (None, 7.2e-4), "Aono 1990, §3 (LiTi2(PO4)3 far below)"),
    ("lagp", 0.2, 0.5, (4.8e-5, 3.4e-4), "ACS AMI 2018, §3"),
]


@pytest.fixture(scope="module")
def shipped_model():
    from pipeline.training import fixed_estimator

    config = load_train_config(CONFIGS / "train_default.yaml")
    data = load_training_data(config)
    # the model `make run` trains: train_default.yaml's fixed recipe, as ssemo train builds it
    model = fixed_estimator(config.tuning.seed, config.tuning.fixed_n_estimators)
    return model.fit(
        features_frame(data.rows),
        data.rows["log10_sigma"].to_numpy(float),
        groups=data.rows["formula_key"].to_numpy(),
    )


@pytest.mark.slow
@pytest.mark.parametrize("family, x_low, x_high, reported, source", TRENDS)
def test_predicted_trend_along_x_has_the_reported_sign(
    shipped_model, family, x_low, x_high, reported, source
):
    template = load_catalog(CONFIGS / "catalog").families.loc[family, "template"]
    formulas = [compositions.formula_at(template, x) for x in (x_low, x_high)]
    table = shipped_model.predict_table(
        pd.DataFrame({"composition": formulas, "temperature_k": 298.15})
    )
    low, high = table["log10_sigma_mean"].to_numpy()
    assert high > low, (family, formulas, np.round([low, high], 2), reported, source)
