"""Bad rows of design and composition tables, bad table files and bad command-line flags.

A bad row is named on one `rejected:` line by file, line and column, the other rows are processed
and the output is written whole (exit 1); a file that cannot be used at all, or a bad flag, is one
`error:` line (exit 2) and no output file."""

from __future__ import annotations

import pytest

from tests.robustness.conftest import CONFIGS, assert_refused, outcome

DESIGN_HEADER = "material,process,coating,thickness_um,relative_density,filler_fraction"
GOOD_DESIGN = "LLZO,tape_casting,none,30,0.95,0"

BAD_DESIGN_ROWS = [
    ("XX,tape_casting,none,30,0.95,0", "material"),
    ("llzo,tape_casting,none,30,0.95,0", "material"),
    ('=HYPERLINK("http://x"),tape_casting,none,30,0.95,0', "material"),
    (",tape_casting,none,30,0.95,0", "material"),
    ("LLZO,tape_castin,none,30,0.95,0", "process"),
    ("LLZO,,none,30,0.95,0", "process"),
    ("LLZO,tape_casting,gold,30,0.95,0", "coating"),
    ("LLZO,tape_casting,none,-5,0.95,0", "thickness_um"),
    ("LLZO,tape_casting,none,0,0.95,0", "thickness_um"),
    ("LLZO,tape_casting,none,nan,0.95,0", "thickness_um"),
    ("LLZO,tape_casting,none,inf,0.95,0", "thickness_um"),
    ("LLZO,tape_casting,none,-inf,0.95,0", "thickness_um"),
    ("LLZO,tape_casting,none,thirty,0.95,0", "thickness_um"),
    ("LLZO,tape_casting,none,,0.95,0", "thickness_um"),
    ("LLZO,tape_casting,none,1e400,0.95,0", "thickness_um"),
    ("LLZO,tape_casting,none,30,0.2,0", "relative_density"),
    ("LLZO,tape_casting,none,30,1.5,0", "relative_density"),
    ("LLZO,tape_casting,none,30,nan,0", "relative_density"),
    ("LLZO,tape_casting,none,30,dense,0", "relative_density"),
    ("LLZO,tape_casting,none,30,0.95,1.0", "filler_fraction"),
    ("LLZO,tape_casting,none,30,0.95,-0.1", "filler_fraction"),
    ("LLZO,tape_casting,none,30,0.95,nan", "filler_fraction"),
    ("LLZO,tape_casting,none,30,0.95,0.3", "filler_fraction"),  # not a composite template
]


@pytest.mark.parametrize(("row", "column"), BAD_DESIGN_ROWS)
def test_bad_design_rows_are_named_and_the_rest_scored(capsys, tmp_path, row, column):
    import pandas as pd

    designs = tmp_path / "designs.csv"
    designs.write_text(f"{DESIGN_HEADER}\n{GOOD_DESIGN}\n{row}\n")
    out = tmp_path / "results" / "scored.csv"
    result = outcome(capsys, ["evaluate", "--designs", designs, "--out", out])
    assert_refused(
        result,
        1,
        (str(designs), "line 3", f"column '{column}'"),
        marker="rejected:",
        outputs=(out.parent,),
    )
    table = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert list(table["status"]) == ["ok", "rejected"]
    # spreadsheet-safe output: no text cell starts a formula
    for cell in table.to_numpy().ravel():
        assert not str(cell).startswith(("=", "@")), cell


def test_a_file_of_only_bad_rows_prints_each_and_writes_no_crash(capsys, tmp_path):
    designs = tmp_path / "designs.csv"
    designs.write_text(f"{DESIGN_HEADER}\n{BAD_DESIGN_ROWS[0][0]}\n{BAD_DESIGN_ROWS[7][0]}\n")
    out = tmp_path / "scored.csv"
    result = outcome(capsys, ["evaluate", "--designs", designs, "--out", out])
    # nothing could be scored: the file is the problem (2), not some of its rows (1)
    assert result.code == 2 and "Traceback" not in result.err
    assert len([line for line in result.err.splitlines() if "rejected:" in line]) == 2
    assert "no row could be scored" in result.err
    assert out.exists()


