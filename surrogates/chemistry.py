"""Formula parsing for literature compositions, including glass mixtures and polymer SMILES.

Handles what the datasets write: plain formulas (Li7La3Zr2O12), grouped formulas
((Li0.826Mg0.174)(Li0.374Mg0.026Ti1.60)O4), pseudo-binary glasses ("(Li2S)0.75 (P2S5)0.25",
0.7Li2S-0.1Li2O-0.2P2S5, 0.97(0.6Li2S-0.4SiS2)-0.03Li3InO3), and polymer repeat units as SMILES
(heavy atoms only; implicit hydrogens are not counted, a documented simplification).
"""

from __future__ import annotations

import functools
import re
from collections import Counter

from objectives.errors import SsemoError

_LEADING_NUMBER = re.compile(r"^(\d+(?:\.\d+)?|\.\d+)(?=[A-Z(])")


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


def parse_formula(text: str) -> dict[str, float]:
    """Element amounts of a formula or mixture string. Raises FormulaError if it cannot be parsed."""
    return dict(_parse_cached(str(text)))


@functools.lru_cache(maxsize=65536)
def _parse_cached(text: str) -> tuple[tuple[str, float], ...]:
    return tuple(_parse(text).items())


def _parse(text: str) -> dict[str, float]:
    from pymatgen.core import Composition  # lazy: only data loading needs pymatgen

    cleaned = str(text).strip().strip('"').replace("\t", " ")
    for dash in (
        "−",
        "–",
        "—",
        "*",
        "·",
    ):  # unicode minus/dashes and product signs join mixture terms
        cleaned = cleaned.replace(dash, "-")
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
                raise FormulaError(f"cannot parse formula {text!r} ({exc})") from None
        for element, amount in inner.items():
            total[element] = total.get(element, 0.0) + coefficient * amount
    from pymatgen.core import Element

    unknown = sorted(e for e in total if not Element.is_valid_symbol(e))
    if unknown:
        raise FormulaError(f"formula {text!r} has unknown element symbol(s) {', '.join(unknown)}")
    if not total or any(v < 0 for v in total.values()) or sum(total.values()) <= 0:
        raise FormulaError(f"formula {text!r} has no positive element amounts")
    return dict(total)


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


def contains_lithium(amounts: dict[str, float]) -> bool:
    return amounts.get("Li", 0.0) > 0
