"""Reading a user's designs CSV: good rows become the batch, every bad cell is named by line and column."""

import numpy as np
import pytest

from pipeline.errors import InputError
from pipeline.study.designs import read_designs

HEADER = "material,process,coating,thickness_um,relative_density,filler_fraction\n"


def names(ids, index) -> list[str]:
    return [ids[i] for i in index]


def write(tmp_path, body: str, header: str = HEADER):
    path = tmp_path / "designs.csv"
    path.write_text(header + body)
    return path


def test_good_rows_are_parsed_into_the_batch(tmp_path, catalog):
    path = write(
        tmp_path,
        "LLZO,tape_casting,ald_al2o3,20,0.97,\n"
        " Li6PS5Cl , wet_coating , li3n , 30 , 0.9 , \n"  # spaces around cells are ignored
        "PEO-LiTFSI+LLZO,wet_coating,none,25,,0.2\n"
        "LATP,tape_casting,,15,,\n",  # empty coating = none, empty optionals = defaults
    )
    parsed = read_designs(path, catalog)
    assert parsed.errors == {}
    np.testing.assert_array_equal(parsed.good_rows, [0, 1, 2, 3])
    b = parsed.batch
    assert names(catalog.material_ids, b.material) == [
        "LLZO",
        "Li6PS5Cl",
        "PEO-LiTFSI+LLZO",
        "LATP",
    ]
    assert names(catalog.process_ids, b.process) == [
        "tape_casting",
        "wet_coating",
        "wet_coating",
        "tape_casting",
    ]
    assert names(catalog.coating_ids, b.coating) == ["ald_al2o3", "li3n", "none", "none"]
    np.testing.assert_array_equal(b.thickness_um, [20.0, 30.0, 25.0, 15.0])
    # default: the process's densest reported membrane (wet coating 0.97, tape casting 0.94)
    np.testing.assert_array_equal(b.relative_density, [0.97, 0.9, 0.97, 0.94])
    np.testing.assert_array_equal(b.filler_fraction, [0.0, 0.0, 0.2, 0.0])  # default 0
    assert list(parsed.table["line"]) == [2, 3, 4, 5]
    assert parsed.table.loc[1, "material"] == "Li6PS5Cl"  # stripped


def test_unknown_material_is_named_with_a_suggestion(tmp_path, catalog):
    path = write(tmp_path, "LLZO,tape_casting,none,20,,\nLLZ0,tape_casting,none,20,,\n")
    parsed = read_designs(path, catalog)
    np.testing.assert_array_equal(parsed.good_rows, [0])
    assert list(parsed.errors) == [1]
    assert parsed.errors[1] == [
        f"{path}, line 3, column 'material': unknown material 'LLZ0' (did you mean 'LLZO'?)"
    ]


def test_unknown_name_far_from_any_gets_no_suggestion(tmp_path, catalog):
    path = write(tmp_path, "Unobtainium,tape_casting,none,20,,\n")
    (message,) = read_designs(path, catalog).errors[0]
    assert message == f"{path}, line 2, column 'material': unknown material 'Unobtainium'"


@pytest.mark.parametrize("thickness", ["abc", "-5", "0", "nan", "inf", "", "1e9", "10000.5"])
def test_thickness_must_be_a_positive_finite_number_up_to_a_centimetre(
    tmp_path, catalog, thickness
):
    path = write(tmp_path, f"LLZO,tape_casting,none,20,,\nLLZO,tape_casting,none,{thickness},,\n")
    parsed = read_designs(path, catalog)
    np.testing.assert_array_equal(parsed.good_rows, [0])
    assert len(parsed.batch.thickness_um) == 1
    assert parsed.errors[1] == [
        f"{path}, line 3, column 'thickness_um': expected a number in (0, 10000] µm, "
        f"got {thickness!r}"
    ]


def test_every_bad_cell_of_a_row_is_reported(tmp_path, catalog):
    path = write(tmp_path, "LLZ0,tape_castng,none,-1,1.5,\n")
    (messages,) = read_designs(path, catalog).errors.values()
    columns = [m.split("column '", 1)[1].split("'", 1)[0] for m in messages]
    assert columns == ["material", "process", "thickness_um", "relative_density"]
    assert all(m.startswith(f"{path}, line 2, column ") for m in messages)
    assert "did you mean 'tape_casting'" in messages[1]


def test_wrong_process_or_coating_for_the_material_names_the_choices(tmp_path, catalog):
    path = write(tmp_path, "Li6PS5Cl,sputtering,li3n,30,,\n")
    (message,) = read_designs(path, catalog).errors[0]
    assert message.startswith(
        f"{path}, line 2, column 'process': 'sputtering' does not make sulfide"
    )
    assert "wet_coating" in message  # one of the processes that does


def test_filler_fraction_only_for_composite_templates(tmp_path, catalog):
    path = write(
        tmp_path, "LLZO,tape_casting,none,20,,0.2\nPEO-LiTFSI+LLZO,wet_coating,none,20,,1\n"
    )
    errors = read_designs(path, catalog).errors
    assert "line 2, column 'filler_fraction': only effective-medium composites" in errors[0][0]
    assert "line 3, column 'filler_fraction': expected a number in [0, 1), got '1'" in errors[1][0]


def test_no_good_row_gives_an_empty_batch(tmp_path, catalog):
    parsed = read_designs(write(tmp_path, "LLZ0,tape_casting,none,20,,\n"), catalog)
    assert len(parsed.good_rows) == 0
    assert len(parsed.batch.material) == 0 and len(parsed.batch.thickness_um) == 0


def test_missing_columns_or_file_are_input_errors(tmp_path, catalog):
    path = write(tmp_path, "LLZO,3\n", header="material,thickness\n")
    with pytest.raises(InputError, match=r"missing column\(s\) process, coating, thickness_um"):
        read_designs(path, catalog)
    with pytest.raises(InputError, match="no such designs file"):
        read_designs(tmp_path / "absent.csv", catalog)