BAD_DESIGN_FILES = {
    "header_only": (f"{DESIGN_HEADER}\n", "no data rows"),
    "empty": ("", "not a readable CSV"),
    "duplicate_column": (
        "material,process,coating,thickness_um,thickness_um\nLLZO,tape_casting,none,30,40\n",
        "column 'thickness_um' appears twice",
    ),
    "misspelled_column": (
        "material,process,coating,thickness_um,relative_densty\nLLZO,tape_casting,none,30,0.5\n",
        "unknown column 'relative_densty' (did you mean 'relative_density'?)",
    ),
    "missing_column": ("material,process,coating\nLLZO,tape_casting,none\n", "missing column"),
    "not_utf8": (b"material,process,coating,thickness_um\nLLZ\xd6,a,b,1\n", "not UTF-8"),
    "ragged": (
        "material,process,coating,thickness_um\nLLZO,tape_casting,none,30,1,2,3\n",
        "line 2: 7 fields, the header has 4",
    ),
    "binary": (b"\x00\x01\x02\x03PK\x03\x04", "designs.csv"),
}


@pytest.mark.parametrize("case", list(BAD_DESIGN_FILES))
def test_unusable_design_files_are_one_error_line(capsys, tmp_path, case):
    text, expected = BAD_DESIGN_FILES[case]
    designs = tmp_path / "designs.csv"
    designs.write_bytes(text if isinstance(text, bytes) else text.encode())
    out = tmp_path / "scored.csv"
    result = outcome(capsys, ["evaluate", "--designs", designs, "--out", out])
    assert_refused(result, 2, (str(designs), expected), absent=(out,))


@pytest.mark.parametrize("case", ["a_folder", "missing", "too_large"])
def test_design_paths_that_are_not_files(capsys, tmp_path, case, monkeypatch):
    import pipeline.study.designs as designs_module

    path = {"a_folder": tmp_path, "missing": tmp_path / "absent.csv"}.get(case)
    if case == "too_large":
        monkeypatch.setattr(designs_module, "MAX_INPUT_BYTES", 100)
        path = tmp_path / "big.csv"
        path.write_text(f"{DESIGN_HEADER}\n" + f"{GOOD_DESIGN}\n" * 10)
    out = tmp_path / "scored.csv"
    result = outcome(capsys, ["evaluate", "--designs", path, "--out", out])
    assert_refused(result, 2, str(path), absent=(out,))


# --- compositions for ssemo predict --------------------------------------------------------------

PREDICT_HEADER = "composition,temperature_c,space_group_number,a,b,c,alpha,beta,gamma,thickness_um"
GOOD_COMPOSITION = "Li7La3Zr2O12,25,230,12.97,12.97,12.97,90,90,90,"

BAD_COMPOSITION_ROWS = [
    ("Li-1O2,25,,,,,,,,", "composition"),
    ("Li" + "7La3Zr2O12" * 30 + ",25,,,,,,,,", "composition"),
    ("Xq2O,25,,,,,,,,", "composition"),
    (",25,,,,,,,,", "composition"),
    ("nan,25,,,,,,,,", "composition"),
    ("=cmd|' /C calc'!A0,25,,,,,,,,", "composition"),
    ("Li3PS4,warm,,,,,,,,", "temperature_c"),
    ("Li3PS4,-500,,,,,,,,", "temperature_c"),
    ("Li3PS4,nan,,,,,,,,", "temperature_c"),
    ("Li3PS4,inf,,,,,,,,", "temperature_c"),
    ("Li3PS4,25,0,,,,,,,", "space_group_number"),
    ("Li3PS4,25,231,,,,,,,", "space_group_number"),
    ("Li3PS4,25,62.5,,,,,,,", "space_group_number"),
    ("Li3PS4,25,62,-5,6,8,90,90,90,", "a"),
    ("Li3PS4,25,62,5,0,8,90,90,90,", "b"),
    ("Li3PS4,25,62,5,6,inf,90,90,90,", "c"),
    ("Li3PS4,25,62,5,6,8,200,90,90,", "alpha"),
    ("Li3PS4,25,62,5,6,8,90,0,90,", "beta"),
    ("Li3PS4,25,62,5,6,8,90,90,nan,", "gamma"),
    ("Li3PS4,25,62,5,6,8,90,90,90,-3", "thickness_um"),
]


