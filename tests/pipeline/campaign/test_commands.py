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
    "choice_if_low_design": ["LLZO / ultrafast_sintering / lii_znlix, 52 µm"] * 2,
    "choice_if_high_design": ["Li6PS5Cl / wet_coating / none, 40 µm"] * 2,
}


def test_values_above_the_noise_are_listed_with_their_measurement(tmp_path, capsys):
    path = tmp_path / "measurement_value.csv"
    pd.DataFrame(COLUMNS).to_csv(path, index=False)
    print_catalog_measurements(path)
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "Catalog values worth measuring before choosing (EVPPI above the noise 0.015):"
    assert out[1] == (
        "  cathode linbo3 on oxide interfacial_resistance_ohm_cm2 (assumption, 1–1000) by "
        "impedance of a NMC | LLZO | Li cell: EVPPI 0.04; low -> LLZO / ultrafast_sintering / "
        "lii_znlix, 52 µm, high -> Li6PS5Cl / wet_coating / none, 40 µm"
    )
    assert len(out) == 2  # the value below the noise is not named as worth measuring


def test_when_none_passes_the_noise_the_largest_are_shown_as_such(tmp_path, capsys):
    path = tmp_path / "measurement_value.csv"
    frame = pd.DataFrame(COLUMNS).assign(above_noise=False)
    frame.to_csv(path, index=False)
    print_catalog_measurements(path, top=1)
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("Catalog values worth measuring: none changes which design to make")
    assert out[1].startswith("  cathode linbo3 on oxide")
    assert len(out) == 2


def test_no_worlds_no_ranking(tmp_path, capsys):
    print_catalog_measurements(tmp_path / "measurement_value.csv")
    assert "not assessed (no feasible front" in capsys.readouterr().out
