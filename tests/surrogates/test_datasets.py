from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from surrogates import datasets


def test_parse_conductivity_censoring_and_problems():
    assert datasets.parse_conductivity("1.5e-4") == (1.5e-4, False, "")
    assert datasets.parse_conductivity("<1E-10") == (1e-10, True, "")
    assert datasets.parse_conductivity("1.2E−4")[0] == pytest.approx(1.2e-4)  # unicode minus
    assert "not positive" in datasets.parse_conductivity("-3e-4")[2]
    assert "missing" in datasets.parse_conductivity("")[2]
    assert "above any known" in datasets.parse_conductivity("<1E10")[2]  # Laskowski's '<1E10' typo


CURATED = """composition,family,temperature,temperature_unit,sigma,sigma_unit,activation_energy_ev,process,thickness_um,source,note
Li7La3Zr2O12,garnet,25,C,1.0,mS/cm,,,,paper A,
Li6PS5Cl,argyrodite,298.15,K,<1e-10,S/cm,,,,paper B,
Li6PS5Cl,argyrodite,25,C,2e-3,kS/m,,,,paper C,
Li3InCl6,halide,25,F,1e-3,S/cm,,,,paper D,
Li3InCl6,halide,25,C,-1e-3,S/cm,,,,paper E,
NaCl,halide,25,C,1e-9,S/cm,,,,paper F,
Lix2O,oxide,25,C,1e-9,S/cm,,,,paper G,
Li2O,oxide,2000,C,1e-9,S/cm,,,,paper H,
Li2O,oxide,25,C,1e-9,S/cm,,,,,
"""


def test_curated_loader_units_censoring_and_rejects(tmp_path):
    path = tmp_path / "curated.csv"
    path.write_text(CURATED)
    result = datasets.load_curated(path)
    rows, rejects = result.rows, result.rejects
    assert list(rows["composition"]) == ["Li7La3Zr2O12", "Li6PS5Cl"]
    assert rows["log10_sigma"].tolist() == pytest.approx([-3.0, -10.0])  # 1 mS/cm -> 1e-3 S/cm
    assert rows["censored"].tolist() == [False, True]
    assert rows["temperature_k"].tolist() == pytest.approx([298.15, 298.15])
    reasons = dict(zip(rejects["source_row"], rejects["reason"], strict=True))
    assert "unknown conductivity unit 'kS/m'" in reasons[4]
    assert "unknown temperature unit 'F'" in reasons[5]
    assert "not positive" in reasons[6]
    assert "not a Li conductor" in reasons[7]
    assert "unparseable formula" in reasons[8]
    assert "out of range" in reasons[9]
    assert reasons[10] == "no source"
    assert len(rows) + len(rejects) == 9  # nothing dropped silently


def test_merge_reports_duplicates_and_keeps_uncensored():
    rows = pd.DataFrame(
        {
            "composition": ["Li7La3Zr2O12", "Li14La6Zr4O24", "Li2O", "Li2O"],
            "formula_key": ["k1", "k1", "k2", "k2"],
            "family": "",
            "temperature_k": [298.15, 298.4, 298.15, 298.15],
            "log10_sigma": [-3.0, -4.0, -10.0, -9.0],
            "censored": [False, False, True, False],
            "source_doi": ["a", "b", "c", "d"],
            "dataset": ["obelix", "laskowski", "obelix", "mchaffie"],
            "source_row": [1, 2, 3, 4],
            "activation_energy_ev": np.nan,
        }
    )
    merged, report = datasets.merge_duplicates(rows)
    assert report.n_input == 4 and report.n_output == 2 and report.merged_groups == 2
    assert report.by_datasets == {"laskowski+obelix": 1, "mchaffie+obelix": 1}
    by_key = merged.set_index("formula_key")
    assert by_key.loc["k1", "log10_sigma"] == pytest.approx(-3.5)
    assert (
        by_key.loc["k2", "log10_sigma"] == pytest.approx(-9.0) and not by_key.loc["k2", "censored"]
    )
    # the reports behind each row: k1's two, k2's one uncensored (the censored bound is no report)
    assert by_key["n_reports"].to_dict() == {"k1": 2, "k2": 1}
    assert by_key.loc["k1", "log10_sigma_repeat_sd"] == pytest.approx(np.sqrt(0.5))
    assert np.isnan(by_key.loc["k2", "log10_sigma_repeat_sd"])


