"""Composition families: formula templates linear in one substitution level x.

A template writes each variable amount in braces after its element, e.g. garnet
`Li{7-x}La3Zr{2-x}Ta{x}O12` or perovskite `Li{3*x}La{2/3-x}TiO3` (composition_families.md). Amounts are
read with a restricted arithmetic parser (numbers, x, + - * /, parentheses), never `eval`. An amount of
zero drops the element (`Li6PS5Cl{1-x}Br{x}` at x = 0 is Li6PS5Cl). Charge neutrality is the sum of
amount × oxidation state over elements; every amount is linear in x, so checking both ends of the
window checks it everywhere in between.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable

import numpy as np

PLACEHOLDER = re.compile(r"([A-Z][a-z]?)\{([^{}]*)\}")
LEVELS = 101  # dopant levels per family: x snaps to (x_max - x_min)/100 steps (cache key, report)


class TemplateError(ValueError):
    """A template or oxidation-state string that cannot be read."""


def _amount(expr: str) -> Callable[[float], float]:
    """x -> amount for one braced expression (numbers, x, + - * /, unary minus, parentheses)."""
    try:
        tree = ast.parse(expr.strip(), mode="eval")
    except SyntaxError as exc:
        raise TemplateError(f"cannot read amount {{{expr}}}") from exc
    ops = {ast.Add: np.add, ast.Sub: np.subtract, ast.Mult: np.multiply, ast.Div: np.divide}

    def value(node: ast.AST, x: float) -> float:
        if isinstance(node, ast.Expression):
            return value(node.body, x)
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
            return float(node.value)
        if isinstance(node, ast.Name) and node.id == "x":
            return x
        if isinstance(node, ast.BinOp) and type(node.op) in ops:
            return float(ops[type(node.op)](value(node.left, x), value(node.right, x)))
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            inner = value(node.operand, x)
            return -inner if isinstance(node.op, ast.USub) else inner
        raise TemplateError(f"amount {{{expr}}}: only numbers, x, + - * / and parentheses")

    value(tree, 0.5)  # reject bad syntax now, not inside a search
    return lambda x: value(tree, x)


def _number(v: float) -> str:
    text = np.format_float_positional(round(v, 6), trim="-")
    return "" if text == "1" else text


def formula_at(template: str, x: float) -> str:
    """The formula of a family member at substitution level x (amounts to 6 decimals)."""

    def replace(match: re.Match[str]) -> str:
        amount = _amount(match.group(2))(x)
        if amount < -1e-9:
            raise TemplateError(f"{template} at x = {x:g}: {match.group(1)} amount {amount:g} < 0")
        return "" if abs(amount) < 1e-9 else f"{match.group(1)}{_number(amount)}"

    if "{" not in template:
        raise TemplateError(f"{template!r} has no braced amount in x")
    return PLACEHOLDER.sub(replace, template)


def parse_oxidation_states(text: str) -> dict[str, float]:
    """'Li:1;La:3;O:-2' -> {'Li': 1.0, 'La': 3.0, 'O': -2.0}."""
    states: dict[str, float] = {}
    for part in filter(None, (p.strip() for p in text.split(";"))):
        element, _, charge = part.partition(":")
        try:
            states[element.strip()] = float(charge)
        except ValueError as exc:
            raise TemplateError(f"oxidation state {part!r}: expected Element:charge") from exc
    if not states:
        raise TemplateError("no oxidation states given (expected e.g. 'Li:1;O:-2')")
    return states


def elements(formula: str) -> set[str]:
    """The element symbols of a formula (pymatgen's parser; ValueError if it cannot read it)."""
    from pymatgen.core import Composition

    return {str(e) for e in Composition(formula).elements}


def same_composition(a: str, b: str, tol: float = 1e-4) -> bool:
    """Two formulas with the same element fractions (per formula unit or any multiple)."""
    from pymatgen.core import Composition

    ca, cb = Composition(a).fractional_composition, Composition(b).fractional_composition
    return ca.almost_equals(cb, rtol=0.0, atol=tol)


def charge_sum(formula: str, oxidation_states: dict[str, float]) -> float:
    """Σ amount × oxidation state of a formula (0 for a charge-neutral composition)."""
    from pymatgen.core import Composition

    amounts = Composition(formula).get_el_amt_dict()
    missing = sorted(set(amounts) - set(oxidation_states))
    if missing:
        raise TemplateError(f"{formula}: no oxidation state for {', '.join(missing)}")
    return float(sum(amount * oxidation_states[el] for el, amount in amounts.items()))


def levels(x_min: float, x_max: float) -> np.ndarray:
    """The LEVELS substitution levels of a family's window, both ends included."""
    return np.linspace(x_min, x_max, LEVELS)
