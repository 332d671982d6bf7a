"""Domain checks shared by the physics tests (objectives/domain.py).

A test module lists, per guarded function, valid keyword arguments and each argument's domain as
an interval ("(0, inf)", "[0, 1]", ...). From the interval come the values that must be rejected
(the bound itself if open, the next float beyond it if closed, a value well beyond, -inf below) and
those that must pass (closed bounds, inf on an unbounded side, NaN, which must also propagate).
"""

import numpy as np
import pytest

from objectives.errors import DomainError, SsemoError


def parse(interval):
    low, high = (float(part) for part in interval[1:-1].split(","))
    return low, interval[0] == "(", high, interval[-1] == ")"


def outside(interval):
    low, low_open, high, high_open = parse(interval)
    values = []
    if np.isfinite(low):
        values += [low if low_open else np.nextafter(low, -np.inf), low - 1.0, -np.inf]
    if np.isfinite(high):
        values += [high if high_open else np.nextafter(high, np.inf), high + 1.0]
    return values


def boundary(interval):
    low, low_open, high, high_open = parse(interval)
    values = [] if low_open or not np.isfinite(low) else [low]
    values += [np.inf] if not np.isfinite(high) else [] if high_open else [high]
    return values


def cases(domains):
    """(function, argument, interval) for every argument of every function, with readable ids."""
    return [
        pytest.param(func, argument, interval, id=f"{func.__name__}-{argument}")
        for func, arguments in domains.items()
        for argument, interval in arguments.items()
    ]


def outputs(result):
    values = result.values() if isinstance(result, dict) else [result]
    return [np.asarray(v, dtype=float) for v in values]


def assert_domain(func, valid, argument, interval):
    for bad in outside(interval):
        with pytest.raises(ValueError, match=rf"^{argument}: expected a value in ") as caught:
            func(**{**valid, argument: bad})
        assert isinstance(caught.value, DomainError) and isinstance(caught.value, SsemoError)
        # in an array, the first offending value is reported with its index
        with pytest.raises(ValueError, match=rf"^{argument}: .*\(at index 1\)$"):
            func(**{**valid, argument: np.array([valid[argument], bad, bad])})
    with np.errstate(all="ignore"):  # an edge may give inf (σ = 0) or 0/0
        for edge in boundary(interval):
            func(**{**valid, argument: edge})
        unknown = outputs(func(**{**valid, argument: np.nan}))
    assert any(np.all(np.isnan(v)) for v in unknown), f"NaN {argument} did not propagate"


def assert_relation(func, valid, argument, bad, condition):
    """A value that breaks a relation between arguments (T2 != T1, T_ref > T0, ...)."""
    with pytest.raises(ValueError, match=rf"^{argument}: expected {condition}"):
        func(**{**valid, **bad})


def assert_unknown_option(func, valid, option, allowed):
    """A misspelled option raises, naming the option and every allowed name."""
    with pytest.raises(ValueError, match=rf"^{option}: expected one of .*got 'sigmaT'$") as caught:
        func(**{**valid, option: "sigmaT"})
    for name in allowed:
        assert repr(name) in str(caught.value)
