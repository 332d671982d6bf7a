"""A lab's measurements of catalog values: consistent ones narrow the range and move the value,
conflicting ones widen it, bad rows are refused naming the line."""

import numpy as np
import pandas as pd
import pytest

from pipeline.catalog_inputs import read_measurements
from pipeline.errors import CatalogError
from pipeline.study.catalog_measurements import apply_measurements
from pipeline.study.evaluation import DesignBatch, Evaluator

HEADER = "table,item,applies_to,property,value,sd_log10,sample_id,source\n"
LI_SULFIDE = "coating,none,sulfide,interfacial_resistance_ohm_cm2"


def write(tmp_path, rows):
    path = tmp_path / "measured.csv"
    path.write_text(HEADER + "".join(r + "\n" for r in rows))
    return path


def li_sulfide(catalog):
    ev = catalog.evidence()
    hit = (ev["table"] == "coating") & (ev["item"] == "none") & (ev["applies_to"] == "sulfide")
    return ev[hit & (ev["property"] == "interfacial_resistance_ohm_cm2")].iloc[0]


def bare_sulfide_interface_asr(catalog, config) -> float:
    """The interface ASR of a bare Li | Li6PS5Cl wet-coated sheet (40 µm, 97 % dense)."""
    ids = catalog.material_ids.index("Li6PS5Cl"), catalog.process_ids.index("wet_coating")
    batch = DesignBatch(
        material=np.array([ids[0]]),
        process=np.array([ids[1]]),
        coating=np.array([catalog.coating_ids.index("none")]),
        thickness_um=np.array([40.0]),
        relative_density=np.array([0.97]),
        filler_fraction=np.array([0.0]),
    )
    return float(Evaluator(catalog, config)(batch)["interface_asr_ohm_cm2"][0])


def test_a_consistent_measurement_narrows_the_range_and_moves_the_value(
    catalog, default_config, tmp_path
):
    path = write(tmp_path, [f"{LI_SULFIDE},9.0,0.05,S1,our lab 2026-12"])
    updated, lines = apply_measurements(catalog, read_measurements(path, catalog))
    before, after = li_sulfide(catalog), li_sulfide(updated)
    # prior 7.4 within 7-45.4 read as ±2 sd in log10 (sd 0.203 decade); the measurement 9.0 ± 0.05
    # decade dominates: log10 mean = (0.869/0.203² + 0.954/0.05²) / (1/0.203² + 1/0.05²)
    sd0 = (np.log10(45.4) - np.log10(7.0)) / 4
    w0, w1 = 1 / sd0**2, 1 / 0.05**2
    expected = 10 ** ((np.log10(7.4) * w0 + np.log10(9.0) * w1) / (w0 + w1))
    assert after["value"] == pytest.approx(expected)
    assert after["high"] - after["low"] < before["high"] - before["low"]
    assert after["low"] <= after["value"] <= after["high"]
    assert after["grade"] == "measured-primary" and "S1 (our lab 2026-12)" in after["source"]
    assert len(lines) == 1 and "7.4 -> " in lines[0] and "conflict" not in lines[0]
    # and the prediction moves: a bare Li | Li6PS5Cl design's interface ASR
    old = bare_sulfide_interface_asr(catalog, default_config)
    new = bare_sulfide_interface_asr(updated, default_config)
    assert new - old == pytest.approx(expected - 7.4)


