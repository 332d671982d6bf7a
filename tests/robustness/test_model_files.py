"""Model files: a crafted skops file cannot run code, a changed file is refused by its hash, and
every other bad model reference is one error line (ssemo predict and ssemo run)."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from tests.robustness.conftest import (
    CONFIGS,
    MODEL_NAME,
    assert_refused,
    model_file,
    outcome,
    running_runs,
)

RUNSTRING = "numpy.testing._private.utils.runstring"  # exec(astr, dict), inside numpy's helpers


def crafted_skops(marker: Path) -> bytes:
    """A skops file whose root node calls numpy.testing's runstring with code that creates
    `marker` (harmless: an empty file in the test's folder), the attack the old prefix list
    ('numpy.') let through."""
    module, name = RUNSTRING.rsplit(".", 1)
    code = f"open({str(marker)!r}, 'w').close()"
    schema = {
        "__class__": name,
        "__module__": module,
        "__loader__": "ConstructorFromReduceNode",
        "content": {
            "__class__": "tuple",
            "__module__": "builtins",
            "__loader__": "TupleNode",
            "content": [
                {
                    "__class__": "str",
                    "__module__": "builtins",
                    "__loader__": "JsonNode",
                    "content": json.dumps(code),
                    "is_json": True,
                    "__id__": 2,
                },
                {
                    "__class__": "dict",
                    "__module__": "builtins",
                    "__loader__": "DictNode",
                    "content": {},
                    "key_types": {
                        "__class__": "list",
                        "__module__": "builtins",
                        "__loader__": "ListNode",
                        "content": [],
                        "__id__": 4,
                    },
                    "__id__": 3,
                },
            ],
            "__id__": 1,
        },
        "__id__": 0,
        "protocol": 2,
        "_skops_version": "0.16.0",
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("schema.json", json.dumps(schema))
    return buffer.getvalue()


def set_hash_tag(uri: str, version: str, path: Path) -> None:
    """An attacker who can write the store too: the recorded hash matches the crafted file, so
    only the allow-list stands between the file and code execution."""
    import mlflow

    from pipeline.reporting.tracking import MODEL_HASH_TAG
    from surrogates.persistence import sha256_file

    client = mlflow.tracking.MlflowClient(tracking_uri=uri, registry_uri=uri)
    client.set_model_version_tag(MODEL_NAME, version, MODEL_HASH_TAG, sha256_file(path))


def test_the_crafted_file_runs_code_under_a_prefix_list_but_not_in_ssemo(tmp_path):
    import skops.io as sio

    from surrogates.persistence import ModelRefusedError, load_model, sha256_bytes

    marker = tmp_path / "marker"
    data = crafted_skops(marker)
    types = sio.get_untrusted_types(data=data)
    assert types == [RUNSTRING]
    # the control: what the old prefix check admitted really executes the file's code
    assert all(t.startswith(("surrogates.", "sklearn.", "numpy.", "scipy.")) for t in types)
    sio.loads(data, trusted=types)
    assert marker.exists()
    marker.unlink()
    # ssemo's loader: the same bytes, with a matching hash, are refused and nothing runs
    path = tmp_path / "model.skops"
    path.write_bytes(data)
    with pytest.raises(ModelRefusedError, match=RUNSTRING):
        load_model(path, sha256_bytes(data), "model x")
    assert not marker.exists()


@pytest.fixture
def crafted_champion(registered, tmp_path):
    """Version 2 of the registered model replaced by the crafted file (hash tag updated too)."""
    import mlflow

    uri, version = registered["uri"], registered["versions"][1]
    path = model_file(uri, version)
    original = path.read_bytes()
    marker = tmp_path / "marker"
    path.write_bytes(crafted_skops(marker))
    set_hash_tag(uri, version, path)
    yield uri, version, marker
    path.write_bytes(original)
    set_hash_tag(uri, version, path)
    mlflow.set_tracking_uri(None)


def test_predict_refuses_the_crafted_model_and_runs_nothing(capsys, crafted_champion, tmp_path):
    uri, version, marker = crafted_champion
    out = tmp_path / "predictions.csv"
    result = outcome(
        capsys,
        [
            "predict",
            "--input",
            CONFIGS / "examples" / "compositions.csv",
            "--tracking-uri",
            uri,
            "--model",
            f"{MODEL_NAME}/{version}",
            "--out",
            out,
        ],
    )
    assert_refused(result, 2, (f"version {version}", RUNSTRING, "allow-list"), absent=(out,))
    assert not marker.exists()


def test_run_refuses_the_crafted_champion_before_searching(capsys, crafted_champion, tmp_path):
    """A study whose surrogate is the crafted model stops with one line, no search, no code run,
    no MLflow run left RUNNING (the surrogate is checked before the run starts)."""
    uri, version, marker = crafted_champion
    store = Path(uri.removeprefix("sqlite:///"))
    out = tmp_path / "out"
    result = outcome(
        capsys,
        [
            "run",
            "--out",
            out,
            "--set",
            f"tracking.tracking_uri={uri}",
            "--set",
            f"surrogate.model=models:/{MODEL_NAME}/{version}",
            "--set",
            "search.generations=2",
        ],
    )
    assert_refused(result, 2, (RUNSTRING, "allow-list"), store=store, outputs=(out,))
    assert "Searching" not in result.err
    assert not marker.exists()
    assert running_runs(store) == []


@pytest.fixture
def changed_model(registered):
    """Version 3's file replaced by version 4's (a valid model with only trusted types) without
    updating the recorded hash: a file changed after registration."""
    uri, versions = registered["uri"], registered["versions"]
    path = model_file(uri, versions[2])
    original = path.read_bytes()
    path.write_bytes(model_file(uri, versions[3]).read_bytes())
    yield uri, versions[2]
    path.write_bytes(original)


def test_a_model_changed_after_registration_is_refused_by_its_hash(capsys, changed_model, tmp_path):
    uri, version = changed_model
    out = tmp_path / "p.csv"
    args = ["predict", "--input", CONFIGS / "examples" / "compositions.csv", "--out", out]
    result = outcome(capsys, [*args, "--tracking-uri", uri, "--model", f"{MODEL_NAME}/{version}"])
    assert_refused(result, 2, (f"version {version}", "SHA-256", "differs"), absent=(out,))


def test_the_untouched_champion_loads_and_predicts(capsys, registered, tmp_path):
    """The control for the refusals above: the same store's champion passes both checks."""
    out = tmp_path / "p.csv"
    result = outcome(
        capsys,
        [
            "predict",
            "--input",
            CONFIGS / "examples" / "compositions.csv",
            "--tracking-uri",
            registered["uri"],
            "--out",
            out,
        ],
    )
    assert result.code == 0, result.err
    assert out.exists()
    # how many literature reports stand behind each row (0: the model's prediction), in the file
    # and in the printed table
    reports = pd.read_csv(out)["measured_reports"]
    assert reports.dtype.kind == "i" and (reports >= 0).all()
    assert "measured_reports" in result.out.splitlines()[0]


def test_predict_flags_temperatures_the_model_never_saw(capsys, registered, tmp_path):
    # the registered model's training rows are at 200 °C or below: at 220 °C σ is an Arrhenius
    # extrapolation, flagged per row and in one warning line (at 288-313 °C a second line asks
    # whether the temperature was kelvin: tests/pipeline/test_prediction.py)
    out = tmp_path / "p.csv"
    args = ["predict", "--input", CONFIGS / "examples" / "compositions.csv", "--out", out]
    result = outcome(capsys, [*args, "--tracking-uri", registered["uri"], "--temperature-c", "220"])
    assert result.code == 0, result.err
    flags = pd.read_csv(out)["temperature_in_training_range"]
    n_outside = int((~flags.astype(bool)).sum())
    assert n_outside == len(flags) > 0
    warning = [line for line in result.err.splitlines() if line.startswith("warning:")]
    assert len(warning) == 1 and f"{n_outside} row(s) outside the temperatures" in warning[0]


BAD_FILES = {
    "not_a_zip": b"this is not a skops file",
    "empty": b"",
    "truncated_zip": None,  # the first half of a real model file
    "json_garbage": None,  # a zip whose schema.json is not JSON
    "builtins_eval": None,  # a tree calling builtins.eval
}


def bad_file_bytes(kind: str, real: bytes) -> bytes:
    if kind == "truncated_zip":
        return real[: len(real) // 2]
    if kind == "json_garbage":
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as z:
            z.writestr("schema.json", "{not json")
        return buffer.getvalue()
    if kind == "builtins_eval":
        schema = json.loads(
            zipfile.ZipFile(io.BytesIO(crafted_skops(Path("/nonexistent")))).read("schema.json")
        )
        schema["__module__"], schema["__class__"] = "builtins", "eval"
        schema["content"]["content"] = schema["content"]["content"][:1]
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as z:
            z.writestr("schema.json", json.dumps(schema))
        return buffer.getvalue()
    return BAD_FILES[kind]


@pytest.mark.parametrize("kind", list(BAD_FILES))
def test_unreadable_or_foreign_model_files_are_refused(kind, tmp_path, registered):
    from surrogates.persistence import ModelRefusedError, load_model, sha256_bytes

    real = model_file(registered["uri"], registered["versions"][0]).read_bytes()
    data = bad_file_bytes(kind, real)
    path = tmp_path / "model.skops"
    path.write_bytes(data)
    with pytest.raises(ModelRefusedError) as err:
        load_model(path, sha256_bytes(data), "model m (version 9)")
    message = str(err.value)
    assert message.startswith("model m (version 9): refused") and "\n" not in message


def test_a_model_without_a_recorded_hash_is_refused(tmp_path, registered):
    from surrogates.persistence import ModelRefusedError, load_model

    path = model_file(registered["uri"], registered["versions"][0])
    with pytest.raises(ModelRefusedError, match="no SHA-256 was recorded"):
        load_model(path, None, "model m")


@pytest.mark.parametrize(
    ("model", "code", "expected"),
    [
        ("no-such-model@champion", 2, "Train one first"),
        (f"{MODEL_NAME}@no-such-alias", 2, "Train one first"),
        (f"{MODEL_NAME}/999", 2, "Train one first"),
        ("runs:/0123/model", 2, "expected models:/<name>@<alias>"),
        ("models:/", 2, "expected models:/<name>@<alias>"),
        ("models:/a/b/c", 2, "expected models:/<name>@<alias>"),
    ],
)
def test_bad_model_references_are_one_line(capsys, registered, tmp_path, model, code, expected):
    out = tmp_path / "p.csv"
    result = outcome(
        capsys,
        [
            "predict",
            "--input",
            CONFIGS / "examples" / "compositions.csv",
            "--tracking-uri",
            registered["uri"],
            "--model",
            model,
            "--out",
            out,
        ],
    )
    assert_refused(result, code, expected, absent=(out,))
