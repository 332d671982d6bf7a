import pandas as pd
import pytest

from pipeline.cli import main
from tests.conftest import CONFIGS

BAD_ROW_CSV = """material,process,coating,thickness_um,relative_density,filler_fraction
LLZO,tape_casting,ald_al2o3,20,0.97,
LLZ0,tape_casting,ald_al2o3,20,0.97,
Li6PS5Cl,wet_coating,li3n,abc,0.9,
Li6PS5Cl,sputtering,li3n,30,0.9,
PEO-LiTFSI+LLZO,wet_coating,none,20,1.0,0.2
"""


def test_evaluate_scores_good_rows_and_names_bad_ones(tmp_path, capsys):
    designs = tmp_path / "designs.csv"
    designs.write_text(BAD_ROW_CSV)
    out = tmp_path / "scored.csv"
    code = main(["evaluate", "--designs", str(designs), "--out", str(out)])
    assert code == 1  # some rows rejected, the rest processed
    err = capsys.readouterr().err
    assert "line 3, column 'material': unknown material 'LLZ0' (did you mean 'LLZO'?)" in err
    assert "line 4, column 'thickness_um': expected a number in (0, 10000] µm" in err
    assert "line 5, column 'process': 'sputtering' does not make sulfide membranes" in err
    table = pd.read_csv(out)
    assert list(table["status"]) == ["ok", "rejected", "rejected", "rejected", "ok"]
    assert table.loc[0, "total_asr_ohm_cm2"] > 0
    assert pd.isna(table.loc[1, "total_asr_ohm_cm2"])
    for column in (
        "sigma_membrane_s_per_cm",
        "bulk_asr_ohm_cm2",
        "gravimetric_wh_per_kg",
        "feasible",
    ):
        assert column in table.columns


def test_evaluate_temperature_flag_changes_results(tmp_path):
    designs = tmp_path / "d.csv"
    designs.write_text("material,process,coating,thickness_um\nLi6PS5Cl,wet_coating,li3n,30\n")
    results = {}
    for t in ("-20", "60"):
        out = tmp_path / f"{t}.csv"
        assert (
            main(["evaluate", "--designs", str(designs), "--temperature-c", t, "--out", str(out)])
            == 0
        )
        results[t] = pd.read_csv(out).loc[0, "bulk_asr_ohm_cm2"]
    assert results["60"] < results["-20"]


def test_example_designs_all_score(tmp_path):
    out = tmp_path / "ex.csv"
    assert (
        main(
            ["evaluate", "--designs", str(CONFIGS / "examples" / "designs.csv"), "--out", str(out)]
        )
        == 0
    )
    assert (pd.read_csv(out)["status"] == "ok").all()


def test_bad_config_exits_2_with_key(tmp_path, capsys):
    designs = tmp_path / "d.csv"
    designs.write_text("material,process,coating,thickness_um\nLLZO,tape_casting,none,30\n")
    code = main(["evaluate", "--designs", str(designs), "--set", "operating.asr_max_ohm_cm2=-1"])
    assert code == 2
    assert "key 'operating.asr_max_ohm_cm2'" in capsys.readouterr().err


def test_missing_designs_file_and_columns(tmp_path, capsys):
    assert main(["evaluate", "--designs", str(tmp_path / "none.csv")]) == 2
    assert "no such designs file" in capsys.readouterr().err
    bad = tmp_path / "cols.csv"
    bad.write_text("material,thickness\nLLZO,3\n")
    assert main(["evaluate", "--designs", str(bad)]) == 2
    assert "missing column(s) process, coating, thickness_um" in capsys.readouterr().err


def test_help_and_bad_flag(capsys):
    with pytest.raises(SystemExit) as ok:
        main(["evaluate", "--help"])
    assert ok.value.code == 0
    assert "--temperature-c" in capsys.readouterr().out
    with pytest.raises(SystemExit) as bad:
        main(["evaluate", "--designs", "x.csv", "--temperature-c", "hot"])
    assert bad.value.code == 2


def test_validate_config_and_catalog_commands(capsys, default_config, catalog):
    from pipeline.study.space import build_space

    config = str(CONFIGS / "default.yaml")
    assert main(["validate-config", config]) == 0
    n_options = build_space(catalog, default_config).n_options
    assert capsys.readouterr().out.splitlines() == [
        f"{config}: {n_options} valid material/process/coating options",
        f"{config}: valid; catalog {catalog.directory} with {len(catalog.material_ids)} materials, "
        f"{len(catalog.process_ids)} processes, {len(catalog.coating_ids)} coatings "
        f"({len(catalog.assumptions()) + 1} values marked as assumptions).",  # + LLZO | LLZO layer
    ]
    assert main(["catalog", "assumptions"]) == 0
    assert "assumption" not in capsys.readouterr().err


