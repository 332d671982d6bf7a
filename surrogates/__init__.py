"""Surrogates of what the physics needs but cannot give: ionic conductivity from literature data.

datasets (loaders, one schema, rejects, merging, censoring), chemistry (formula and SMILES parsing),
features (Magpie-style composition statistics), estimators (mean + calibrated uncertainty), model
(the Arrhenius-aware conductivity surrogate), domain (applicability score), tuning (Optuna) and
evaluation (grouped cross-validation). This package never imports `pipeline` (tests/test_layout.py).
"""