def test_merge_counts_a_value_copied_between_compilations_once():
    """OBELiX and McHaffie share sources: Li3N's −3.239 is in both. Equal values (to 0.001 decade)
    are one report; the median still takes every row."""
    rows = pd.DataFrame(
        {
            "composition": "Li3N",
            "formula_key": "k",
            "family": "",
            "temperature_k": 298.15,
            "log10_sigma": [-3.23905, -3.68089, -3.23905, -3.52288],
            "censored": False,
            "source_doi": ["a", "b", "a", "c"],
            "dataset": ["obelix", "obelix", "mchaffie", "mchaffie"],
            "source_row": [1, 2, 3, 4],
            "activation_energy_ev": np.nan,
        }
    )
    merged, _ = datasets.merge_duplicates(rows)
    assert merged["n_reports"].tolist() == [3]
    assert merged["log10_sigma_repeat_sd"].iloc[0] == pytest.approx(
        np.std([-3.239, -3.681, -3.523], ddof=1), abs=1e-3
    )
    assert merged["log10_sigma"].iloc[0] == pytest.approx(np.median(rows["log10_sigma"]))
    assert merged["reported_as"].iloc[0] == "Li3N"  # every string the reports were written as
    single, _ = datasets.merge_duplicates(rows.iloc[[0]])
    assert single["n_reports"].tolist() == [1] and single["log10_sigma_repeat_sd"].isna().all()


def test_censoring_policies():
    rows = pd.DataFrame({"log10_sigma": [-10.0, -3.0], "censored": [True, False]})
    assert datasets.apply_censoring(rows, "value", -15)["log10_sigma"].tolist() == [-15.0, -3.0]
    assert datasets.apply_censoring(rows, "bound")["log10_sigma"].tolist() == [-10.0, -3.0]
    assert datasets.apply_censoring(rows, "drop")["log10_sigma"].tolist() == [-3.0]
    with pytest.raises(ValueError, match="policy"):
        datasets.apply_censoring(rows, "ignore")


