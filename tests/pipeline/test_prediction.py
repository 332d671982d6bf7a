"""`ssemo predict` on user CSVs: good rows predicted, bad rows named by line and column."""

import numpy as np
import pandas as pd
import pytest

from pipeline.errors import InputError
from pipeline.prediction import predict_file


class FakeModel:
    """Stands in for a registered surrogate: log10 σ = -4 + T/1000 (T in K), remembers its inputs."""

    def __init__(self):
        self.calls = []

    def predict_table(self, X, coverage=0.9):
        self.calls.append((X.copy(), coverage))
        mean = -4.0 + X["temperature_k"].to_numpy() / 1000.0
        return pd.DataFrame(
            {
                "log10_sigma_mean": mean,
                "log10_sigma_std": np.full(len(X), 0.25),
                "applicability": np.full(len(X), 0.8),
            },
            index=X.index,
        )


CSV = """composition,temperature_c,thickness_um
Li7La3Zr2O12,25,
Xq2O,25,
Li6PS5Cl,hot,
Li6PS5Cl,60,30
Li3InCl6,25,-5
Li6PS5Cl,-20,
"""


@pytest.fixture
def compositions(tmp_path):
    path = tmp_path / "compositions.csv"
    path.write_text(CSV)
    return path


def test_bad_rows_are_named_by_file_line_and_column(compositions):
    _, errors = predict_file(FakeModel(), compositions, None)
    # positions 1, 2, 4 = file lines 3, 4, 6 (line 1 is the header)
    assert sorted(errors) == [1, 2, 4]
    assert errors[1].startswith(f"{compositions}, line 3, column 'composition': ")
    assert "Xq" in errors[1]  # the unknown element symbol
    assert errors[2].startswith(f"{compositions}, line 4, column 'temperature_c': ")
    assert "'hot'" in errors[2]
    assert errors[4].startswith(f"{compositions}, line 6, column 'thickness_um': ")
    assert "'-5'" in errors[4]


def test_good_rows_are_predicted_and_bad_rows_marked(compositions):
    model = FakeModel()
    out, errors = predict_file(model, compositions, None)
    assert list(out["line"]) == [2, 3, 4, 5, 6, 7]
    assert list(out["status"]) == ["ok", "rejected", "rejected", "ok", "rejected", "ok"]
    assert (out.loc[out["status"] == "ok", "error"] == "").all()
    for pos, message in errors.items():  # the table carries the reason (its line is in 'line')
        assert out.loc[pos, "error"] and message == f"{compositions}, {out.loc[pos, 'error']}"
    # the model saw the good rows only, once, with the per-row temperatures in kelvin
    assert len(model.calls) == 1
    inputs, coverage = model.calls[0]
    assert coverage == 0.9
    assert list(inputs["composition"]) == ["Li7La3Zr2O12", "Li6PS5Cl", "Li6PS5Cl"]
    np.testing.assert_allclose(inputs["temperature_k"], [298.15, 333.15, 253.15])
    # 25 °C = 298.15 K -> log10 σ = -4 + 0.29815 = -3.70185;
    # σ = 10^0.29815 · 1e-4 = 10^0.3 · 10^-0.00185 · 1e-4 = 1.99526 · 0.99575 · 1e-4 = 1.9868e-4 S/cm
    assert out.loc[0, "temperature_k"] == pytest.approx(298.15)
    assert out.loc[0, "log10_sigma_mean"] == pytest.approx(-3.70185)
    assert out.loc[0, "sigma_mean_s_per_cm"] == pytest.approx(1.9868e-4, rel=1e-4)
    # 60 °C = 333.15 K -> -3.66685; -20 °C = 253.15 K -> -3.74685
    assert out.loc[3, "log10_sigma_mean"] == pytest.approx(-3.66685)
    assert out.loc[5, "log10_sigma_mean"] == pytest.approx(-3.74685)
    assert out.loc[[1, 2, 4], "log10_sigma_mean"].isna().all()  # no prediction for bad rows


def test_temperature_flag_overrides_the_file_and_coverage_is_passed(compositions):
    model = FakeModel()
    out, errors = predict_file(model, compositions, 60.0, coverage=0.8)
    # with --temperature-c the 'hot' cell is not read: only the formula and thickness rows fail
    assert sorted(errors) == [1, 4]
    inputs, coverage = model.calls[0]
    assert coverage == 0.8
    np.testing.assert_allclose(inputs["temperature_k"], [333.15] * 4)
    assert out.loc[2, "status"] == "ok"
    assert out.loc[2, "temperature_k"] == pytest.approx(333.15)


