"""Composition families: formula templates linear in one substitution level x.

A template writes each variable amount in braces after its element, e.g. garnet
`Li{7-x}La3Zr{2-x}Ta{x}O12` or perovskite `Li{3*x}La{2/3-x}TiO3` (composition_families.md). Amounts are
read with a restricted arithmetic parser (numbers, x, + - * /, parentheses), never `eval`. An amount of
zero drops the element (`Li6PS5Cl{1-x}Br{x}` at x = 0 is Li6PS5Cl). Charge neutrality is the sum of
amount × oxidation state over elements; every amount is linear in x, so checking both ends of the
window checks it everywhere in between.

`check_template` makes that true rather than assumed (issue 27): a braced amount must be affine in x
as written (no product of two terms in x, no x in a divisor: `x*x`, `x/x` and `(x-1)*(x+1)` are
refused whatever their value), finite, and the template at most MAX_TEMPLATE_CHARS long; the formulas
at both ends must parse with bounded counts (surrogates.chemistry). A linear amount that is ≥ 0 at
both ends is ≥ 0 at every level between them, and so is the charge sum zero everywhere when it is zero
at both ends.
"""

from __future__ import annotations

import ast
import functools
import math
import re
from collections.abc import Callable

import numpy as np

PLACEHOLDER = re.compile(r"([A-Z][a-z]?)\{([^{}]*)\}")
# As long as a formula may be (chemistry.MAX_FORMULA_CHARS); the shipped templates are under 30
# characters. Bounds the parse of a pasted 20,000-term or 400-digit amount.
MAX_TEMPLATE_CHARS = 200
# Oxidation states of the elements lie within ±8 (Os, Ru +8; C, Si −4)
MAX_OXIDATION_STATE = 8.0
# Substitution levels a study visits: the multiples of a step a synthesis can weigh out that lie
# inside the window, and both of its ends. The step is 0.01, or the first of LEVEL_STEPS that keeps
# the window within LEVELS levels. Why: until 2026-12-08 the levels were LEVELS evenly spaced values,
# steps of 0.0017 on Ga-LLZO's 0.08-0.25, and suggest proposed Li6.4846Ga0.1718La3Zr2O12, a precision
# no one weighs out and no doping series reports (a new-user trial).
LEVELS = 101  # the most levels per family; arrays [family, level] are padded with x_max
LEVEL_STEPS = (0.01, 0.02, 0.05, 0.1, 0.2)  # a 0-10 window (the catalog's widest) fits at 0.1


class TemplateError(ValueError):
    """A template or oxidation-state string that cannot be read."""


def _parse_amount(expr: str) -> ast.Expression:
    """The syntax tree of one braced amount, bounded in length (a 400-digit or 20,000-term
    template is refused before Python parses it)."""
    if len(expr) > MAX_TEMPLATE_CHARS:
        raise TemplateError(
            f"amount of {len(expr)} characters, longer than the {MAX_TEMPLATE_CHARS} allowed"
        )
    try:
        return ast.parse(expr.strip(), mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        raise TemplateError(f"cannot read amount {{{expr}}}") from None


def _amount(expr: str) -> Callable[[float], float]:
    """x -> amount for one braced expression (numbers, x, + - * /, unary minus, parentheses)."""
    tree = _parse_amount(expr)
    ops = {ast.Add: np.add, ast.Sub: np.subtract, ast.Mult: np.multiply, ast.Div: np.divide}

    def value(node: ast.AST, x: float) -> float:
        if isinstance(node, ast.Expression):
            return value(node.body, x)
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
            try:
                return float(node.value)
            except OverflowError:
                raise TemplateError(f"amount {{{expr}}}: a number too large") from None
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


def _contains_x(node: ast.AST) -> bool:
    return any(isinstance(n, ast.Name) and n.id == "x" for n in ast.walk(node))


def linear_coefficients(expr: str) -> tuple[float, float]:
    """(a, b) of one braced amount a + b·x; TemplateError when it is not affine in x as written,
    not finite, or not arithmetic in x at all."""
    tree = _parse_amount(expr)

    def affine(node: ast.AST) -> tuple[float, float]:
        if isinstance(node, ast.Expression):
            return affine(node.body)
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
            try:
                return float(node.value), 0.0
            except OverflowError:
                raise TemplateError(f"amount {{{expr}}}: a number too large") from None
        if isinstance(node, ast.Name) and node.id == "x":
            return 0.0, 1.0
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            a, b = affine(node.operand)
            return (-a, -b) if isinstance(node.op, ast.USub) else (a, b)
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub)):
            (a1, b1), (a2, b2) = affine(node.left), affine(node.right)
            sign = 1.0 if isinstance(node.op, ast.Add) else -1.0
            return a1 + sign * a2, b1 + sign * b2
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult):
            if _contains_x(node.left) and _contains_x(node.right):
                raise TemplateError(
                    f"amount {{{expr}}} is not linear in x (a product of two terms in x); "
                    "the charge check at the window's ends holds everywhere only for linear amounts"
                )
            (a1, b1), (a2, b2) = affine(node.left), affine(node.right)
            return a1 * a2, a1 * b2 + b1 * a2
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
            if _contains_x(node.right):
                raise TemplateError(
                    f"amount {{{expr}}} is not linear in x (x in a divisor); "
                    "the charge check at the window's ends holds everywhere only for linear amounts"
                )
            (a1, b1), (a2, _) = affine(node.left), affine(node.right)
            if a2 == 0.0:
                raise TemplateError(f"amount {{{expr}}}: division by zero")
            return a1 / a2, b1 / a2
        raise TemplateError(f"amount {{{expr}}}: only numbers, x, + - * / and parentheses")

    a, b = affine(tree)
    if not (np.isfinite(a) and np.isfinite(b)):
        raise TemplateError(f"amount {{{expr}}}: not a finite number")
    return a, b