def test_content_hash_changes_with_data(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text(CURATED)
    rows = datasets.load_curated(path).rows
    h = datasets.content_hash(rows)
    assert h == datasets.content_hash(
        rows.sample(frac=1.0, random_state=1)
    )  # order does not matter
    assert h != datasets.content_hash(rows.assign(log10_sigma=rows["log10_sigma"] + 0.01))


def test_liverpool_missing_family_and_source_stay_empty(tmp_path):
    path = tmp_path / "liverpool.csv"
    path.write_text(
        "ID,composition,temperature,target,family,source\n"
        "1,Li7La3Zr2O12,25,3e-4,Garnet,10.1/x\n"
        "2,Li3PS4,25,1e-4,,\n"
    )
    rows = datasets.load_liverpool(path).rows.set_index("composition")
    assert rows.loc["Li7La3Zr2O12", ["family", "source_doi"]].tolist() == ["garnet", "10.1/x"]
    assert rows.loc["Li3PS4", ["family", "source_doi"]].tolist() == ["", ""]  # not the text "nan"


def test_missing_file_and_columns(tmp_path):
    with pytest.raises(datasets.DataError, match="file not found"):
        datasets.load_liverpool(tmp_path / "none.csv")
    bad = tmp_path / "bad.csv"
    bad.write_text("ID,composition\n1,Li2O\n")
    with pytest.raises(datasets.DataError, match="missing column"):
        datasets.load_liverpool(bad)


OBELIX_ALL = """ID,Reduced Composition,Z,True Composition,Ionic conductivity (S cm-1),Space group,Space group #,a,b,c,alpha,beta,gamma,Family,DOI,Cif ID
aaa,Li7La3Zr2O12,8,Li7La3Zr2O12,3.0E-4,I a -3 d,230,12.97,12.97,12.97,90,90,90,garnet,10.1/x,done
bbb,Li3PO4,4,Li3PO4,<1E-10,P m n 21,31,6.1,5.2,4.9,90,90,90,phosphates,10.1/y,
ccc,Lix2O,1,Lix2O,1e-6,,,,,,,,,oxides,10.1/z,
ddd,Li3InCl6,2,Li3InCl6,1.49e-3,C 1 2/m 1,12,6.4,11.0,6.4,90,110,90,halides,,
"""


def test_obelix_loader_reads_a_local_folder(tmp_path):
    (tmp_path / "all.csv").write_text(OBELIX_ALL)
    (tmp_path / "test_idx.csv").write_text("ID\nddd\n")
    train = datasets.load_obelix(tmp_path, "train")
    assert list(train.rows["source_row"]) == ["aaa", "bbb"]  # ddd is in the test split
    assert train.rows["censored"].tolist() == [False, True]  # '<1E-10' kept as censored
    assert train.rows.loc[1, "log10_sigma"] == pytest.approx(-10.0)  # the bound
    assert train.rows.loc[0, "log10_sigma"] == pytest.approx(np.log10(3.0e-4))
    assert train.rows.loc[0, "space_group_number"] == 230
    assert train.rows.loc[0, ["a", "gamma", "formula_units_per_cell"]].tolist() == [12.97, 90, 8]
    assert train.rows.loc[1, "family"] == "phosphate"
    assert train.rows.loc[0, "temperature_k"] == datasets.ROOM_TEMPERATURE_K
    assert len(train.rejects) == 1 and "formula" in train.rejects["reason"].iloc[0]
    assert train.rejects["source_row"].iloc[0] == "ccc"
    test = datasets.load_obelix(tmp_path, "test")
    assert list(test.rows["source_row"]) == ["ddd"]
    assert test.rows.loc[0, "source_doi"] == ""


def test_obelix_split_ids_are_text_and_test_labels_are_never_read(tmp_path, monkeypatch):
    # IDs that look like numbers stay text ('007' is not 7), so the split cannot silently fail
    lines = OBELIX_ALL.splitlines()
    renamed = [lines[0], *(f"00{i}{line[3:]}" for i, line in enumerate(lines[1:], start=1))]
    (tmp_path / "all.csv").write_text("\n".join(renamed) + "\n")
    (tmp_path / "test_idx.csv").write_text("ID\n004\n")
    assert list(datasets.load_obelix(tmp_path).rows["source_row"]) == ["001", "002"]
    # an evaluator's copy with test.csv (labels included): the split comes from its ID column alone
    (tmp_path / "test.csv").write_text(f"{renamed[0]}\n{renamed[1]}\n")
    columns_read: dict[str, list[str]] = {}
    read_csv = pd.read_csv

    def spy(path, *args, **kwargs):
        frame = read_csv(path, *args, **kwargs)
        columns_read[Path(path).name] = list(frame.columns)
        return frame

    monkeypatch.setattr(datasets.pd, "read_csv", spy)
    train = datasets.load_obelix(tmp_path, "train")
    assert list(train.rows["source_row"]) == ["002", "004"]  # test.csv wins over test_idx.csv
    assert columns_read["test.csv"] == ["ID"]
    assert list(datasets.load_obelix(tmp_path, "test").rows["source_row"]) == ["001"]


def test_obelix_loader_never_downloads(tmp_path):
    with pytest.raises(datasets.DataError, match="never downloads"):
        datasets.load_obelix(tmp_path / "absent")
    assert not (tmp_path / "absent").exists()
    (tmp_path / "all.csv").write_text(OBELIX_ALL)
    with pytest.raises(datasets.DataError, match=r"test\.csv or test_idx\.csv"):
        datasets.load_obelix(tmp_path)
    (tmp_path / "test_idx.csv").write_text("ID\n")
    with pytest.raises(datasets.DataError, match="split must be"):
        datasets.load_obelix(tmp_path, "validation")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["all.csv", "test_idx.csv"]


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("all.csv", OBELIX_ALL.replace("ID,", "Key,", 1), r"all\.csv: missing column\(s\) ID"),
        ("all.csv", OBELIX_ALL.replace(",DOI,", ",Doi,", 1), r"missing column\(s\) DOI"),
        ("all.csv", "", "not a readable OBELiX CSV"),
        ("test_idx.csv", "Key\nddd\n", r"test_idx\.csv: missing column\(s\) ID"),
        ("test_idx.csv", "", "not a readable OBELiX CSV"),
    ],
)
def test_obelix_unreadable_folder_is_a_data_error(tmp_path, name, text, message):
    (tmp_path / "all.csv").write_text(OBELIX_ALL)
    (tmp_path / "test_idx.csv").write_text("ID\nddd\n")
    (tmp_path / name).write_text(text)
    with pytest.raises(datasets.DataError, match=message):
        datasets.load_obelix(tmp_path)