def test_conflicting_measurements_widen_the_range(catalog, tmp_path):
    far = write(tmp_path, [f"{LI_SULFIDE},500,0.05,S2,our lab"])
    updated, lines = apply_measurements(catalog, read_measurements(far, catalog))
    after = li_sulfide(updated)
    assert after["high"] >= 10 ** (np.log10(500) + 0.1) * 0.999  # the measurement ±2 sd covered
    assert after["low"] <= 7.0  # the prior range kept
    assert "conflict" in lines[0] and "conflicting" in after["range_basis"]
    # two measurements far apart from each other, both near the prior
    apart = tmp_path / "apart"
    apart.mkdir()
    pair = write(apart, [f"{LI_SULFIDE},7.2,0.02,S3,lab A", f"{LI_SULFIDE},20,0.02,S4,lab B"])
    updated, lines = apply_measurements(catalog, read_measurements(pair, catalog))
    assert "conflict" in lines[0]
    assert li_sulfide(updated)["high"] >= 20


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (
            "coating,none,sulfide,interfacial_resistance,9,0.05,S1,lab",
            r"line 2, column 'property': no coating property 'interfacial_resistance' \(did you "
            r"mean 'interfacial_resistance_ohm_cm2'",
        ),
        (
            "material,LLZOO,,strength_mpa,200,0.05,S1,lab",
            r"line 2, column 'item': no material item 'LLZOO' \(did you mean 'LLZO'",
        ),
        # a strength typed in Pa: outside the property's physical bounds (schema.py)
        (
            "material,LLZO,,strength_mpa,2e8,0.05,S1,lab",
            r"line 2, column 'value': 2e\+08 is outside the physical bounds of strength_mpa "
            r"\[0.01, 5000\] MPa",
        ),
        (f"{LI_SULFIDE},9,1e9,S1,lab", r"line 2, column 'sd_log10': expected at most 1 decade"),
        ("planet,none,sulfide,x,9,0.05,S1,lab", r"line 2, column 'table'"),
        (f"{LI_SULFIDE},nine,0.05,S1,lab", r"line 2, column 'value': expected a number > 0"),
        (f"{LI_SULFIDE},9,0,S1,lab", r"line 2, column 'sd_log10': expected a number > 0"),
        (f"{LI_SULFIDE},-15,0.05,S1,lab", r"column 'value': expected a number > 0, got '-15'"),
        (f"{LI_SULFIDE},9,0.05,S1,", r"line 2, column 'source'"),
    ],
)
def test_a_bad_row_is_refused_naming_the_line(catalog, tmp_path, row, message):
    with pytest.raises(CatalogError, match=message):
        read_measurements(write(tmp_path, [row]), catalog)


def test_no_measurements_change_nothing(catalog):
    same, lines = apply_measurements(catalog, pd.DataFrame())
    assert same is catalog and lines == []


def test_a_study_reads_its_measurements_and_the_report_says_what_changed(tmp_path):
    from pipeline.run import run_study
    from pipeline.study.config import load_config
    from tests.conftest import CONFIGS, FEASIBLE_AT_SMALL_BUDGET

    path = write(tmp_path, [f"{LI_SULFIDE},9.0,0.05,S1,our lab"])
    config = load_config(
        CONFIGS / "default.yaml",
        [
            "search.population_size=20",
            "search.generations=16",
            "tracking.enabled=false",
            "uncertainty.worlds=0",
            f"catalog_measurements={path}",
            *FEASIBLE_AT_SMALL_BUDGET,
        ],
    )
    summary = run_study(config, tmp_path / "out", progress=False)
    report = (tmp_path / "out" / "report.md").read_text()
    assert any("ingested catalog measurement" in w for w in summary["catalog_measurements"])
    assert not any("ingested catalog measurement" in w for w in summary["warnings"])
    assert "## Catalog measurements applied" in report
    assert "coating none on sulfide interfacial_resistance_ohm_cm2: 7.4 -> " in report


