"""The material / process / interface catalog (configs/catalog/*.csv), validated at load.

Every number that enters an objective or a constraint lives in one of four long tables
(material_properties.csv, process_properties.csv, coating_properties.csv, cathode_interfaces.csv)
and carries its evidence: value, a plausible range (low, high), an evidence grade (GRADES), the
basis of the range and its source. An unknown value stays unknown (empty value, grade 'unknown'):
the study's `constraints.unknown` policy decides, never a point guess. Loading checks every cell —
units via the property name, ranges, families that exist, processes that apply, required parameters
of each temperature law — and reports *all* bad cells at once as `file, line N, column 'c': ...`.

One module per table (materials, processes, interfaces, families), each with its small loader and
typed record; schema.py holds what the files contain, evidence.py the evidence of a number,
model.py the assembled Catalog and loader.py load_catalog.
"""

from pipeline.study.catalog.checks import finite_float
from pipeline.study.catalog.evidence import Evidence
from pipeline.study.catalog.loader import load_catalog
from pipeline.study.catalog.model import Catalog
from pipeline.study.catalog.schema import (
    ARCHITECTURES,
    ATMOSPHERES,
    CATHODE_COATINGS,
    COATING_PROPERTIES,
    COLUMNS,
    CURES,
    FAMILIES,
    FILES,
    GRADES,
    LAW_PARAMETERS,
    MATERIAL_PROPERTIES,
    MEASUREMENT_FORMS,
    PROCESS_PROPERTIES,
    PROPERTY_COLUMNS,
    RANGE_KINDS,
    SCALABILITY,
    SIGMA_REF_FORMS,
    STABILITY_CLASSES,
    STATUSES,
    TEMPERATURE_LAWS,
    UNKNOWN,
)

__all__ = [
    "ARCHITECTURES",
    "ATMOSPHERES",
    "CATHODE_COATINGS",
    "COATING_PROPERTIES",
    "COLUMNS",
    "CURES",
    "FAMILIES",
    "FILES",
    "GRADES",
    "LAW_PARAMETERS",
    "MATERIAL_PROPERTIES",
    "MEASUREMENT_FORMS",
    "PROCESS_PROPERTIES",
    "PROPERTY_COLUMNS",
    "RANGE_KINDS",
    "SCALABILITY",
    "SIGMA_REF_FORMS",
    "STABILITY_CLASSES",
    "STATUSES",
    "TEMPERATURE_LAWS",
    "UNKNOWN",
    "Catalog",
    "Evidence",
    "finite_float",
    "load_catalog",
]
