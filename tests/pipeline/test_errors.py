"""One exception hierarchy: every error ssemo reports to a user derives from SsemoError."""

import pytest

import pipeline.cli as cli
from objectives.errors import SsemoError as RootError
from pipeline.errors import CatalogError, ConfigError, InputError, SsemoError, did_you_mean
from pipeline.jobs.lock import LockedError
from surrogates.chemistry import FormulaError, parse_formula
from surrogates.datasets import DataError
from surrogates.tuning import StudyMismatchError


def test_pipeline_reexports_the_root_of_the_lowest_layer():
    assert SsemoError is RootError
    assert SsemoError.exit_code == 2


@pytest.mark.parametrize("error", [DataError, FormulaError, StudyMismatchError])
def test_surrogates_errors_are_ssemo_errors_and_still_value_errors(error):
    assert issubclass(error, SsemoError)
    assert issubclass(error, ValueError)  # existing `except ValueError` callers keep working
    assert error("x").exit_code == 2


@pytest.mark.parametrize("error", [ConfigError, CatalogError, InputError, LockedError])
def test_pipeline_errors_are_ssemo_errors(error):
    assert issubclass(error, SsemoError)


def test_a_surrogates_error_is_caught_by_except_ssemo_error():
    with pytest.raises(SsemoError, match="unknown element"):
        parse_formula("Li7Xx3")


def test_cli_reports_a_surrogates_error_as_a_message_and_exit_code_2(monkeypatch, capsys):
    def fail(args):
        raise DataError("data.csv: missing column(s) composition")

    monkeypatch.setattr(cli, "cmd_catalog", fail)
    assert cli.main(["catalog", "materials"]) == 2
    assert capsys.readouterr().err == "error: data.csv: missing column(s) composition\n"


def test_did_you_mean_names_the_closest_options():
    assert did_you_mean("retires", ["retries", "studies", "name"]) == " (did you mean 'retries'?)"
    assert did_you_mean("LLZ0", ["LLZO", "LLTO", "LATP"], n=1) == " (did you mean 'LLZO'?)"
    two = did_you_mean("LLZO_Ta", ["LLZO_Al", "LLZO", "Li6PS5Cl"], n=2)
    assert two == " (did you mean 'LLZO' or 'LLZO_Al'?)"  # closest first


def test_did_you_mean_is_empty_when_nothing_is_close():
    assert did_you_mean("xyz", ["thickness_um", "strength_mpa"]) == ""
    assert did_you_mean("a", []) == ""


def test_did_you_mean_accepts_non_strings_and_any_iterable():
    assert did_you_mean(3, {"3": 1, "x": 2}) == " (did you mean '3'?)"  # a YAML key may be a number
    assert did_you_mean("seeds", (f for f in ("seed", "generations"))) == " (did you mean 'seed'?)"