def test_an_empty_or_missing_measurement_file_is_named_with_what_was_expected(catalog, tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(CatalogError, match=r"empty\.csv: empty file .*\(catalog_measurements: "):
        read_measurements(empty, catalog)
    with pytest.raises(CatalogError, match=r"gone\.csv: no such file or folder"):
        read_measurements(tmp_path / "gone.csv", catalog)


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        # a standard uncertainty so small its precision overflows (the value became NaN)
        ("material,LLZO,,strength_mpa,190,1e-200,T1,lab", r"column 'sd_log10': expected at least"),
        # 0.5 S/cm at 25 °C: mS/cm typed as S/cm, as the catalog files refuse it
        ("material,LLZO,,sigma_ref_s_per_cm,0.5,0.05,MS1,lab", r"column 'value': 0\.5 S/cm at 25"),
    ],
)
def test_a_measurement_that_would_corrupt_the_catalog_is_refused(catalog, tmp_path, row, expected):
    with pytest.raises(CatalogError, match=r"measured\.csv, line 2, " + expected):
        read_measurements(write(tmp_path, [row]), catalog)


def test_a_measured_window_end_that_closes_the_window_is_refused(catalog, tmp_path):
    path = write(tmp_path, ["process,tape_casting,,min_thickness_um,300,0.01,S1,lab"])
    with pytest.raises(CatalogError, match=r"process 'tape_casting'.*min_thickness_um is 29\d"):
        apply_measurements(catalog, read_measurements(path, catalog))


def test_an_updated_range_stays_within_physical_bounds(catalog, tmp_path):
    # a relative density measured at 1.0: its ±2 sd range would pass 1
    ev = catalog.evidence()
    row = ev[ev["property"] == "relative_density_max"].iloc[0]
    line = f"{row['table']},{row['item']},{row['applies_to'] or ''},relative_density_max,1.0,0.01,D1,lab"
    updated, _ = apply_measurements(catalog, read_measurements(write(tmp_path, [line]), catalog))
    after = updated.evidence().loc[row.name]
    assert after["high"] <= 1.0 and after["value"] <= 1.0 and after["low"] < 1.0


@pytest.mark.parametrize(
    ("header", "row", "expected"),
    [
        (HEADER.strip() + ",value", f"{LI_SULFIDE},9.0,0.05,S1,lab,8.0", r"duplicate column"),
        (HEADER.strip() + ",notes", f"{LI_SULFIDE},9.0,0.05,S1,lab,x", r"unknown column 'notes'"),
        (HEADER.strip(), "", r"no data rows"),
    ],
)
def test_a_study_reads_a_measurement_file_as_strictly_as_ingest(
    catalog, tmp_path, header, row, expected
):
    path = tmp_path / "measured.csv"
    path.write_text(header + "\n" + (row + "\n" if row else ""))
    with pytest.raises(CatalogError, match=expected):
        read_measurements(path, catalog)


def test_an_empty_sample_id_is_refused(catalog, tmp_path):
    path = write(tmp_path, [f"{LI_SULFIDE},9.0,0.05,,lab"])
    with pytest.raises(CatalogError, match=r"line 2, column 'sample_id': required, empty"):
        read_measurements(path, catalog)


def test_a_measurement_of_an_unknown_value_says_it_was_unknown(catalog, tmp_path):
    # bare Li | halide: unknown in the catalog (no number), now measured
    path = write(tmp_path, ["coating,none,halide,interfacial_resistance_ohm_cm2,50,0.05,H1,lab"])
    _, lines = apply_measurements(catalog, read_measurements(path, catalog))
    assert "interfacial_resistance_ohm_cm2: unknown -> 50 (range unknown -> " in lines[0]
    assert "nan" not in lines[0]


@pytest.mark.parametrize(
    ("row", "why"),
    [
        ("material,LLZO,,reference_temperature_c,30,0.01,R1,lab", "a convention"),
        ("process,tape_casting,,mrl,6,0.05,M1,lab", "a manufacturing-readiness judgment"),
        ("process,tape_casting,,processing_temperature_c,-10,0.05,P1,lab", "in °C"),
    ],
)
def test_a_value_the_log_update_cannot_take_as_a_measurement_is_refused(
    catalog, tmp_path, row, why
):
    with pytest.raises(CatalogError, match=rf"line 2, column 'property': .*{why}"):
        read_measurements(write(tmp_path, [row]), catalog)


