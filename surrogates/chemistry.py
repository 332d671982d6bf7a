"""Formula parsing for literature compositions, including glass mixtures and polymer SMILES.

Handles what the datasets write: plain formulas (Li7La3Zr2O12), grouped formulas
((Li0.826Mg0.174)(Li0.374Mg0.026Ti1.60)O4), pseudo-binary glasses ("(Li2S)0.75 (P2S5)0.25",
0.7Li2S-0.1Li2O-0.2P2S5, 0.97(0.6Li2S-0.4SiS2)-0.03Li3InO3), and polymer repeat units as SMILES
(heavy atoms only; implicit hydrogens are not counted, a documented simplification).

Per formula unit (issue 14): the same material is written many ways: per formula unit
(Li6.4Al0.2La3Zr2O12), per unit cell (Li51.2Al1.6La24Zr16O96, eight formula units), in mol %
(70Li2S-30P2S5, 70Li2S·30P2S5), as mole fractions (0.7Li2S-0.3P2S5, (Li2S)0.7(P2S5)0.3) or with a
ratio after the components (Li2S-P2S5 (70:30), Li2S:P2S5 = 70:30). All parse to amounts proportional
to each other; `element_fractions` is the scale-free composition every feature is computed from, and
`primitive_formula_atoms` the size of the smallest integer formula with those fractions (canonical:
the same for every multiple of a formula). Nothing downstream depends on the written scale.
"""

from __future__ import annotations

import functools
import math
import re
from collections import Counter
from fractions import Fraction

from objectives.errors import SsemoError

_LEADING_NUMBER = re.compile(r"^(\d+(?:\.\d+)?|\.\d+)(?=[A-Z(])")
# a ratio written after the components: "Li2S-P2S5 (70:30)", "Li2S:P2S5 = 70:30", "Li2S-P2S5 70:30"
_RATIO_SUFFIX = re.compile(
    r"^(?P<terms>.+?)\s*(?:=\s*|\(\s*|\s)(?P<ratio>\d+(?:\.\d+)?(?:\s*:\s*\d+(?:\.\d+)?)+)\s*\)?\s*$"
)
# products and bullets that join the terms of a glass or pseudo-binary
_JOINERS = ("−", "–", "—", "*", "·", "•", "⋅", "∙", "×")


class FormulaError(SsemoError, ValueError):
    """A formula string that cannot be parsed into element amounts."""


def _split_top_level(text: str, separators: str = "-+·") -> list[str]:
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        elif ch in separators and depth == 0 and i > 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return [p for p in parts if p]


def _wrapped(text: str) -> bool:
    """True when the whole text is one parenthesised group, e.g. (0.6Li2S-0.4SiS2)."""
    if not (text.startswith("(") and text.endswith(")")):
        return False
    depth = 0
    for i, ch in enumerate(text):
        depth += ch == "("
        depth -= ch == ")"
        if depth == 0 and i < len(text) - 1:
            return False
    return True


# Longer than any formula in the literature tables (at most ~50 characters): a limit that keeps a
# pasted megabyte from occupying pymatgen's parser for seconds or hours.
MAX_FORMULA_CHARS = 200
# Element counts per formula as written: the literature tables reach 72 (mol % notation, unit cells)
# and go down to 0.005. Beyond these bounds a count is a typo or an attack (`Li1e308O`): fractions and
# the derived features would overflow to inf or NaN.
MAX_ELEMENT_COUNT = 1e6
MIN_ELEMENT_COUNT = 1e-6
# A bare element symbol followed by a minus and a number ("Li-1O2") is a negative count, not a
# mixture term (mixtures put a compound before the minus: "Li7La3Zr2O12-0.3Ga", "Li2O-2B2O3").
_NEGATIVE_COUNT = re.compile(r"(?:^|[-−–—+·*\s(\[])([A-Z][a-z]?)\s*[-−–—]\s*\d")