def test_shipped_curated_table_loads_cleanly():
    from tests.conftest import CONFIGS

    result = datasets.load_curated(CONFIGS / "data" / "curated_conductivity.csv")
    assert len(result.rejects) == 0
    assert len(result.rows) >= 20
    assert (result.rows["source_doi"].str.len() > 0).all()


@pytest.mark.shared_data
def test_shared_copies_load_with_expected_counts(shared_data):
    obelix = datasets.load_obelix(shared_data / "obelix")
    assert len(obelix.rows) + len(obelix.rejects) == 478
    assert obelix.rows["censored"].sum() > 20  # '<1E-10' rows kept as censored
    liverpool = datasets.load_liverpool(shared_data / "liverpool_ionics" / "LiIonDatabase.csv")
    assert len(liverpool.rows) + len(liverpool.rejects) == 717
    assert liverpool.rows["temperature_k"].max() > 1000
    laskowski = datasets.load_laskowski(shared_data / "laskowski2023" / "laskowski_with_dois.csv")
    assert len(laskowski.rows) > 1000 and len(laskowski.rejects) > 0
    assert laskowski.rejects["reason"].str.len().min() > 0
    mchaffie = datasets.load_mchaffie(
        shared_data / "mchaffie2025" / "ionic_conductivity_database.csv"
    )
    assert mchaffie.rejects["reason"].str.contains("extrapolated").sum() > 50
    bradford = datasets.load_bradford(
        shared_data / "polymer_electrolyte_bradford2023" / "clean_train_data.csv"
    )
    assert len(bradford.rows) > 8000
    assert (bradford.rows["family"] == "polymer").all()


def test_the_shipped_literature_table_loads_every_row_with_its_dataset():
    from tests.conftest import CONFIGS

    result = datasets.load_literature(CONFIGS / "data" / "literature_conductivity.csv.gz")
    assert len(result.rejects) == 0
    counts = result.rows["dataset"].value_counts().to_dict()
    assert counts == {"obelix": 478, "mchaffie": 368, "kang": 185}  # configs/data/LICENSES.md
    assert result.rows["source_row"].astype(str).str.len().gt(0).all()
    assert result.rows["censored"].sum() > 0  # OBELiX "<1E-10" entries stay censored
    assert result.rows["log10_sigma"].between(*datasets.LOG10_SIGMA_RANGE).all()


def test_the_shipped_table_is_the_conversion_of_the_shared_datasets(shared_data, tmp_path):
    """scripts/build_literature_table.py rebuilds the shipped file byte for byte."""
    import subprocess
    import sys

    from tests.conftest import CONFIGS

    shipped = CONFIGS / "data" / "literature_conductivity.csv.gz"
    before = shipped.read_bytes()
    script = CONFIGS.parent / "scripts" / "build_literature_table.py"
    subprocess.run([sys.executable, str(script), "--shared", str(shared_data)], check=True)
    assert shipped.read_bytes() == before