def test_a_bad_cell_is_named_by_its_line_in_the_file_after_blank_lines_and_a_multiline_cell(
    catalog, tmp_path
):
    # pandas skips blank lines and a quoted source may span two lines: the line named is the
    # file's own (it was the record's position + 2, "line 2" here)
    path = tmp_path / "measured.csv"
    path.write_text(
        HEADER
        + "\n"
        + f'{LI_SULFIDE},9.0,0.05,S1,"our lab,\nnotebook 3"\n'
        + "\n"
        + f"{LI_SULFIDE},abc,0.05,S2,our lab\n"
    )
    with pytest.raises(CatalogError) as raised:
        read_measurements(path, catalog)
    assert "measured.csv, line 6, column 'value'" in str(raised.value)
    good = tmp_path / "good.csv"
    good.write_text(HEADER + "\n\n" + f"{LI_SULFIDE},9.0,0.05,S1,lab\n")
    assert list(read_measurements(good, catalog)["line"]) == [4]


def test_a_quartiles_prior_is_read_as_quartiles_and_the_update_as_bounds(catalog, tmp_path):
    """LLZO's σ range is an interquartile range (range_kind quartiles): for a measurement above
    the value the prior's sd is the split normal's upper half, (log10 high − log10 value) / 0.6745,
    not (log10 high − log10 low) / 4; the updated range is ±2 sd (bounds)."""
    ev = catalog.evidence()
    prior = ev[(ev["item"] == "LLZO") & (ev["property"] == "sigma_ref_s_per_cm")].iloc[0]
    assert prior["range_kind"] == "quartiles"
    path = write(tmp_path, ["material,LLZO,,sigma_ref_s_per_cm,7e-4,0.1,L1,our lab 2026-12"])
    updated, _ = apply_measurements(catalog, read_measurements(path, catalog))
    sd0 = (np.log10(prior["high"]) - np.log10(prior["value"])) / 0.6744897501960817
    w0, w1 = 1 / sd0**2, 1 / 0.1**2
    expected = 10 ** ((np.log10(prior["value"]) * w0 + np.log10(7e-4) * w1) / (w0 + w1))
    ev = updated.evidence()
    after = ev[(ev["item"] == "LLZO") & (ev["property"] == "sigma_ref_s_per_cm")].iloc[0]
    assert after["value"] == pytest.approx(expected)
    assert after["range_kind"] == "bounds" and np.isnan(after["reported_min"])
    assert "prior range as quartiles" in after["range_basis"]
    post_sd = (w0 + w1) ** -0.5
    assert np.log10(after["high"] / after["low"]) == pytest.approx(4 * post_sd)


def test_a_conflict_with_a_quartiles_prior_widens_to_its_two_sd_not_its_quartiles(
    catalog, tmp_path
):
    """A conflicting measurement widens the range to cover the prior's and its own ±2 sd; for a
    quartiles prior the prior's extent is each half's ±2 sd about its value, not its quartiles
    (which hold only the middle half of the reported values)."""
    ev = catalog.evidence()
    prior = ev[(ev["item"] == "LLZO") & (ev["property"] == "sigma_ref_s_per_cm")].iloc[0]
    path = write(tmp_path, ["material,LLZO,,sigma_ref_s_per_cm,1e-2,0.05,L9,far"])
    updated, lines = apply_measurements(catalog, read_measurements(path, catalog))
    ev = updated.evidence()
    after = ev[(ev["item"] == "LLZO") & (ev["property"] == "sigma_ref_s_per_cm")].iloc[0]
    assert "conflict" in lines[0]
    sd_below = (np.log10(prior["value"]) - np.log10(prior["low"])) / 0.6744897501960817
    assert after["low"] == pytest.approx(10 ** (np.log10(prior["value"]) - 2 * sd_below))
    assert after["low"] < prior["low"]


