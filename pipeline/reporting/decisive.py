"""Which catalog values decide a study's recommendations.

Every catalog number carries a plausible range (pipeline.study.catalog). Here each known number that
a front design uses (assumption-grade or measured: a measured spread can decide a marginal design
too) is moved to each end of its range, one at a time, and the front is evaluated again: a value *decides feasibility* of a design when the design's verdict flips at either
end, and *decides a choice* when the compromise choice (knee, ASF, ...) picks another front design at
either end. One-at-a-time ends are a screening, not the joint propagation of every range (that is a
search over plausible worlds, a later step); they find the values a scientist should check first.
The whole front is evaluated per end in one vectorized call, so the cost is two front evaluations
per assumption value that touches the front.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from pipeline.search.decisions import choose
from pipeline.study.catalog import Catalog, Evidence
from pipeline.study.catalog.schema import SHORT_MECHANISMS
from pipeline.study.plausible import model_with
from pipeline.study.registry import normalize

# Which verdict a catalog property enters (for the report's per-design list).
VERDICT_OF_PROPERTY = {
    "sigma_ref_s_per_cm": "ASR",
    "reference_temperature_c": "ASR",
    "activation_energy_ev": "ASR",
    "vft_pseudo_activation_k": "ASR",
    "vft_vogel_temperature_k": "ASR",
    "membrane_conductivity_factor": "ASR",
    "interfacial_resistance_ohm_cm2": "ASR",
    "layer_thickness_um": "ASR",
    "particle_radius_nm": "ASR",
    "interphase_thickness_nm": "ASR",
    "transference_number": "ASR",
    "strength_mpa": "strength",
    "strength_area_cm2": "strength",
    "weibull_modulus": "strength",
    "fracture_toughness_mpa_m05": "strength",
    "youngs_modulus_gpa": "strength",
    "modulus_porosity_coefficient": "strength",
    "shear_modulus_gpa": "short circuit",
    "ccd_ma_per_cm2": "short circuit",
    "relative_density_max": "short circuit",
    "defect_size_um": "short circuit",
    "percolation_relative_density": "short circuit",
    "test_area_cm2": "short circuit",
    "threshold_capacity_mah_per_cm2": "short circuit",
    "protrusion_amplification": "short circuit",
    "min_thickness_um": "thickness window",
    "max_thickness_um": "thickness window",
    "mrl": "manufacturability",
    "processing_temperature_c": "manufacturability",
    "density_g_per_cm3": "energy density",
}
VERDICTS = ("ASR", "strength", "short circuit", "thickness window", "manufacturability")


@dataclass(frozen=True)
class Decisive:
    """uses: (front row, evidence row) pairs, a design using a value; values: per assumption-grade
    value touching the front, how many front designs use it, flip feasibility, and which choices
    move at an end of its range; per_design: per front row the assumption values that flip it."""

    evidence: pd.DataFrame  # the catalog's evidence table (Catalog.evidence)
    uses: pd.DataFrame  # front_row, evidence_row
    values: pd.DataFrame  # every screened value (assumptions(): the assumption-grade part)
    flips: dict[int, list[str]]  # front row -> labels of assumption values that flip feasibility
    # front row -> 'label (grade)' of measured or derived values whose range flips feasibility
    flips_measured: dict[int, list[str]]
    # choice label -> 'value at low|high -> material / process / coating' where another design
    # (not the same one a little thicker) would be chosen
    choice_moves: dict[str, list[str]]
    # values that flip every front design using them, used by most of the front: one headline, not
    # a flag on every row
    front_wide: list[str] = field(default_factory=list)


def value_label(row) -> str:
    """A short name for one catalog number: 'process tape_casting min_thickness_um'."""
    where = f" on {row['applies_to']}" if row.get("applies_to") else ""
    return f"{row['table']} {row['item']}{where} {row['property']}"


def evidence_uses(
    catalog: Catalog, front: pd.DataFrame, cathode_coating: str, sigma_from_surrogate: bool = False
) -> pd.DataFrame:
    """(front_row, evidence_row) for every catalog number a front design's evaluation reads: its
    material's (or its family parent's) properties, and per property the most specific row of its
    process and of its (coating, material): the material, its parent, its family, then every
    family (as Catalog.process_values and the coating matrices look them up), and the cathode
    side's row for the cell's cathode coating."""
    ev = catalog.evidence()
    material_rows: dict[str, list[int]] = {}
    keyed: dict[tuple[str, str, str, str], int] = {}  # (table, item, applies_to, property)
    for k, (table, item, target, prop) in enumerate(
        ev[["table", "item", "applies_to", "property"]].itertuples(index=False)
    ):
        if table == "material":
            material_rows.setdefault(item, []).append(k)
        else:
            keyed[(table, item, target, prop)] = k
    tables = ("process", "coating", "cathode", "short")
    # a family member's σ is the surrogate's prediction per composition, as is every formula's σ
    # when the study takes σ from the surrogate: the catalog's σ law does not enter its evaluation
    sigma_law = {"sigma_ref_s_per_cm", "reference_temperature_c", "activation_energy_ev"}
    sigma_law |= {"vft_pseudo_activation_k", "vft_vogel_temperature_k"}
    predicted = front.get("sigma_predicted", pd.Series(False, index=front.index)).to_numpy(bool)
    if sigma_from_surrogate:
        formulas = catalog.materials["formula"].fillna("")
        predicted = predicted | (formulas.reindex(front["material"]).to_numpy() != "")
    props = {table: ev.loc[ev["table"] == table, "property"].unique() for table in tables}
    pairs: list[tuple[int, int]] = []
    for row, (material, family, process, coating) in enumerate(
        front[["material", "family", "process", "coating"]].itertuples(index=False)
    ):
        owner = catalog.family_parent(material) or material
        pairs += [
            (row, k)
            for k in material_rows.get(owner, [])
            if not (predicted[row] and ev.at[k, "property"] in sigma_law)
        ]
        targets = tuple(dict.fromkeys((material, owner, family, "")))
        items = [("process", process), ("coating", coating), ("cathode", cathode_coating)]
        items += [("short", mechanism) for mechanism in SHORT_MECHANISMS]
        for table, item in items:
            for prop in props[table]:
                hit = next(
                    (
                        keyed[(table, item, t, prop)]
                        for t in targets
                        if (table, item, t, prop) in keyed
                    ),
                    None,
                )
                if hit is not None:
                    pairs.append((row, hit))
    return pd.DataFrame(pairs, columns=["front_row", "evidence_row"], dtype=int)


def _at(catalog: Catalog, row: pd.Series, value: float) -> Catalog:
    """The catalog with one evidence row's number set to `value` (a family copy of a material
    follows its parent)."""
    item, prop = row["item"], row["property"]
    if row["table"] == "material":
        frame = catalog.materials.copy()
        ids = [m for m in frame.index if m == item or catalog.family_parent(m) == item]
        frame.loc[ids, prop] = value
        return replace(catalog, materials=frame)
    name, id_col = {
        "process": ("process_properties", "process_id"),
        "coating": ("coating_properties", "coating_id"),
        "cathode": ("cathode_interfaces", "cathode_coating"),
        "short": ("short_circuit", "mechanism"),
    }[row["table"]]
    long = getattr(catalog, name).copy()
    hit = (
        (long[id_col] == item)
        & (long["applies_to"] == row["applies_to"])
        & (long["property"] == prop)
    )
    long.loc[hit, "value"] = value
    return replace(catalog, **{name: long})


def _choices(model, front: pd.DataFrame, F: np.ndarray, feasible: np.ndarray) -> dict[str, int]:
    """Choice label -> front row, choosing among the designs feasible here."""
    rows = np.flatnonzero(feasible)
    if len(rows) == 0:
        return {}
    bounds = {name: model.config.normalization[name] for name in model.objectives}
    sub = front.iloc[rows].reset_index(drop=True)
    chosen = choose(
        sub,
        normalize(F[rows], model.objectives, bounds),
        model.objectives,
        model.config.decision.asf_weights,
    )
    out: dict[str, int] = {}
    for position, row in zip(chosen.index, chosen.itertuples(), strict=True):
        for label in [row.choice, *[s for s in row.same_as_choice.split(", ") if s]]:
            out[label] = int(rows[position])
    return out


def decisive_values(model, front: pd.DataFrame, chosen: pd.DataFrame) -> Decisive:
    """Screen every assumption-grade value that a front design uses at both ends of its range."""
    catalog: Catalog = model.catalog
    evidence = catalog.evidence()
    if len(front) == 0:
        columns = ["label", "grade", "n_front_designs", "n_flip_feasibility"]
        return Decisive(evidence, pd.DataFrame(), pd.DataFrame(columns=columns), {}, {}, {})
    uses = evidence_uses(
        catalog,
        front,
        model.config.cell.cathode_coating,
        model.config.surrogate.conductivity_source == "surrogate",
    )
    X = front[model.space.x_columns].to_numpy()
    base_F, _, base_out = model.evaluate(X)
    base_choice = _choices(model, front, base_F, base_out["feasible"])
    graded = evidence["grade"].to_numpy()
    touched = sorted(set(uses["evidence_row"]))
    records: list[dict] = []
    flips: dict[int, list[str]] = {}
    flips_measured: dict[int, list[str]] = {}
    moves: dict[str, list[str]] = {}
    for i in touched:
        if graded[i] == "unknown":
            continue
        row = evidence.loc[i]
        assumed = graded[i] == "assumption"
        label = value_label(row) if assumed else f"{value_label(row)} ({graded[i]})"
        users = uses.loc[uses["evidence_row"] == i, "front_row"].to_numpy()
        flipped = np.zeros(len(front), dtype=bool)
        moved_choices: set[str] = set()
        for end in ("low", "high"):
            if row[end] == row["value"]:
                continue
            F, _, out = model_with(model, _at(catalog, row, float(row[end])), "moved").evaluate(X)
            flipped |= out["feasible"] != base_out["feasible"]
            # the choices are a function of (F, feasible) alone; the knee's search is O(n²) in
            # the front (20 of 30 s on the default front before): choose again only when it moved
            same = np.array_equal(F, base_F) and np.array_equal(
                out["feasible"], base_out["feasible"]
            )
            now = base_choice if same else _choices(model, front, F, out["feasible"])
            for choice, before in base_choice.items():
                where = _moved(front, before, now.get(choice))
                if where:
                    moved_choices.add(choice)
                    moves.setdefault(choice, []).append(f"{label} at {end} -> {where}")
        flipped &= np.isin(np.arange(len(front)), users)
        for r in np.flatnonzero(flipped):
            (flips if assumed else flips_measured).setdefault(int(r), []).append(label)
        records.append(
            {
                "label": label,
                "grade": graded[i],
                "value": row["value"],
                "low": row["low"],
                "high": row["high"],
                # a quartiles range is screened at its quartiles, the middle half of the reported
                # values, not at its tails (the plausible worlds draw those)
                "range_kind": row["range_kind"],
                "source": row["source"],
                "n_front_designs": len(users),
                "n_flip_feasibility": int(flipped.sum()),
                "choices_moved": ", ".join(sorted(moved_choices)),
            }
        )
    values = pd.DataFrame(records)
    if len(values):
        values = values.sort_values(
            ["n_front_designs", "n_flip_feasibility", "label"],
            ascending=[False, False, True],
            kind="stable",
        ).reset_index(drop=True)
    wide = []
    if len(values):
        everywhere = values["n_flip_feasibility"] == values["n_front_designs"]
        most = (values["n_front_designs"] >= len(front) / 2) & (values["grade"] == "assumption")
        wide = list(values.loc[everywhere & most, "label"])
    return Decisive(evidence, uses, values, flips, flips_measured, moves, wide)


def assumptions(decisive: Decisive) -> pd.DataFrame:
    """The screened assumption-grade values (assumption_values.csv, the report's table)."""
    values = decisive.values
    if "grade" not in values:
        return values
    return values[values["grade"] == "assumption"].reset_index(drop=True)


def _moved(front: pd.DataFrame, before: int, after: int | None) -> str:
    """Where a choice goes when a value moves ('' when it stays: the same material, process and
    coating within 10 % of its thickness counts as staying)."""
    if after is None:
        return "no feasible design"
    a, b = front.iloc[before], front.iloc[after]
    same = all(a[k] == b[k] for k in ("material", "process", "coating"))
    if same and abs(b["thickness_um"] / a["thickness_um"] - 1.0) <= 0.10:
        return ""
    return f"{b['material']} / {b['process']} / {b['coating']}, {b['thickness_um']:.3g} µm"


def _range_text(e: Evidence, row) -> str:
    """'20–30', or for an interquartile range 'quartiles 0.000361–0.000939 of reported
    6.16e-05–0.00139' (a quarter of the reported values lie on each side outside it)."""
    if e.range_kind != "quartiles":
        return f"{e.low:.3g}–{e.high:.3g}"
    spread = f" of reported {row['reported_min']:.3g}–{row['reported_max']:.3g}"
    return f"quartiles {e.low:.3g}–{e.high:.3g}" + (
        spread if np.isfinite(row.get("reported_min", np.nan)) else ""
    )


def design_evidence(decisive: Decisive, front_row: int) -> dict[str, list[str]]:
    """Per verdict, the values a front design's evaluation reads, with grade and range."""
    ev = decisive.evidence
    rows = decisive.uses.loc[decisive.uses["front_row"] == front_row, "evidence_row"]
    out: dict[str, list[str]] = {}
    for i in rows:
        r = ev.loc[i]
        verdict = (
            "short circuit" if r["table"] == "short" else VERDICT_OF_PROPERTY.get(r["property"])
        )
        if verdict not in VERDICTS:
            continue
        e = Evidence.of(r)
        if e.grade == "unknown":
            text = f"{r['property']} unknown"
        else:
            text = f"{r['property']} {e.value:.3g} ({e.grade}, {_range_text(e, r)})"
        if r["table"] == "coating":
            text = f"{r['item']} on {r['applies_to']}: {text}"
        elif r["table"] == "cathode":
            text = f"cathode side ({r['item']}) on {r['applies_to']}: {text}"
        elif r["table"] == "short":
            text = f"{r['item']} shorts on {r['applies_to']}: {text}"
        out.setdefault(verdict, []).append(text)
    return out
