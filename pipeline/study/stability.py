"""Which (material, coating) pairs the stability constraint excludes, and why, for the report.

The rule itself is the registry's `g_stability` on the evaluation's `li_side_stable` and
`cathode_side_stable` columns; this module only words it for the options a study searched.
"""

from __future__ import annotations

from pipeline.study.catalog import Catalog
from pipeline.study.config import StudyConfig
from pipeline.study.space import DesignSpace


def _first_clause(source: str) -> str:
    return source.split(";")[0].strip()


def stability_exclusions(catalog: Catalog, config: StudyConfig, space: DesignSpace) -> list[str]:
    """One line per excluded (material, coating) pair of the searched options, with the reason
    and, where the catalog has one, the coating that would cure it."""
    if not config.constraints.stability:
        return []
    cures = catalog.coating_cures_li_side()
    coatings = catalog.coating_ids
    lines = []
    pairs = dict.fromkeys(zip(space.options["material"], space.options["coating"], strict=True))
    # a composition family inherits its parent's chemistry: one line for both ("LATP, latp")
    names: dict[tuple[str, int], list[str]] = {}
    for material, coating in pairs:
        mid = catalog.material_ids[material]
        names.setdefault((catalog.family_parent(mid) or mid, coating), []).append(mid)
    for material, coating in pairs:
        row = catalog.materials.iloc[material]
        mid = catalog.material_ids[material]
        group = names[(catalog.family_parent(mid) or mid, coating)]
        if group[0] != mid:
            continue  # said with the first of its group
        name, stab = ", ".join(group), catalog.stability.loc[mid]
        if row["li_side"] == "reacting" and not cures[coating, material]:
            fixes = [coatings[k] for k in range(len(coatings)) if cures[k, material]]
            lines.append(
                f"{name} with coating '{coatings[coating]}': keeps reacting with Li metal "
                f"({_first_clause(stab['li_side_source'])})"
                + (
                    f"; allowed with {', '.join(fixes)}"
                    if fixes
                    else "; no curing coating in the catalog"
                )
                + "."
            )
    for material in dict.fromkeys(space.options["material"]):
        row = catalog.materials.iloc[material]
        if row["cathode_side"] == "reacting" and config.cell.cathode_coating == "none":
            stab = catalog.stability.loc[catalog.material_ids[material]]
            lines.append(
                f"{catalog.material_ids[material]}: reacts with the uncoated cathode "
                f"({_first_clause(stab['cathode_side_source'])}); allowed with cell.cathode_coating: linbo3."
            )
    return lines
