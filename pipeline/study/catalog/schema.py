"""What the catalog files hold: families, laws and classes, each numeric property's unit and
physical bounds, and the columns of every file. One definition each; the loaders, the evidence check
and the Catalog read them from here."""

from __future__ import annotations

FAMILIES = ("oxide", "sulfide", "halide", "polymer", "composite", "glass_thin_film")

TEMPERATURE_LAWS = ("arrhenius_sigma", "arrhenius_sigma_t", "vft", "composite")

ATMOSPHERES = ("ambient", "dry_room", "inert", "vacuum")

SCALABILITY = ("roll_to_roll", "batch")

# free-standing: a membrane handled on its own; supported: a film deposited on an electrode (it
# needs no handling strength; thin_membrane_tradeoffs §5: vacuum thin films are made on substrates)
ARCHITECTURES = ("free_standing", "supported")

# behaviour of a material against Li metal and against a 4 V-class oxide cathode (thin-membrane fact
# sheet §1): stable, passivating (reacts, self-limiting insulating interphase), or reacting (keeps
# reacting: mixed-conducting interphase or oxidation products): a reacting pair needs a cure
STABILITY_CLASSES = ("stable", "passivating", "reacting")

CURES = ("li_side",)

# what a material's sigma_ref_s_per_cm was measured on: a dense pellet (the process's
# membrane_conductivity_factor then turns it into the as-processed membrane's), or an as-made sheet
# or film, which already holds the process's cost (no factor is applied to it)
SIGMA_REF_FORMS = ("pellet", "sheet", "film")

STATUSES = ("literature", "derived", "assumption")  # text classes (stability, atmosphere)

# Evidence grade of a number (README, 'The catalog'): measured in the paper cited
# (primary), measured but read through a review, abstract or compilation (secondary), computed by
# us from cited numbers (derived), or our assumption. 'unknown' only with an empty value.
GRADES = ("measured-primary", "measured-secondary", "derived", "assumption")

UNKNOWN = "unknown"

# What a number's range [low, high] stands for (README, 'Plausible worlds'), in the optional
# `range_kind` column of the long tables (absent or empty: 'bounds'):
# - bounds: the plausible values lie inside it (the spread of the sources, a x/÷ rule, an
#   assumption's span);
# - quartiles: the 25th and 75th percentiles of a set of reported values, the value their median;
#   a quarter of the values lie on each side outside it. Reading quartiles as bounds makes the
#   spread about half what the data show (LLZO's 29 entries), so it is said per row. Such a row
#   also gives the lowest and highest of those values (optional columns reported_min and
#   reported_max, required with quartiles and empty otherwise): the law's tails stop there, so no
#   plausible world draws a value beyond what was reported.
RANGE_KINDS = ("bounds", "quartiles")
RANGE_KIND_DEFAULT = "bounds"
OPTIONAL_EVIDENCE_COLUMNS = ("range_kind", "reported_min", "reported_max")
# quartiles summarize several reported values: a measured or derived grade, not an assumption
QUARTILE_GRADES = tuple(g for g in GRADES if g != "assumption")

# property -> (unit, lowest, highest). The unit is part of the name; the range catches unit slips
# (a conductivity in mS/cm typed as S/cm, a temperature in K typed as °C).
MATERIAL_PROPERTIES: dict[str, tuple[str, float, float]] = {
    "sigma_ref_s_per_cm": ("S/cm", 1e-14, 10.0),
    "reference_temperature_c": ("°C", -100.0, 400.0),
    "activation_energy_ev": ("eV", 0.01, 2.0),
    "vft_pseudo_activation_k": ("K", 1.0, 1e5),
    "vft_vogel_temperature_k": ("K", 0.0, 500.0),
    "density_g_per_cm3": ("g/cm³", 0.3, 12.0),
    "youngs_modulus_gpa": ("GPa", 1e-4, 1000.0),
    "shear_modulus_gpa": ("GPa", 1e-4, 1000.0),
    "modulus_porosity_coefficient": ("-", 0.0, 50.0),
    "strength_mpa": ("MPa", 0.01, 5000.0),
    "strength_area_cm2": ("cm²", 1e-4, 1e4),
    "weibull_modulus": ("-", 1.0, 100.0),
    "fracture_toughness_mpa_m05": ("MPa m^0.5", 0.01, 50.0),
    "ccd_ma_per_cm2": ("mA/cm²", 0.0, 1000.0),
    "transference_number": ("-", 0.0, 1.0),
    "particle_radius_nm": ("nm", 0.1, 1e5),
    "interphase_thickness_nm": ("nm", 0.01, 1e4),
}

PROCESS_PROPERTIES: dict[str, tuple[str, float, float]] = {
    "min_thickness_um": ("µm", 1e-3, 5000.0),
    "max_thickness_um": ("µm", 1e-3, 5000.0),
    "mrl": ("-", 1.0, 10.0),
    "processing_temperature_c": ("°C", -50.0, 2500.0),
    "relative_density_max": ("-", 0.3, 1.0),
    "defect_size_um": ("µm", 1e-4, 1000.0),
    # σ_membrane/σ_pellet (tradeoffs §4); an amorphous room-temperature film of a crystalline
    # conductor lies three decades down
    "membrane_conductivity_factor": ("-", 1e-5, 3.0),
    # a process whose membrane runs over rollers (scalability roll_to_roll): the smallest roller
    # it is bent over and the web tension it is pulled with (objectives/handling.py)
    "roller_radius_mm": ("mm", 1.0, 5000.0),
    "web_tension_n_per_mm": ("N/mm", 1e-4, 100.0),
}
# process properties only a roll-to-roll process has (every other property: every process)
ROLLER_PROPERTIES = ("roller_radius_mm", "web_tension_n_per_mm")