def test_a_file_without_a_good_row_is_not_sent_to_the_model(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("composition\nXq2O\n\n")
    model = FakeModel()
    out, errors = predict_file(model, path, None)
    assert model.calls == []
    assert list(errors) == [0]
    assert list(out["status"]) == ["rejected"]


def test_missing_composition_column_and_missing_file_are_input_errors(tmp_path):
    path = tmp_path / "no_comp.csv"
    path.write_text("formula,temperature_c\nLi7La3Zr2O12,25\n")
    with pytest.raises(InputError, match="missing column 'composition'"):
        predict_file(FakeModel(), path, None)
    with pytest.raises(InputError, match="no such input file"):
        predict_file(FakeModel(), tmp_path / "absent.csv", None)


def test_li_li_distances_are_checked_against_their_physical_range():
    from pipeline.prediction import _structure_problem

    for column in ("li_li_min_distance_a", "li_li_nn_mean_distance_a"):
        assert _structure_problem(column, "2.5") is None
        assert _structure_problem(column, "") is None  # unknown: the missing-structure path
        for bad in ("0", "-1", "20", "25", "nan", "abc"):
            assert "Li–Li distance in (0, 20) Å" in _structure_problem(column, bad)


def test_li_free_compositions_and_temperatures_beyond_the_range_are_rejected(tmp_path):
    """The surrogate is trained on Li conductors only (training refuses Li-free rows), so a
    Li-free formula gets no number; a temperature_c beyond [-100, 400] °C, the range the
    --temperature-c flag takes too, is refused by line and column."""
    path = tmp_path / "c.csv"
    path.write_text(
        "composition,temperature_c\nLa2Zr2O7,25\nNa3PS4,25\nLi6PS5Cl,401\nLi6PS5Cl,400\n"
    )
    model = FakeModel()
    out, errors = predict_file(model, path, None)
    assert sorted(errors) == [0, 1, 2]
    assert list(out["status"]) == ["rejected", "rejected", "rejected", "ok"]
    assert errors[0] == (
        f"{path}, line 2, column 'composition': 'La2Zr2O7' has no Li; the surrogate predicts "
        "Li-ion conductors only"
    )
    assert "line 3, column 'composition'" in errors[1]
    assert errors[2] == (
        f"{path}, line 4, column 'temperature_c': expected a number in [-100, 400] °C, got '401'"
    )
    assert list(model.calls[0][0]["composition"]) == ["Li6PS5Cl"]
    with pytest.raises(InputError, match=r"temperature 1000 °C: expected one in \[-100, 400\] °C"):
        predict_file(model, path, 1000)


def test_li_metal_and_a_dotted_hydrate_are_rejected_with_what_to_write(tmp_path):
    """A formula of Li alone is the metal, not an electrolyte (it was predicted at 10^-5.8); a '.'
    between formula parts is a decimal point to the parser, and the message says how to write
    the hydrate (a new user's trial: the bare parser message said only "could not convert")."""
    path = tmp_path / "c.csv"
    path.write_text("composition\nLi\nLiCl.H2O\nLiCl·H2O\n")
    model = FakeModel()
    out, errors = predict_file(model, path, None)
    assert list(out["status"]) == ["rejected", "rejected", "ok"]
    assert errors[0] == (
        f"{path}, line 2, column 'composition': 'Li' is Li metal, an electronic conductor; "
        "expected a Li compound (the surrogate predicts Li-ion conductors)"
    )
    assert errors[1].startswith(f"{path}, line 3, column 'composition': cannot parse formula")
    assert errors[1].endswith("write a hydrate or adduct as 'LiCl·H2O' or 'LiCl*H2O'")


def test_the_temperature_flag_takes_the_same_range_and_kelvin_looking_values_are_named(
    tmp_path, capsys
):
    """--temperature-c 401 is a usage error (exit 2, one line); a prediction at 298 °C, more likely
    298 K typed as °C, runs and says so on stderr."""
    from pipeline import cli

    with pytest.raises(SystemExit) as stop:
        cli.main(["predict", "--input", str(tmp_path / "x.csv"), "--temperature-c", "401"])
    assert stop.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()[-1]
    assert err.endswith(
        "argument --temperature-c: expected a temperature in [-100, 400] °C, got 401.0"
    )
    ok = pd.DataFrame({"temperature_k": [298.15 + 273.15, 298.15]})
    cli._warn_kelvin_looking(ok)
    assert capsys.readouterr().err == (
        "warning: 1 row(s) predicted at 288–313 °C (e.g. 298.15 °C), room temperature if the "
        "numbers were kelvin: temperature_c and --temperature-c are in °C (298 K is 24.85 °C)\n"
    )
    cli._warn_kelvin_looking(ok.iloc[[1]])
    assert capsys.readouterr().err == ""


def test_rows_predicted_as_poor_conductors_get_one_warning(capsys):
    """Below 1e-5 S/cm the model ranks insulators but does not resolve them (every unseen
    material measured below 1e-10 S/cm was predicted at 10^-5.4 or lower): one line says so."""
    from pipeline import cli

    cli._warn_poor_conductors(pd.DataFrame({"log10_sigma_mean": [-3.0, -5.4, -7.1]}))
    err = capsys.readouterr().err
    assert err.startswith("warning: 2 row(s) predicted by the model below 1e-5 S/cm (rows ")
    assert err.count("\n") == 1
    cli._warn_poor_conductors(pd.DataFrame({"log10_sigma_mean": [-3.0, -4.9]}))
    assert capsys.readouterr().err == ""
    # a composition predicted from its own literature reports is not the model's ranking
    reported = pd.DataFrame({"log10_sigma_mean": [-12.8, -7.1], "measured_reports": [3, 0]})
    cli._warn_poor_conductors(reported)
    assert capsys.readouterr().err.startswith("warning: 1 row(s) predicted by the model below")
