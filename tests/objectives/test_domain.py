"""The domain helpers themselves: messages, NaN, inf, scalars and arrays, choices."""

import numpy as np
import pytest

from objectives.domain import require, require_choice, require_in
from objectives.errors import DomainError, SsemoError


def test_error_is_a_value_error_and_an_ssemo_error():
    with pytest.raises(DomainError) as caught:
        require_in("thickness_um", -5.0, "(0, inf)")
    assert isinstance(caught.value, ValueError) and isinstance(caught.value, SsemoError)
    assert str(caught.value) == "thickness_um: expected a value in (0, inf), got -5.0"


def test_first_offender_and_its_index_are_reported():
    values = np.array([0.5, np.nan, 1.5, -2.0])
    with pytest.raises(
        DomainError, match=r"^r: expected a value in \(0, 1\], got 1.5 \(at index 2\)$"
    ):
        require_in("r", values, "(0, 1]")
    with pytest.raises(DomainError, match=r"got 1.5 \(at index \(1, 0\)\)$"):
        require_in("r", values.reshape(2, 2), "(0, 1]")


@pytest.mark.parametrize(
    "values", [np.nan, np.array([np.nan, np.nan]), np.array([np.nan, 0.5]), np.array([])]
)
def test_nan_and_empty_pass(values):
    require_in("r", values, "(0, 1]")


def test_infinite_bounds_are_not_checked():
    require_in("asr", np.array([1.0, np.inf]), "[0, inf)")
    with pytest.raises(DomainError, match="got -inf"):
        require_in("asr", np.array([1.0, -np.inf]), "[0, inf)")
    with pytest.raises(DomainError, match="got inf"):
        require_in("r", np.inf, "(0, 1]")


def test_open_and_closed_bounds():
    require_in("x", np.array([0.0, 1.0]), "[0, 1]")
    for interval, bad in [("(0, 1]", 0.0), ("[0, 1)", 1.0), ("[1, inf)", np.nextafter(1.0, 0))]:
        with pytest.raises(DomainError):
            require_in("x", np.array([0.5, bad]) if interval != "[1, inf)" else bad, interval)


def test_relation_and_shape_conditions():
    t1, t2 = np.array([300.0, 350.0]), np.array([320.0, 350.0])
    with pytest.raises(DomainError, match=r"^t2: expected != t1, got 350.0 \(at index 1\)$"):
        require("t2", t2, "!= t1", t2 == t1)
    with pytest.raises(DomainError, match=r"^w: expected 5 values, got \[1.0, 2.0\]$"):
        require("w", np.array([1.0, 2.0]), "5 values", True)


def test_choice_lists_the_allowed_names():
    require_choice("form", "sigma", ("sigma", "sigma_t"))
    with pytest.raises(
        DomainError, match=r"^form: expected one of 'sigma', 'sigma_t', got 'sigmaT'$"
    ):
        require_choice("form", "sigmaT", ("sigma", "sigma_t"))


def test_malformed_interval_is_a_programming_error():
    with pytest.raises(ValueError, match="not an interval"):
        require_in("x", 1.0, "{0, 1}")
