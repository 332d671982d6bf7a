"""No dependency fetches data on its own (issues 26 and 27): every loader reads local files with the
network switched off, and no package that downloads at run time (`obelix-data`) or that nothing uses
(`plotly`) is a dependency of ssemo or imported by it."""

import ast
import re
import socket
import tomllib
import urllib.request

import pytest

from surrogates import datasets
from tests.conftest import CONFIGS, REPO
from tests.surrogates.test_datasets import OBELIX_ALL, cubic_cif, write_tarball

FORBIDDEN = ("obelix", "obelix_data", "plotly")  # import names
FORBIDDEN_DISTRIBUTIONS = ("obelix-data", "plotly")


class NetworkUsed(AssertionError):
    pass


@pytest.fixture
def no_network(monkeypatch):
    """Any socket, connection or name lookup raises NetworkUsed (so a download fails loudly)."""

    def refuse(*args, **kwargs):
        raise NetworkUsed(f"network access attempted: {args[:2]!r}")

    class RefusedSocket(socket.socket):
        def __init__(self, *args, **kwargs):
            refuse(*args)

    monkeypatch.setattr(socket, "socket", RefusedSocket)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


def test_the_guard_refuses_a_download(no_network):
    with pytest.raises(NetworkUsed):
        urllib.request.urlopen("https://raw.githubusercontent.com/NRC-Mila/OBELiX/main/README.md")
    with pytest.raises(NetworkUsed):
        socket.socket()


def _obelix(folder):
    folder.mkdir()
    (folder / "all.csv").write_text(OBELIX_ALL)
    (folder / "test_idx.csv").write_text("ID\nddd\n")
    write_tarball(
        folder / "all_cifs.tar.gz", {"aaa": cubic_cif(4.0, [("Li", 0, 0, 0), ("O", 0.5, 0.5, 0.5)])}
    )
    return folder


LOCAL_FILES = {  # loader name -> (file name, content); a folder for OBELiX
    "curated": (
        "curated.csv",
        "composition,family,temperature,temperature_unit,sigma,sigma_unit,source\n"
        "Li7La3Zr2O12,garnet,25,C,1.0,mS/cm,paper A\n",
    ),
    "obelix": ("obelix", _obelix),
    "liverpool": (
        "liverpool.csv",
        "ID,composition,temperature,target,family,source\n1,Li7La3Zr2O12,25,1e-4,garnet,10.1/x\n",
    ),
    "laskowski": (
        "laskowski.csv",
        "Structure,σ(RT)(S cm-1),Ea (eV),space group,DOI\nLi3PS4,1e-4,0.3,62,10.1/y\n",
    ),
    "mchaffie": (
        "mchaffie.csv",
        "compound,conductivity_siemens_per_cm,conductivity_doi,lowest_extrapolation_temperature_K\n"
        "Li3PS4,1e-4,10.1/z,na\n",
    ),
    "bradford": (
        "bradford.csv",
        "smiles,conductivity,mw,salt smiles,molality,temperature\n"
        "[Cu]SCCSCCOCCCCOC[Au],-4.18,6884.2,O=S(=O)([N-]S(=O)(=O)C(F)(F)F)C(F)(F)F.[Li+],0.45,117.4\n",
    ),
    "kang": (
        "kang.csv",
        "Formula,Type,Ionic conductivity (S/cm),Spacegroup,Source\nLi3PS4,sulfide,1e-4,62,10.1/k\n",
    ),
    "literature": ("literature_conductivity.csv.gz", CONFIGS / "data"),  # the shipped table
}


def test_every_loader_has_a_local_case():
    assert set(LOCAL_FILES) == set(datasets.LOADERS)


@pytest.mark.parametrize("name", sorted(datasets.LOADERS))
def test_every_loader_reads_local_files_without_the_network(name, tmp_path, no_network):
    file_name, content = LOCAL_FILES[name]
    if callable(content):
        path = content(tmp_path / file_name)
    elif isinstance(content, str):
        path = tmp_path / file_name
        path.write_text(content, encoding="utf-8")
    else:
        path = content / file_name
    result = datasets.LOADERS[name](path)
    assert len(result.rows) > 0, result.rejects
    if name == "obelix":  # the CIFs are read too (structure descriptors), still offline
        assert result.rows["li_li_min_distance_a"].notna().sum() == 1