def check_template(template: str, x_min: float, x_max: float) -> None:
    """TemplateError (with the reason) unless `template` is a family template the search can use
    at every level of [x_min, x_max]: bounded length, braced amounts affine in x and finite, every
    amount ≥ 0 at both ends (hence everywhere between), formulas at both ends readable with bounded
    element counts. Charge neutrality is checked by the caller, which holds the oxidation states."""
    from surrogates.chemistry import FormulaError, parse_formula

    template = str(template)
    if len(template) > MAX_TEMPLATE_CHARS:
        raise TemplateError(
            f"template of {len(template)} characters, longer than the {MAX_TEMPLATE_CHARS} allowed"
        )
    amounts = PLACEHOLDER.findall(template)
    if not amounts:
        raise TemplateError(f"{template!r} has no braced amount in x")
    for element, expr in amounts:
        a, b = linear_coefficients(expr)
        for x in (x_min, x_max):
            if a + b * x < -1e-9:
                raise TemplateError(f"{template} at x = {x:g}: {element} amount {a + b * x:g} < 0")
    for x in (x_min, x_max):
        formula = formula_at(template, x)
        try:
            parse_formula(formula)
        except FormulaError as exc:
            raise TemplateError(f"{template} at x = {x:g}: {exc}") from None


def _number(v: float) -> str:
    text = np.format_float_positional(round(v, 6), trim="-")
    return "" if text == "1" else text


def formula_at(template: str, x: float) -> str:
    """The formula of a family member at substitution level x (amounts to 6 decimals)."""

    def replace(match: re.Match[str]) -> str:
        amount = _amount(match.group(2))(x)
        if not np.isfinite(amount):
            raise TemplateError(f"{template} at x = {x:g}: {match.group(1)} amount is not finite")
        if amount < -1e-9:
            raise TemplateError(f"{template} at x = {x:g}: {match.group(1)} amount {amount:g} < 0")
        return "" if abs(amount) < 1e-9 else f"{match.group(1)}{_number(amount)}"

    if len(template) > MAX_TEMPLATE_CHARS:
        raise TemplateError(
            f"template of {len(template)} characters, longer than the {MAX_TEMPLATE_CHARS} allowed"
        )
    if "{" not in template:
        raise TemplateError(f"{template!r} has no braced amount in x")
    return PLACEHOLDER.sub(replace, template)


def parse_oxidation_states(text: str) -> dict[str, float]:
    """'Li:1;La:3;O:-2' -> {'Li': 1.0, 'La': 3.0, 'O': -2.0}."""
    states: dict[str, float] = {}
    for part in filter(None, (p.strip() for p in text.split(";"))):
        element, _, charge = part.partition(":")
        try:
            value = float(charge)
        except ValueError as exc:
            raise TemplateError(f"oxidation state {part!r}: expected Element:charge") from exc
        if not abs(value) <= MAX_OXIDATION_STATE:  # NaN too: it would pass any neutrality check
            raise TemplateError(
                f"oxidation state {part!r}: expected a charge in "
                f"[-{MAX_OXIDATION_STATE:g}, {MAX_OXIDATION_STATE:g}]"
            )
        states[element.strip()] = value
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


def _grid(x_min: float, x_max: float, step: float) -> np.ndarray:
    inside = np.arange(math.floor(x_min / step) + 1, math.ceil(x_max / step)) * step
    # a multiple within half a step of an off-step end is left out: 0.0899 and 0.09 would be two
    # levels a synthesis cannot tell apart
    inside = inside[(inside > x_min + step / 2) & (inside < x_max - step / 2)]
    return np.round(np.concatenate([[x_min], inside, [x_max]]), 10)