def test_kang_keeps_li_conductors_only(shared_data):
    result = datasets.load_kang(
        shared_data / "kang2023_sse_328" / "Ionic_conductivity_training_dataset.csv"
    )
    assert len(result.rows) == 185
    assert (result.rejects["reason"] == "not a Li conductor (no Li in the formula)").sum() > 100


# --- Li–Li distances from CIFs (surrogates.structure) ---------------------------------------------


def cubic_cif(
    a: float, sites: list[tuple[str, float, float, float]], occupancy: float = 1.0
) -> str:
    lines = [
        "data_test",
        "_symmetry_space_group_name_H-M 'P 1'",
        "_symmetry_Int_Tables_number 1",
        *(f"_cell_length_{x} {a}" for x in "abc"),
        *(f"_cell_angle_{x} 90" for x in ("alpha", "beta", "gamma")),
        "loop_",
        "_symmetry_equiv_pos_as_xyz",
        "'x, y, z'",
        "loop_",
        "_atom_site_label",
        "_atom_site_type_symbol",
        "_atom_site_fract_x",
        "_atom_site_fract_y",
        "_atom_site_fract_z",
        "_atom_site_occupancy",
    ]
    lines += [f"{el}{i} {el} {x} {y} {z} {occupancy}" for i, (el, x, y, z) in enumerate(sites)]
    return "\n".join(lines) + "\n"


def write_tarball(path, members: dict[str, str]):
    import io
    import tarfile

    with tarfile.open(path, "w:gz") as archive:
        for name, text in members.items():
            data = text.encode()
            info = tarfile.TarInfo(f"all_randomized_cifs/{name}.cif")
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))


def test_li_li_distances_worked_numbers(tmp_path):
    from surrogates.structure import cif_li_li_distances

    # cubic a = 4 A, Li at the corner and the body centre: 2*sqrt(3) = 3.464 A (body diagonal / 2)
    bcc = cubic_cif(4.0, [("Li", 0, 0, 0), ("Li", 0.5, 0.5, 0.5), ("O", 0.5, 0, 0)])
    path = tmp_path / "bcc.cif"
    path.write_text(bcc)
    shortest, mean = cif_li_li_distances(path.read_text())
    assert shortest == pytest.approx(2 * np.sqrt(3), abs=1e-6)
    assert mean == pytest.approx(2 * np.sqrt(3), abs=1e-6)
    # one Li site per cell: its nearest Li is its own image one lattice vector away
    assert cif_li_li_distances(cubic_cif(4.0, [("Li", 0, 0, 0), ("O", 0.5, 0.5, 0.5)])) == (
        pytest.approx(4.0),
        pytest.approx(4.0),
    )
    # partially occupied sites count as Li sites whatever their occupancy
    half = cubic_cif(4.0, [("Li", 0, 0, 0), ("Li", 0.5, 0.5, 0.5)], occupancy=0.5)
    assert cif_li_li_distances(half)[0] == pytest.approx(2 * np.sqrt(3), abs=1e-6)
    # mean over Li sites of the nearest: Li at x = 0 and 0.25 of a 8 x 4 x 4 A cell -> 2 A each
    two = cubic_cif(4.0, [("Li", 0, 0, 0), ("Li", 0.25, 0, 0)]).replace(
        "_cell_length_a 4.0", "_cell_length_a 8.0"
    )
    assert cif_li_li_distances(two) == (pytest.approx(2.0), pytest.approx(2.0))


def test_li_li_distances_missing_path():
    import math

    from surrogates.structure import cif_li_li_distances

    no_li = cif_li_li_distances(cubic_cif(4.0, [("Na", 0, 0, 0), ("Cl", 0.5, 0.5, 0.5)]))
    assert all(math.isnan(v) for v in no_li)
    assert all(math.isnan(v) for v in cif_li_li_distances("data_x\nthis is not a CIF\n"))
    assert all(math.isnan(v) for v in cif_li_li_distances(""))


