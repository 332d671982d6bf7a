"""Surrogate models trained on literature data (conductivity, strength) with uncertainty.

Filled in by the surrogates issue; it must never import `pipeline` (see tests/test_layout.py).
"""