@functools.lru_cache(maxsize=256)
def family_levels(x_min: float, x_max: float) -> np.ndarray:
    """The substitution levels of a family's window, ascending, both ends included (LEVELS note).
    Cached and read-only: every population's decode and gather asks for the same few windows."""
    grid = next(
        (g for step in LEVEL_STEPS if len(g := _grid(x_min, x_max, step)) <= LEVELS),
        np.linspace(x_min, x_max, LEVELS),  # wider than the catalog allows: evenly spaced
    )
    grid.setflags(write=False)
    return grid


def levels(x_min: float, x_max: float) -> np.ndarray:
    """family_levels padded to LEVELS with x_max, the shape of the arrays [family, level]."""
    grid = family_levels(x_min, x_max)
    return np.concatenate([grid, np.full(LEVELS - len(grid), grid[-1])])


def level_at(x_min: float, x_max: float, u: np.ndarray) -> np.ndarray:
    """The level a search variable u in [0, 1] decodes to: u spans the family's levels evenly."""
    grid = family_levels(x_min, x_max)
    index = np.rint(np.clip(np.asarray(u, dtype=float), 0.0, 1.0) * (len(grid) - 1))
    return grid[index.astype(np.intp)]


def level_index(x_min: float, x_max: float, x: np.ndarray) -> np.ndarray:
    """The index of the level nearest each x (a visited level maps to itself; a measured x to the
    level closest to it); a binary search on the ascending levels, no [rows, levels] array."""
    grid = family_levels(x_min, x_max)
    x = np.asarray(x, dtype=float)
    right = np.clip(np.searchsorted(grid, x), 1, len(grid) - 1)
    nearer_left = np.abs(x - grid[right - 1]) <= np.abs(grid[right] - x)
    return np.where(nearer_left, right - 1, right).astype(np.intp)


# --- how the surrogate's errors at two compositions move together --------------------------------
# An assumption (the surrogate reports only marginals): its errors at neighbouring compositions are
# correlated by exp(−d² / 2ℓ²) over the distance d between their atom-fraction vectors, with ℓ the
# median distance from a composition of the shipped training data to its nearest other one
# (699 distinct compositions of configs/train_default.yaml's data, measured 0.0150). Neighbouring
# levels of one family (Ga-LLZO x and x + 0.02) correlate at 0.99, Ga- and Ta-LLZO at about 0.2, a
# garnet and an argyrodite at 0. `ssemo suggest` draws a batch's σ with it, and the plausible
# worlds draw the searched families' levels with it.
CORRELATION_LENGTH = 0.015


def fraction_vectors(formulas, elements: list[str] | None = None) -> tuple[np.ndarray, list[str]]:
    """Atom-fraction vectors (rows) of formulas over `elements` (default: every element they hold);
    a formula that does not parse, or '', is a row of NaN."""
    from surrogates.chemistry import element_fractions

    parsed: list[dict[str, float] | None] = []
    for formula in formulas:
        try:
            parsed.append(element_fractions(str(formula)) if formula else None)
        except Exception:
            parsed.append(None)
    if elements is None:
        elements = sorted({e for p in parsed if p for e in p})
    index = {e: j for j, e in enumerate(elements)}
    out = np.zeros((len(parsed), len(elements) + 1))  # last column: elements outside the list
    for i, p in enumerate(parsed):
        if p is None:
            out[i] = np.nan
            continue
        for e, v in p.items():
            out[i, index.get(e, len(elements))] += v
    return out, elements


def correlation_of(vectors: np.ndarray, length: float = CORRELATION_LENGTH) -> np.ndarray:
    """The correlation matrix exp(−d² / 2ℓ²) of atom-fraction vectors (rows)."""
    d = np.linalg.norm(vectors[:, None, :] - vectors[None, :, :], axis=2)
    return np.exp(-(d**2) / (2.0 * length**2))


def joint_normal(rng: np.random.Generator, correlation: np.ndarray, n_samples: int) -> np.ndarray:
    """(n_samples, G) standard normal draws with the given correlation (a symmetric square root:
    the eigendecomposition, negative round-off eigenvalues clipped to 0)."""
    eps = rng.standard_normal((n_samples, len(correlation)))
    if np.array_equal(correlation, np.eye(len(correlation))):
        return eps
    values, vectors = np.linalg.eigh(correlation)
    root = vectors * np.sqrt(np.clip(values, 0.0, None))
    return np.asarray(eps @ root.T)