def test_cif_tarball_reads_only_allowed_ids(tmp_path, monkeypatch):
    import tarfile

    from surrogates import structure

    tarball = tmp_path / "all_cifs.tar.gz"
    bcc = cubic_cif(4.0, [("Li", 0, 0, 0), ("Li", 0.5, 0.5, 0.5)])
    write_tarball(tarball, {"aaa": bcc, "ddd": bcc, "eee": "not a CIF"})
    opened: list[str] = []
    parsed: list[str] = []
    extract = tarfile.TarFile.extractfile
    parse = structure.cif_li_li_distances

    def spy_extract(self, member):
        opened.append(member.name)
        return extract(self, member)

    def spy_parse(text):
        parsed.append(text)
        return parse(text)

    monkeypatch.setattr(tarfile.TarFile, "extractfile", spy_extract)
    monkeypatch.setattr(structure, "cif_li_li_distances", spy_parse)
    out = structure.read_cif_tarball(tarball, {"aaa", "eee", "zzz"})
    assert out["aaa"] == (pytest.approx(2 * np.sqrt(3)), pytest.approx(2 * np.sqrt(3)))
    assert np.isnan(out["eee"]).all()
    assert set(out) == {"aaa", "eee"}  # zzz has no CIF: absent, the caller's missing value
    assert opened == ["all_randomized_cifs/aaa.cif", "all_randomized_cifs/eee.cif"]
    assert len(parsed) == 2  # ddd (outside the allowed set) never extracted nor parsed
    assert structure.read_cif_tarball(tmp_path / "absent.tar.gz", {"aaa"}) == {}


def test_obelix_loader_reads_the_cifs_of_the_loaded_split_only(tmp_path, monkeypatch):
    import tarfile

    (tmp_path / "all.csv").write_text(OBELIX_ALL)
    (tmp_path / "test_idx.csv").write_text("ID\nddd\n")
    bcc = cubic_cif(4.0, [("Li", 0, 0, 0), ("Li", 0.5, 0.5, 0.5)])
    write_tarball(tmp_path / "all_cifs.tar.gz", {"aaa": bcc, "ddd": bcc})
    opened: list[str] = []
    extract = tarfile.TarFile.extractfile

    def spy_extract(self, member):
        opened.append(member.name)
        return extract(self, member)

    monkeypatch.setattr(tarfile.TarFile, "extractfile", spy_extract)
    train = datasets.load_obelix(tmp_path, "train").rows.set_index("source_row")
    assert train.loc["aaa", "li_li_min_distance_a"] == pytest.approx(2 * np.sqrt(3))
    assert train.loc["aaa", "li_li_nn_mean_distance_a"] == pytest.approx(2 * np.sqrt(3))
    assert np.isnan(train.loc["bbb", ["li_li_min_distance_a", "li_li_nn_mean_distance_a"]]).all()
    assert opened == ["all_randomized_cifs/aaa.cif"]  # training never extracts ddd (test split)
    opened.clear()
    # an evaluator's copy with the test split: its rows get their own CIF's descriptors, and
    # loading it opens no training CIF
    test = datasets.load_obelix(tmp_path, "test").rows.set_index("source_row")
    assert test.loc["ddd", "li_li_min_distance_a"] == pytest.approx(2 * np.sqrt(3))
    assert opened == ["all_randomized_cifs/ddd.cif"]