def test_catalog_evidence_lists_the_stacks_internal_interfaces(capsys, catalog):
    """layer_interfaces.csv sits beside the catalog's tables: its numbers are listed with the
    others (table 'layer'), the unknown ones as unknown and the co-sintered LLZO | LLZO interface
    among the assumptions; a catalog folder without the file lists none."""
    assert main(["catalog", "evidence"]) == 0
    lines = [ln.split() for ln in capsys.readouterr().out.splitlines()]
    layer = [ln for ln in lines if ln[0] == "layer"]
    n_rows = len((catalog.directory / "layer_interfaces.csv").read_text().strip().splitlines()) - 1
    assert len(layer) == n_rows > 0
    assert ["layer", "LLZO", "polymer", "interfacial_resistance_ohm_cm2", "9000"] in [
        ln[:5] for ln in layer
    ]
    assert any(ln[1:3] == ["halide", "sulfide"] and "unknown" in ln for ln in layer)
    assert main(["catalog", "assumptions"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert any(ln.split()[:3] == ["layer", "LLZO", "LLZO"] for ln in out)


def test_a_catalog_without_layer_interfaces_lists_no_layer_rows(catalog_copy):
    from pipeline.study.catalog import load_catalog
    from pipeline.study.stacks import layer_interface_evidence

    (catalog_copy / "layer_interfaces.csv").unlink()
    rows = layer_interface_evidence(load_catalog(catalog_copy))
    assert rows.empty and list(rows.columns) == list(load_catalog(catalog_copy).evidence().columns)


def test_evaluate_says_when_a_density_is_above_what_the_process_has_made(tmp_path, capsys):
    designs = tmp_path / "d.csv"
    designs.write_text(
        "material,process,coating,thickness_um,relative_density\n"
        "LLZO,tape_casting,ald_al2o3,20,0.99\n"
        "LLZO,tape_casting,ald_al2o3,20,\n"  # no density: the process's maximum (0.94)
    )
    out = tmp_path / "scored.csv"
    assert main(["evaluate", "--designs", str(designs), "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert f"warning: {designs}, line 2: relative_density 0.99 is above the densest" in err
    assert "line 3" not in err
    table = pd.read_csv(out)
    assert list(table["relative_density"]) == [0.99, 0.94]
    assert table["extrapolated"].fillna("").tolist() == [
        "relative_density above the process's maximum",
        "",
    ]


def test_evaluate_prints_unknown_not_nan(tmp_path, capsys):
    # Li3InCl6 in the example designs has catalog values graded unknown
    out = tmp_path / "scored.csv"
    designs = CONFIGS / "examples" / "designs.csv"
    assert main(["evaluate", "--designs", str(designs), "--out", str(out)]) == 0
    shown = capsys.readouterr().out
    assert pd.read_csv(out).isna().any().any()  # the file keeps NaN for the unknown values
    assert "unknown" in shown and "NaN" not in shown and "nan" not in shown


def test_a_reader_that_closes_the_pipe_ends_the_command_quietly():
    import subprocess
    import sys

    designs = CONFIGS / "examples" / "designs.csv"
    script = "import sys; from pipeline.cli import main; sys.exit(main(sys.argv[1:]))"
    command = [sys.executable, "-c", script, "evaluate", "--designs", str(designs), "--out"]
    with subprocess.Popen(
        [*command, str(CONFIGS.parent / ".pytest-pipe.csv")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=CONFIGS.parent,
    ) as proc:
        # the reader goes before the first line is written (Python starts in about a second):
        # every write then fails, as the later writes do after `| head -1`
        proc.stdout.close()
        err = proc.stderr.read().decode()
        code = proc.wait(timeout=300)
    (CONFIGS.parent / ".pytest-pipe.csv").unlink(missing_ok=True)
    assert code == 141, err
    assert "error" not in err and "Traceback" not in err


def test_every_command_that_reads_the_catalog_applies_its_catalog_measurements(tmp_path, capsys):
    """evaluate, validate-config and catalog read the study's catalog_measurements as run does
    (they ignored them: the ASR printed was the prior catalog's)."""
    designs = tmp_path / "d.csv"
    designs.write_text("material,process,coating,thickness_um\nLLZO,ultrafast_sintering,li3n,50\n")
    measured = tmp_path / "m.csv"
    measured.write_text(
        "table,item,applies_to,property,value,sd_log10,sample_id,source\n"
        "cathode,linbo3,oxide,interfacial_resistance_ohm_cm2,300,0.05,C1,our lab\n"
    )
    asr = {}
    for name, extra in (("prior", []), ("measured", ["--set", f"catalog_measurements={measured}"])):
        out = tmp_path / f"{name}.csv"
        assert main(["evaluate", "--designs", str(designs), "--out", str(out), *extra]) == 0
        asr[name] = pd.read_csv(out).loc[0, "total_asr_ohm_cm2"]
    assert asr["measured"] > asr["prior"] + 200  # 11.3 -> ~300 ohm cm2 on the cathode side
    assert "ingested catalog measurement (m.csv)" in capsys.readouterr().err
    gone = ["--set", f"catalog_measurements={tmp_path / 'gone.csv'}"]
    assert main(["validate-config", str(CONFIGS / "default.yaml"), *gone]) == 2
    assert "gone.csv: no such file or folder" in capsys.readouterr().err
    assert main(["catalog", "evidence", "--set", f"catalog_measurements={measured}"]) == 0
    assert "C1 (our lab)" in capsys.readouterr().out


def test_validate_config_checks_a_job_file_as_a_job(tmp_path, capsys):
    """A trial ran validate-config on a job file and got "'retrain_surrogate': unknown key (did you
    mean 'surrogate'?)": a job file is checked as a job, its studies' configs and overrides too."""
    assert main(["validate-config", str(CONFIGS / "jobs" / "nightly.yaml")]) == 0
    out = capsys.readouterr().out
    assert "valid job 'nightly' with 3 studies (default, cold_climate, energy_density_5obj" in out
    job = tmp_path / "job.yaml"
    job.write_text(
        f"studies:\n  - config: {CONFIGS / 'default.yaml'}\n    overrides: [search.seeed=2]\n"
    )
    assert main(["validate-config", str(job)]) == 2
    err = capsys.readouterr().err
    assert "key 'studies[0].overrides'" in err and "did you mean 'seed'" in err
    assert "retrain_surrogate" not in err and err.count("\n") == 1  # one line