@pytest.mark.parametrize(("row", "column"), BAD_COMPOSITION_ROWS)
def test_bad_composition_rows_are_named(capsys, tmp_path, registered, row, column):
    import pandas as pd

    path = tmp_path / "compositions.csv"
    path.write_text(f"{PREDICT_HEADER}\n{GOOD_COMPOSITION}\n{row}\n")
    out = tmp_path / "predictions.csv"
    args = ["predict", "--input", path, "--tracking-uri", registered["uri"], "--out", out]
    result = outcome(capsys, args)
    assert_refused(
        result,
        1,
        (str(path), "line 3", f"column '{column}'"),
        marker="rejected:",
        outputs=(tmp_path,),
    )
    table = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert list(table["status"]) == ["ok", "rejected"]
    for cell in table.to_numpy().ravel():
        assert not str(cell).startswith(("=", "@", "+")), cell


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("formula,temperature_c\nLi3PS4,25\n", "missing column 'composition'"),
        ("composition\n", "no data rows"),
        ("composition,temprature_c\nLi3PS4,25\n", "unknown column 'temprature_c'"),
        ("composition,composition\nLi3PS4,Li3PS4\n", "appears twice"),
    ],
)
def test_unusable_composition_files(capsys, tmp_path, registered, text, expected):
    path = tmp_path / "compositions.csv"
    path.write_text(text)
    out = tmp_path / "predictions.csv"
    args = ["predict", "--input", path, "--tracking-uri", registered["uri"], "--out", out]
    assert_refused(outcome(capsys, args), 2, (str(path), expected), absent=(out,))


def test_a_long_formula_is_refused_at_once():
    """A megabyte formula used to occupy pymatgen's parser for about 10 s."""
    import time

    from surrogates.chemistry import FormulaError, parse_formula

    started = time.perf_counter()
    with pytest.raises(FormulaError, match="longer than the 200 allowed"):
        parse_formula("Li" * 500_000)
    assert time.perf_counter() - started < 0.5


# --- command-line flags ----------------------------------------------------------------------------

BAD_FLAGS = [
    (["frobnicate"], "invalid choice"),
    (["evaluate"], "--designs"),
    (["evaluate", "--designs", "x.csv", "--temperature-c", "warm"], "--temperature-c"),
    (["evaluate", "--designs", "x.csv", "--temperature-c", "nan"], "--temperature-c"),
    (["evaluate", "--designs", "x.csv", "--temperature-c", "inf"], "--temperature-c"),
    (["evaluate", "--designs", "x.csv", "--temperature-c", "1000"], "--temperature-c"),
    (["predict"], "--input"),
    (["predict", "--input", "x.csv", "--temperature-c", "-300"], "--temperature-c"),
    (["run", "--origin", "../x"], "--origin"),
    (["run", "--origin", ""], "--origin"),
    (["run", "--bogus"], "unrecognized arguments"),
    (["job"], "ACTION"),
    (["job", "run"], "job"),
    (["catalog", "everything"], "invalid choice"),
    (["validate-config"], "config"),
]


@pytest.mark.parametrize(("args", "expected"), BAD_FLAGS)
def test_bad_flags_are_one_usage_error(capsys, args, expected):
    assert_refused(outcome(capsys, args), 2, expected)


def test_the_examples_still_work(capsys, tmp_path):
    """The control for the refusals above: the shipped example designs all score."""
    out = tmp_path / "scored.csv"
    result = outcome(
        capsys,
        ["evaluate", "--designs", CONFIGS / "examples" / "designs.csv", "--out", out],
    )
    assert result.code == 0, result.err
    assert out.exists()