def test_li_li_columns_are_optional_and_validated(tmp_path):
    path = tmp_path / "curated.csv"
    head = "composition,family,temperature,temperature_unit,sigma,sigma_unit,source"
    path.write_text(
        f"{head},li_li_min_distance_a,li_li_nn_mean_distance_a\n"
        "Li7La3Zr2O12,garnet,25,C,1e-4,S/cm,10.1/a,2.5,2.6\n"
        "Li3PS4,thio,25,C,1e-4,S/cm,10.1/b,,\n"
        "Li6PS5Cl,argyrodite,25,C,1e-3,S/cm,10.1/c,25,2.6\n"
        "Li6PS5Br,argyrodite,25,C,1e-3,S/cm,10.1/d,2.0,-1\n"
        "Li6PS5I,argyrodite,25,C,1e-3,S/cm,10.1/e,abc,2.0\n"
    )
    result = datasets.load_curated(path)
    rows = result.rows.set_index("composition")
    assert rows.loc["Li7La3Zr2O12", "li_li_min_distance_a"] == pytest.approx(2.5)
    assert np.isnan(rows.loc["Li3PS4", "li_li_nn_mean_distance_a"])
    reasons = dict(zip(result.rejects["composition"], result.rejects["reason"], strict=True))
    assert "column 'li_li_min_distance_a'" in reasons["Li6PS5Cl"]
    assert "column 'li_li_nn_mean_distance_a'" in reasons["Li6PS5Br"]
    assert "column 'li_li_min_distance_a'" in reasons["Li6PS5I"]
    # a table without the columns (written before they existed) loads: the missing path
    plain = tmp_path / "plain.csv"
    plain.write_text(f"{head}\nLi3PS4,thio,25,C,1e-4,S/cm,10.1/b\n")
    assert datasets.load_curated(plain).rows["li_li_min_distance_a"].isna().all()
    literature = tmp_path / "literature.csv"
    shipped = datasets.load_curated(plain).rows
    shipped.drop(columns=list(datasets.OPTIONAL_EXTRA)).to_csv(literature, index=False)
    old = datasets.load_literature(literature)
    assert len(old.rows) == 1 and old.rows["li_li_min_distance_a"].isna().all()


@pytest.mark.shared_data
def test_shared_obelix_gets_li_li_distances_of_training_cifs(shared_data):
    rows = datasets.load_obelix(shared_data / "obelix").rows
    test_ids = set(pd.read_csv(shared_data / "obelix" / "test_idx.csv", dtype=str)["ID"])
    assert not test_ids & set(rows["source_row"].astype(str))
    has = rows["li_li_min_distance_a"].notna()
    assert 200 < has.sum() < len(rows)  # 254 training CIFs, a few without a Li site
    assert (
        rows.loc[has, "li_li_min_distance_a"] <= rows.loc[has, "li_li_nn_mean_distance_a"]
    ).all()


# --- header and cell checks of the curated table (tester's item 9) ---

CURATED_HEADER = (
    "composition,family,temperature,temperature_unit,sigma,sigma_unit,activation_energy_ev,"
    "process,thickness_um,source,note"
)
GOOD_ROW = "Li7La3Zr2O12,garnet,25,C,1.0,mS/cm,0.3,,,paper A,"


def test_a_misspelled_curated_column_is_refused_naming_file_line_and_column(tmp_path):
    path = tmp_path / "curated.csv"
    path.write_text(CURATED_HEADER + ",activation_energy_eV\n" + GOOD_ROW + ",0.4\n")
    with pytest.raises(datasets.DataError) as caught:
        datasets.load_curated(path)
    message = str(caught.value)
    assert str(path) in message and "line 1, column 12" in message
    assert "unknown column 'activation_energy_eV'" in message
    assert "did you mean 'activation_energy_ev'?" in message


def test_a_duplicate_column_is_refused_not_read_once(tmp_path):
    path = tmp_path / "curated.csv"
    path.write_text(CURATED_HEADER + ",sigma\n" + GOOD_ROW + ",5\n")
    with pytest.raises(datasets.DataError, match=r"line 1, column 12: column 'sigma' appears more"):
        datasets.load_curated(path)
    other = tmp_path / "liverpool.csv"  # an upstream table's columns are its own, but once each
    other.write_text("ID,composition,temperature,target,family,source,target\n1,Li2O,25,1e-4,,,1\n")
    with pytest.raises(datasets.DataError, match=r"column 'target' appears more than once"):
        datasets.load_liverpool(other)


def test_the_shipped_curated_table_has_only_known_columns():
    from tests.conftest import CONFIGS

    result = datasets.load_curated(CONFIGS / "data" / "curated_conductivity.csv")
    assert len(result.rows) == 25 and result.rejects.empty


