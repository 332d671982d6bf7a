"""Search checkpoints: round trip of arrays and JSON meta (incl. a Generator's state), atomic replace,
clear, and a checkpoint of another study (key mismatch) that is not resumed."""

import signal
import subprocess
import sys

import numpy as np
import pytest

from pipeline.search.checkpoint import Checkpoint
from tests.conftest import REPO


def state_arrays(seed: int = 0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {
        "X": rng.random((6, 4)),
        "F": rng.random((6, 3)),
        "rank": np.arange(6, dtype=np.int64),
        "crowd": np.array([np.inf, 0.5, 0.25, 0.0, 1.0, np.inf]),
        "archive_X": np.empty((0, 4)),  # an empty archive must survive too
    }


def test_round_trip_of_arrays_and_meta(tmp_path):
    ckpt = Checkpoint(tmp_path / "ck", key="study-a")
    arrays = state_arrays()
    meta = {
        "history": [{"generation": 1, "hypervolume": 0.25}, {"generation": 2, "hypervolume": 0.5}],
        "n_evals": 48,
        "stopped": False,
        "name": "Ω cm² µm",  # non-ASCII text survives the JSON bytes
    }
    ckpt.save(arrays, meta)
    assert ckpt.path.is_file()

    loaded = Checkpoint(tmp_path / "ck", key="study-a").load()  # a fresh object, as after a crash
    assert loaded is not None
    got_arrays, got_meta = loaded
    assert set(got_arrays) == set(arrays)
    for name, value in arrays.items():
        np.testing.assert_array_equal(got_arrays[name], value)
        assert got_arrays[name].dtype == value.dtype
        assert got_arrays[name].shape == value.shape
    for key, value in meta.items():
        assert got_meta[key] == value


def test_generator_state_round_trip_continues_the_same_stream(tmp_path):
    rng = np.random.default_rng(2024)
    rng.random(17)  # somewhere in the middle of the stream
    state = rng.bit_generator.state  # PCG64: a 128-bit integer state, beyond a JSON double
    ckpt = Checkpoint(tmp_path, key="k")
    ckpt.save({"X": np.zeros((1, 1))}, {"rng_state": state})
    expected = rng.random(5)  # what the uninterrupted run draws next

    _, meta = ckpt.load()
    assert meta["rng_state"] == state  # exact, not rounded through a float
    resumed = np.random.default_rng()
    resumed.bit_generator.state = meta["rng_state"]
    np.testing.assert_array_equal(resumed.random(5), expected)


def test_save_replaces_the_previous_checkpoint(tmp_path):
    ckpt = Checkpoint(tmp_path, key="k")
    ckpt.save(state_arrays(0), {"generation": 1})
    ckpt.save(state_arrays(1), {"generation": 2})
    arrays, meta = ckpt.load()
    assert meta["generation"] == 2
    np.testing.assert_array_equal(arrays["X"], state_arrays(1)["X"])
    assert list(tmp_path.glob("*.npz")) == [ckpt.path]  # no second checkpoint file left beside it


class _FailsWhileWritten:
    """An array-like whose conversion fails: the save stops half-way through writing the file."""

    def __array__(self, *args, **kwargs):
        raise OSError("No space left on device")


def test_a_write_that_fails_half_way_leaves_the_previous_checkpoint_loadable(tmp_path):
    ckpt = Checkpoint(tmp_path, key="k")
    ckpt.save(state_arrays(0), {"generation": 1})
    with pytest.raises(OSError, match="No space left"):
        ckpt.save({"X": np.ones((1000, 4)), "boom": _FailsWhileWritten()}, {"generation": 2})
    arrays, meta = ckpt.load()
    assert meta["generation"] == 1
    np.testing.assert_array_equal(arrays["X"], state_arrays(0)["X"])


WRITER = """
import sys
sys.path.insert(0, {repo!r})
import numpy as np
from pipeline.search.checkpoint import Checkpoint

ckpt = Checkpoint({directory!r}, key="k")
i = 0
while True:
    i += 1
    # every array holds the generation number, so a torn file would show mixed values
    ckpt.save({{"X": np.full((200_000,), float(i)), "Y": np.full((1000, 3), i)}}, {{"generation": i}})
    if i == 3:
        print("saved", flush=True)
"""


def test_kill_9_during_saves_leaves_a_whole_checkpoint(tmp_path):
    # A process saves 1.6 MB checkpoints in a loop and is killed with SIGKILL while it is writing
    # (three times, each time resuming into the same folder). Whatever generation was last replaced
    # must load whole: meta and every array agree.
    directory = tmp_path / "ck"
    code = WRITER.format(repo=str(REPO), directory=str(directory))
    for _ in range(3):
        writer = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
        try:
            assert writer.stdout.readline().strip() == "saved"  # at least three saves are done
        finally:
            writer.send_signal(signal.SIGKILL)
            writer.communicate(timeout=30)
        loaded = Checkpoint(directory, key="k").load()
        assert loaded is not None
        arrays, meta = loaded
        generation = meta["generation"]
        assert generation >= 3
        assert np.all(arrays["X"] == generation) and arrays["X"].shape == (200_000,)
        assert np.all(arrays["Y"] == generation) and arrays["Y"].shape == (1000, 3)


def test_clear_removes_the_checkpoint_and_is_idempotent(tmp_path):
    ckpt = Checkpoint(tmp_path, key="k")
    ckpt.save(state_arrays(), {"generation": 1})
    assert ckpt.load() is not None
    ckpt.clear()
    assert not ckpt.path.exists()
    assert ckpt.load() is None
    ckpt.clear()  # nothing to remove: no error
    assert ckpt.load() is None


def test_no_checkpoint_yet_loads_as_none(tmp_path):
    assert Checkpoint(tmp_path / "never-written", key="k").load() is None


def test_a_checkpoint_of_another_study_is_not_resumed(tmp_path):
    Checkpoint(tmp_path, key="study-a").save(state_arrays(), {"generation": 7})
    assert Checkpoint(tmp_path, key="study-b").load() is None  # other key: start afresh
    assert Checkpoint(tmp_path).load() is None  # no key is a key too
    # the mismatch did not destroy study-a's checkpoint
    _, meta = Checkpoint(tmp_path, key="study-a").load()
    assert meta["generation"] == 7