# the cell's cathode (cell.cathode_coating in a study config) against each electrolyte
CATHODE_COATINGS = ("linbo3", "none")

# per (coating, electrolyte family or material): the Li-side interface the coating makes
COATING_PROPERTIES: dict[str, tuple[str, float, float]] = {
    "interfacial_resistance_ohm_cm2": ("Ω cm²", 0.0, 1e6),
    "ccd_ma_per_cm2": ("mA/cm²", 0.0, 1000.0),
    "layer_thickness_um": ("µm", 1e-3, 100.0),  # an interlayer that is a layer of another material
}

# short-circuit mechanisms beyond random pinholes (objectives/shorts.py) and the numbers each reads,
# per electrolyte family or material (short_circuit.csv); a family without a mechanism's row is not
# assessed for it (no source shows the mechanism there), an empty value is unknown
SHORT_MECHANISMS: dict[str, tuple[str, ...]] = {
    "percolation": ("percolation_relative_density",),
    "flaw": ("weibull_modulus", "test_area_cm2"),
    "capacity": ("threshold_capacity_mah_per_cm2", "weibull_modulus"),
    "protrusion": ("protrusion_amplification", "weibull_modulus"),
}
SHORT_PROPERTIES: dict[str, tuple[str, float, float]] = {
    "percolation_relative_density": ("-", 0.3, 0.999),
    "weibull_modulus": ("-", 0.5, 100.0),
    "test_area_cm2": ("cm²", 1e-3, 1e3),
    "threshold_capacity_mah_per_cm2": ("mAh/cm²", 1e-3, 1e3),
    "protrusion_amplification": ("-", 0.0, 100.0),
}

LAW_PARAMETERS = {
    "arrhenius_sigma": ("sigma_ref_s_per_cm", "reference_temperature_c", "activation_energy_ev"),
    "arrhenius_sigma_t": ("sigma_ref_s_per_cm", "reference_temperature_c", "activation_energy_ev"),
    "vft": (
        "sigma_ref_s_per_cm",
        "reference_temperature_c",
        "vft_pseudo_activation_k",
        "vft_vogel_temperature_k",
    ),
    "composite": (),
}

FILES = {
    "materials": "materials.csv",
    "material_properties": "material_properties.csv",
    "processes": "processes.csv",
    "process_properties": "process_properties.csv",
    "coatings": "coatings.csv",
    "coating_properties": "coating_properties.csv",
    "cathode_interfaces": "cathode_interfaces.csv",
    "short_circuit": "short_circuit.csv",
    "stability": "stability.csv",
    "families": "composition_families.csv",
    "family_measurements": "family_measurements.csv",
}

# the long tables: one number per row, with its evidence
PROPERTY_COLUMNS = (
    "property",
    "value",
    "low",
    "high",
    "grade",
    "range_basis",
    "condition",
    "source",
    "note",
)

COLUMNS = {
    "materials": (
        "material_id",
        "name",
        "family",
        "formula",
        "temperature_law",
        "atmosphere",
        "atmosphere_status",
        "atmosphere_source",
        "matrix_id",
        "filler_id",
        "sigma_ref_form",
        # the processes that made an as-made sheet or film σ_ref (';'-separated; required for
        # them: that σ already holds their cost, and another process would make another
        # material); empty for a pellet value: every process of the family
        "processes",
        "source",
    ),
    "material_properties": ("material_id", *PROPERTY_COLUMNS),
    "processes": (
        "process_id",
        "name",
        "families",
        "architecture",
        "atmosphere",
        "scalability",
        "status",
        "source",
    ),
    # applies_to: empty (every family the process makes), one of those families, or a material of
    # one: a demonstrated window, density or sheet factor differs per family (thin tape-cast
    # garnet is not thin wet-coated sulfide); the most specific row wins
    "process_properties": ("process_id", "applies_to", *PROPERTY_COLUMNS),
    "coatings": (
        "coating_id",
        "name",
        "family",
        "cures",
        "cure_source",
        "layer_material_id",
        "layer_source",
    ),
    # applies_to: an electrolyte family (every material of it) or one material id, which then
    # overrides its family's row (e.g. Li | LGPS-type differs from Li | argyrodite)
    "coating_properties": ("coating_id", "applies_to", *PROPERTY_COLUMNS),
    # the cathode side: per (cell cathode coating, electrolyte family or material)
    "cathode_interfaces": ("cathode_coating", "applies_to", *PROPERTY_COLUMNS),
    # per (short-circuit mechanism, electrolyte family or material)
    "short_circuit": ("mechanism", "applies_to", *PROPERTY_COLUMNS),
    "families": (
        "family_id",
        "name",
        "template",
        "x_min",
        "x_max",
        "oxidation_states",
        "parent_material_id",
        "range_source",
        "trend_source",
        "note",
    ),
    "family_measurements": (
        "family_id",
        "x",
        "composition",
        "sigma_s_per_cm",
        "temperature_c",
        "form",
        "thickness_um",
        "source",
    ),
    "stability": (
        "material_id",
        "li_side",
        "li_side_status",
        "li_side_source",
        "cathode_side",
        "cathode_side_status",
        "cathode_side_source",
        "note",
    ),
}

MEASUREMENT_FORMS = ("pellet", "membrane", "sheet", "thin_film")
