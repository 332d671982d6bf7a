"""`ssemo suggest` ranks catalog measurements beside compositions (issue 24, item 4): the
measurement_value.csv of the study's plausible worlds, printed with what each outcome would change."""

import pandas as pd

from pipeline.campaign.commands import print_catalog_measurements

COLUMNS = {
    "value": [
        "cathode linbo3 on oxide interfacial_resistance_ohm_cm2",
        "material LLZO strength_mpa",
    ],
    "grade": ["assumption", "measured-secondary"],
    "low": [1.0, 100.0],
    "high": [1000.0, 200.0],
    "measurement": ["impedance of a NMC | LLZO | Li cell", ""],
    "evppi": [0.04, 0.001],
    "noise_95": [0.015, 0.015],
    "above_noise": [True, False],
    "choice_now_design": ["LLZO / ultrafast_sintering / lii_znlix, 60 µm"] * 2,
    "choice_if_low_design": ["LLZO / ultrafast_sintering / lii_znlix, 52 µm"] * 2,
    "choice_if_high_design": ["Li6PS5Cl / wet_coating / none, 40 µm"] * 2,
}


def test_values_above_the_noise_are_listed_with_their_measurement(tmp_path, capsys):
    path = tmp_path / "measurement_value.csv"
    pd.DataFrame(COLUMNS).to_csv(path, index=False)
    print_catalog_measurements(path)
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith(
        "Catalog values worth measuring before choosing (EVPPI above the noise 0.015; EVPPI in "
        "ASF units: 0.01 is 1 % of the objectives' normalization range"
    )
    assert (
        out[1] == "  (now: LLZO / ultrafast_sintering / lii_znlix, 60 µm, the best over the worlds)"
    )
    assert out[2] == (
        "  cathode linbo3 on oxide interfacial_resistance_ohm_cm2 (assumption, 1–1000) by "
        "impedance of a NMC | LLZO | Li cell: EVPPI 0.04; low -> LLZO / ultrafast_sintering / "
        "lii_znlix, 52 µm, high -> Li6PS5Cl / wet_coating / none, 40 µm"
    )
    assert len(out) == 3  # the value below the noise is not named as worth measuring


def test_when_none_passes_the_noise_the_largest_are_shown_as_such(tmp_path, capsys):
    path = tmp_path / "measurement_value.csv"
    frame = pd.DataFrame(COLUMNS).assign(above_noise=False)
    frame.to_csv(path, index=False)
    print_catalog_measurements(path, top=1)
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("Catalog values worth measuring: none changes which design to make")
    assert out[2].startswith("  cathode linbo3 on oxide")
    assert len(out) == 3


def test_a_predicted_sigma_reads_as_decades_about_the_prediction(tmp_path, capsys):
    path = tmp_path / "measurement_value.csv"
    row = {k: v[:1] for k, v in COLUMNS.items()}
    row.update(value=["surrogate Li6.5Ga0.17La3Zr2O12 log10_sigma_decades"], grade=["predicted"])
    row.update(low=[-0.4935], high=[0.4935], measurement=["impedance of a dense pellet"])
    pd.DataFrame(row).to_csv(path, index=False)
    print_catalog_measurements(path)
    line = capsys.readouterr().out.splitlines()[2]
    assert "(predicted, ±0.49 decades about the prediction) by impedance of a dense pellet" in line


def test_blocked_materials_list_what_they_need_together():
    from pipeline.campaign.commands import print_gaps

    gaps = pd.DataFrame(
        {
            "material": ["LGPS", "LGPS", "LATP", "PEO"],
            "measure": ["strength", "CCD", "CCD", "strength"],
            "hv_if_met": [0.036, 0.036, 0.047, 0.0],
        }
    )
    import contextlib
    import io

    with contextlib.redirect_stdout(io.StringIO()) as printed:
        print_gaps(gaps)
    assert printed.getvalue().splitlines() == [
        "2 blocked material(s) would add to the front once measured, e.g.:",
        "  LATP: measure CCD (adds up to 0.047 HV if all are met)",
        "  LGPS: measure strength + CCD (adds up to 0.036 HV if all are met)",
    ]


def test_no_worlds_no_ranking(tmp_path, capsys):
    print_catalog_measurements(tmp_path / "measurement_value.csv")
    assert "not assessed (no feasible front" in capsys.readouterr().out


def test_the_design_chosen_now_says_how_often_it_is_feasible(tmp_path, capsys):
    path = tmp_path / "measurement_value.csv"
    pd.DataFrame({**COLUMNS, "choice_now_p_feasible": [0.41, 0.41]}).to_csv(path, index=False)
    print_catalog_measurements(path)
    out = capsys.readouterr().out.splitlines()
    assert out[1] == (
        "  (now: LLZO / ultrafast_sintering / lii_znlix, 60 µm, the best over the worlds, "
        "feasible in 41% of them)"
    )