@pytest.mark.parametrize(
    "ea, thickness, expected",
    [
        ("-5", "", "column 'activation_energy_ev': expected an activation energy in (0, 5] eV"),
        ("abc", "", "column 'activation_energy_ev': expected an activation energy"),
        ("inf", "", "got 'inf'"),
        (
            "",
            "-3",
            "column 'thickness_um': expected a thickness in (0, 10000] µm (or empty), got '-3'",
        ),
        ("", "abc", "column 'thickness_um'"),
    ],
)
def test_a_bad_activation_energy_or_thickness_is_a_reject_with_its_column(
    tmp_path, ea, thickness, expected
):
    path = tmp_path / "curated.csv"
    row = f"Li3InCl6,halide,25,C,1e-3,S/cm,{ea},,{thickness},paper D,"
    path.write_text(CURATED_HEADER + "\n" + GOOD_ROW + "\n" + row + "\n")
    result = datasets.load_curated(path)
    assert list(result.rows["composition"]) == ["Li7La3Zr2O12"]
    assert result.rows["activation_energy_ev"].tolist() == [0.3]
    (reject,) = result.rejects.to_dict("records")
    assert reject["source_row"] == 3 and expected in reject["reason"]


def test_reject_reasons_say_what_the_file_wrote(tmp_path):
    path = tmp_path / "curated.csv"
    path.write_text(
        CURATED_HEADER
        + "\n"
        + "Li2O,oxide,25,C,inf,S/cm,,,,paper A,\n"
        + "Li2O,oxide,-300,C,1e-9,S/cm,,,,paper B,\n"
        + "Li2O,oxide,2000,K,1e-9,S/cm,,,,paper C,\n"
        + "Li2O,oxide,warm,C,1e-9,S/cm,,,,paper D,\n"
        + "Li2O,oxide,,C,1e-9,S/cm,,,,paper E,\n"
    )
    rejects = datasets.load_curated(path).rejects
    reasons = dict(zip(rejects["source_row"], rejects["reason"], strict=True))
    assert reasons[2] == "conductivity 'inf' is not a finite number"
    assert reasons[3].startswith("temperature -300 °C (-26.9 K) out of range")
    assert reasons[4].startswith("temperature 2000 K out of range")
    assert reasons[5] == "column 'temperature': expected a number, got 'warm'"
    assert reasons[6] == "missing temperature"
    assert "not a finite number" in datasets.parse_conductivity("-inf")[2]


def test_the_literature_table_checks_its_columns_and_cells(tmp_path):
    columns = [*datasets.SCHEMA, *datasets.EXTRA]
    row = dict.fromkeys(columns, "")
    row.update(
        composition="Li2O",
        formula_key="x",
        temperature_k="298.15",
        log10_sigma="-5",
        censored="False",
        dataset="kang",
        source_row="3",
        activation_energy_ev="abc",
    )
    path = tmp_path / "literature.csv"
    pd.DataFrame([row], columns=columns).to_csv(path, index=False)
    (reject,) = datasets.load_literature(path).rejects.to_dict("records")
    assert "column 'activation_energy_ev'" in reject["reason"] and "'abc'" in reject["reason"]
    pd.DataFrame([row], columns=columns).assign(thickness_mu="1").to_csv(path, index=False)
    with pytest.raises(datasets.DataError, match="unknown column 'thickness_mu'"):
        datasets.load_literature(path)


def test_a_formula_of_li_alone_is_refused_as_li_metal():
    """Training refuses what predict refuses: Li metal is not a Li-ion conductor."""
    rows = datasets._Rows("curated")
    rows.add(1, "Li", "1e-3", 298.15)
    rows.add(2, "Li3N", "1e-3", 298.15)
    result = rows.result()
    assert list(result.rows["composition"]) == ["Li3N"]
    assert list(result.rejects["reason"]) == [
        "Li metal, not a Li-ion conductor (a formula of Li alone)"
    ]