@pytest.mark.parametrize("measured, side", [(3e-5, "high"), (8e-6, "low")])
def test_a_skewed_quartiles_prior_weighs_a_measurement_by_the_half_on_its_side(
    catalog, tmp_path, measured, side
):
    """PEO-LiTFSI's σ quartiles are skewed (9.37e-6, median 1.16e-5, 6.68e-5 S/cm): a measurement
    above the median meets the wide upper half of the prior (sd 1.13 decades) and moves the value
    99 % of the way to it (at sd 0.1 decade); one below meets the narrow lower half (0.14 decade),
    where a quarter of the reported values lie within 0.09 decade of the median, and moves it 65 %
    of the way (the symmetric reading, 0.63 decade on both sides, moved both 98 %)."""
    ev = catalog.evidence()
    prior = ev[(ev["item"] == "PEO-LiTFSI") & (ev["property"] == "sigma_ref_s_per_cm")].iloc[0]
    assert prior["range_kind"] == "quartiles"
    row = f"material,PEO-LiTFSI,,sigma_ref_s_per_cm,{measured},0.1,P1,our lab"
    updated, _ = apply_measurements(catalog, read_measurements(write(tmp_path, [row]), catalog))
    ev = updated.evidence()
    after = ev[(ev["item"] == "PEO-LiTFSI") & (ev["property"] == "sigma_ref_s_per_cm")].iloc[0]
    m0, x = np.log10(prior["value"]), np.log10(measured)
    half = abs(np.log10(prior[side]) - m0) / 0.6744897501960817
    w0, w1 = 1 / half**2, 1 / 0.1**2
    assert np.log10(after["value"]) == pytest.approx((m0 * w0 + x * w1) / (w0 + w1))
    moved = (np.log10(after["value"]) - m0) / (x - m0)
    assert moved == pytest.approx(0.992 if side == "high" else 0.654, abs=0.002)


def test_a_measurement_beyond_the_reported_values_conflicts_with_a_quartiles_prior(
    catalog, tmp_path
):
    """PEO-LiTFSI's highest reported entry is 1.3e-4 S/cm; its upper half (1.13 decades) alone
    would call 1e-2 S/cm, 77 times that, consistent. Beyond the reported values by more than 3 of
    its own sd a measurement conflicts: the ingest notes it as a possible unit slip, and the
    widened range keeps the prior's part within the reported values (not m0 + 2·1.13 decades,
    2.1e-3 S/cm)."""
    from pipeline.study.catalog_measurements import surprises

    ev = catalog.evidence()
    prior = ev[(ev["item"] == "PEO-LiTFSI") & (ev["property"] == "sigma_ref_s_per_cm")].iloc[0]
    row = "material,PEO-LiTFSI,,sigma_ref_s_per_cm,1e-2,0.1,P9,our lab"
    measured = read_measurements(write(tmp_path, [row]), catalog)
    notes = surprises(measured, catalog, ["m.csv, line 2"])
    assert len(notes) == 1 and "a unit slip?" in notes[0]
    assert "quartiles of reported 7.9e-07-0.00013" in notes[0]
    updated, lines = apply_measurements(catalog, measured)
    assert "conflict" in lines[0]
    ev = updated.evidence()
    after = ev[(ev["item"] == "PEO-LiTFSI") & (ev["property"] == "sigma_ref_s_per_cm")].iloc[0]
    assert after["high"] == pytest.approx(10 ** (-2 + 2 * 0.1))
    sd_below = (np.log10(prior["value"]) - np.log10(prior["low"])) / 0.6744897501960817
    assert after["low"] == pytest.approx(10 ** (np.log10(prior["value"]) - 2 * sd_below))
    within = "material,PEO-LiTFSI,,sigma_ref_s_per_cm,1e-4,0.1,P8,our lab"
    inside = read_measurements(write(tmp_path, [within]), catalog)
    assert surprises(inside, catalog, ["m.csv, line 2"]) == []