def check_formula_text(text: str) -> str:
    """`text` when it may be parsed; FormulaError when it is too long or has a negative count."""
    if len(text) > MAX_FORMULA_CHARS:
        raise FormulaError(
            f"formula of {len(text)} characters, longer than the {MAX_FORMULA_CHARS} allowed"
        )
    if match := _NEGATIVE_COUNT.search(text):
        raise FormulaError(
            f"formula {text!r} gives {match.group(1)} a negative count "
            f"({match.group(0).lstrip('-−–—+·*( [')!r})"
        )
    return text


def parse_formula(text: str) -> dict[str, float]:
    """Element amounts of a formula or mixture string. Raises FormulaError if it cannot be parsed."""
    return dict(_parse_cached(check_formula_text(str(text))))


@functools.lru_cache(maxsize=65536)
def _parse_cached(text: str) -> tuple[tuple[str, float], ...]:
    return tuple(_parse(text).items())


def _ratio_notation(text: str) -> str:
    """'Li2S-P2S5 (70:30)' or 'Li2S:P2S5 = 70:30' -> '70Li2S-30P2S5'; other text unchanged."""
    match = _RATIO_SUFFIX.match(text)
    if not match:
        return text
    terms = [t for t in re.split(r"[-:]", match.group("terms").replace(" ", "")) if t]
    ratio = [r.strip() for r in match.group("ratio").split(":")]
    if len(terms) != len(ratio) or any(_LEADING_NUMBER.match(t) for t in terms):
        return text
    return "-".join(f"{r}({t})" for r, t in zip(ratio, terms, strict=True))


def _parse(text: str) -> dict[str, float]:
    from pymatgen.core import Composition  # lazy: only data loading needs pymatgen

    cleaned = str(text).strip().strip('"').replace("\t", " ")
    for dash in _JOINERS:  # unicode minus/dashes and product signs join mixture terms
        cleaned = cleaned.replace(dash, "-")
    cleaned = _ratio_notation(cleaned.strip())
    cleaned = re.sub(r"\s+(?=\d)", "-", cleaned.strip())  # "0.6(Li2S) 0.4(GeS2)": a new term
    cleaned = re.sub(r"-+", "-", cleaned.replace(" ", ""))
    if not cleaned or cleaned.lower() in {"nan", "none"}:
        raise FormulaError(f"empty formula {text!r}")
    terms = _split_top_level(cleaned)
    total: dict[str, float] = {}
    for term in terms:
        coefficient = 1.0
        match = _LEADING_NUMBER.match(term)
        if (match and len(terms) > 1) or (match and _wrapped(term[match.end() :])):
            coefficient = float(match.group(1))
            term = term[match.end() :]
        if _wrapped(term) and len(_split_top_level(term[1:-1])) > 1:
            inner = _parse(term[1:-1])
        else:
            try:
                inner = {
                    str(el): float(amt) for el, amt in Composition(term).get_el_amt_dict().items()
                }
            except Exception as exc:  # pymatgen raises several types for bad strings
                raise FormulaError(
                    f"cannot parse formula {text!r} ({exc}){_dot_hint(term)}"
                ) from None
        for element, amount in inner.items():
            total[element] = total.get(element, 0.0) + coefficient * amount
    from pymatgen.core import Element

    unknown = sorted(e for e in total if not Element.is_valid_symbol(e))
    if unknown:
        raise FormulaError(f"formula {text!r} has unknown element symbol(s) {', '.join(unknown)}")
    if not total or any(v < 0 for v in total.values()) or sum(total.values()) <= 0:
        raise FormulaError(f"formula {text!r} has no positive element amounts")
    for element, amount in total.items():
        if not (amount == 0.0 or MIN_ELEMENT_COUNT <= amount <= MAX_ELEMENT_COUNT):
            raise FormulaError(
                f"formula {text!r} gives {element} the count {amount:g}, expected a number in "
                f"[{MIN_ELEMENT_COUNT:g}, {MAX_ELEMENT_COUNT:g}]"
            )
    return dict(total)


def _dot_hint(term: str) -> str:
    """A '.' between formula parts (LiCl.H2O) reads as a decimal point: say how to write it."""
    if re.search(r"[A-Za-z)\]]\.[A-Z(]", term):
        return "; a '.' between formula parts is read as a decimal point: write a hydrate or adduct as 'LiCl·H2O' or 'LiCl*H2O'"
    return ""