def test_a_missing_obelix_folder_is_an_error_not_a_download(tmp_path, no_network):
    with pytest.raises(datasets.DataError, match="never downloads"):
        datasets.load_obelix(tmp_path / "obelix")
    assert not (tmp_path / "obelix").exists()


def test_pipeline_reads_its_inputs_without_the_network(no_network):
    """What `make run` reads before it optimizes: the config, the catalog, the shipped training data
    (curated table + literature table), and the example designs, compositions and measurements."""
    from pipeline.campaign.store import read_measurements
    from pipeline.prediction import read_prediction_input
    from pipeline.study.catalog import load_catalog
    from pipeline.study.config import load_config, load_train_config
    from pipeline.study.designs import read_designs
    from pipeline.training import load_training_data

    config = load_config(CONFIGS / "default.yaml")
    catalog = load_catalog(config.catalog_dir())
    data = load_training_data(load_train_config(CONFIGS / "train_default.yaml"))
    assert data.counts["literature"] > 500 and data.counts["curated"] > 0
    examples = CONFIGS / "examples"
    assert len(read_designs(examples / "designs.csv", catalog).good_rows) > 0
    assert len(read_prediction_input(examples / "compositions.csv", 25.0)[1]) > 0
    assert len(read_measurements(examples / "measurements.csv", catalog).rows) > 0


@pytest.mark.shared_data
def test_every_literature_dataset_loads_offline(shared_data, monkeypatch, no_network):
    """configs/train_full.yaml: every dataset of ../shared/data that `ssemo train` can read."""
    from pipeline.study.config import load_train_config
    from pipeline.training import load_training_data

    monkeypatch.setenv("SSEMO_SHARED_DATA", str(shared_data.resolve()))
    data = load_training_data(load_train_config(CONFIGS / "train_full.yaml"))
    assert data.counts["obelix"] + data.counts["obelix_rejected"] == 478  # training split only


def _imports(path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
        elif (  # importlib.import_module("x") / __import__("x") with a literal name
            isinstance(node, ast.Call)
            and getattr(node.func, "attr", getattr(node.func, "id", ""))
            in ("import_module", "__import__")
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            names.add(node.args[0].value.split(".")[0])
    return names


def test_no_module_imports_a_downloading_or_unused_package():
    checked = 0
    for package in ("pipeline", "surrogates", "objectives", "scripts", "benchmarks"):
        for path in (REPO / package).rglob("*.py"):
            bad = _imports(path) & set(FORBIDDEN)
            assert not bad, f"{path.relative_to(REPO)} imports {sorted(bad)}"
            checked += 1
    assert checked > 30


def _distribution(requirement: str) -> str:
    """The normalized distribution name of a requirement line ('obelix_data>=1.2' -> 'obelix-data')."""
    name = re.split(r"[\s;\[<>=!~]", requirement.strip(), maxsplit=1)[0]
    return re.sub(r"[-_.]+", "-", name).lower()


def _lock_entries() -> dict[str, str]:
    """{distribution: its requirements.lock entry (pin, hashes and the `# via` lines)}."""
    entries: dict[str, str] = {}
    name = ""
    for line in (REPO / "requirements.lock").read_text(encoding="utf-8").splitlines():
        if re.match(r"[A-Za-z0-9]", line):
            name = _distribution(line)
            entries[name] = ""
        if name:
            entries[name] += line + "\n"
    return entries


def test_they_are_not_dependencies():
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = [
        *project["dependencies"],
        *(d for group in project["optional-dependencies"].values() for d in group),
    ]
    assert not {_distribution(d) for d in declared} & set(FORBIDDEN_DISTRIBUTIONS)
    entries = _lock_entries()
    assert "numpy" in entries and "--hash=sha256:" in entries["numpy"]  # the parse found the pins
    assert "obelix-data" not in entries
    # plotly stays locked only as a requirement of pymatgen-core (Requires-Dist: plotly>=5.0)
    # that ssemo itself never imports (test above)
    for name in FORBIDDEN_DISTRIBUTIONS:
        assert "ssemo (pyproject.toml)" not in entries.get(name, ""), entries[name]