_SMILES_ATOM = re.compile(r"\[([A-Z][a-z]?)[^\]]*\]|(Cl|Br|[BCNOPSFI])|([cnops])")


def smiles_elements(smiles: str) -> dict[str, float]:
    """Heavy-atom counts of a SMILES string (bracket atoms, organic subset, aromatic lowercase).

    Chain-end markers [Cu]/[Au] used by the polymer dataset are skipped. Implicit H is not counted.
    """
    counts: Counter[str] = Counter()
    for bracket, organic, aromatic in _SMILES_ATOM.findall(str(smiles)):
        element = bracket or organic or aromatic.upper()
        if bracket in ("Cu", "Au"):
            continue
        counts[element] += 1
    if not counts:
        raise FormulaError(f"no atoms found in SMILES {smiles!r}")
    return dict(counts)


def composition_key(amounts: dict[str, float], decimals: int = 3) -> str:
    """Canonical key for deduplication: element fractions rounded, elements sorted (e.g. 'La:0.125 Li:0.292 ...')."""
    total = sum(amounts.values())
    return " ".join(f"{el}:{amounts[el] / total:.{decimals}f}" for el in sorted(amounts))


def element_fractions(formula: str, digits: int = 12) -> dict[str, float]:
    """Atomic fraction of each element of a formula in any notation, rounded to `digits` decimals so
    that a formula and any multiple of it (a unit cell, mol % instead of mole fractions) give the
    identical numbers, not numbers one rounding error apart."""
    amounts = parse_formula(formula)
    total = sum(amounts.values())
    return {e: round(v / total, digits) for e, v in amounts.items()}


def primitive_formula_atoms(amounts: dict[str, float], max_denominator: int = 1000) -> float:
    """Atoms in the smallest integer formula with these proportions (canonical for every multiple):
    Li7La3Zr2O12 and Li14La6Zr4O24 -> 24; Li6.4Al0.2La3Zr2O12 and its unit cell
    Li51.2Al1.6La24Zr16O96 -> 118 (Li32AlLa15Zr10O60); 0.75Li2S-0.25P2S5 -> 8 (Li3PS4).

    Each amount, divided by the smallest, is read as a fraction with denominator at most
    max_denominator (so measured decimals like 0.333 become 1/3, not 333/1000); the common
    denominator makes them integers and their gcd reduces them. Capped at 10**6 atoms."""
    values = [v for v in amounts.values() if v > 0]
    if not values:
        raise FormulaError("no positive element amounts")
    smallest = min(values)
    ratios = [Fraction(v / smallest).limit_denominator(max_denominator) for v in values]
    common = math.lcm(*(r.denominator for r in ratios))
    integers = [int(r * common) for r in ratios]
    divisor = functools.reduce(math.gcd, integers)
    return float(min(sum(integers) // divisor, 10**6))


def atoms_per_least_element(amounts: dict[str, float]) -> float:
    """Atoms of the formula per atom of its least abundant element, Σ n_i / min n_i: scale-free
    (the same for a formula and its unit cell) and continuous in the amounts, so nearly equal
    compositions get nearly equal values. It equals primitive_formula_atoms when the least abundant
    element appears once in the smallest integer formula (Li6.4Al0.2La3Zr2O12 -> 118), and, unlike
    it, does not jump when an amount gains a decimal (Li6.4001Al0.1999... -> 118.05, not thousands).
    """
    values = [v for v in amounts.values() if v > 0]
    if not values:
        raise FormulaError("no positive element amounts")
    return float(sum(values) / min(values))


ANIONS = frozenset({"O", "S", "Se", "Te", "N", "F", "Cl", "Br", "I", "H"})


def contains_lithium(amounts: dict[str, float]) -> bool:
    return amounts.get("Li", 0.0) > 0


def is_lithium_metal(amounts: dict[str, float]) -> bool:
    """A formula of Li alone: the metal, an electronic conductor, not a Li-ion electrolyte."""
    return set(amounts) == {"Li"}
