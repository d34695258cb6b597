"""`ttgen trace` where tests do odd things, and where users pass odd arguments (each case found by
an adversarial review): nothing lost without a word, nothing of the user's touched."""

from __future__ import annotations

import json
from pathlib import Path

from tests.trace.test_trace import PRELUDE, configs, trace


def project(tmp_path: Path, body: str, name: str = "test_edge.py") -> Path:
    (tmp_path / name).write_text(PRELUDE + body)
    return tmp_path


def test_values_that_cannot_be_serialized_never_fail_the_test(tmp_path: Path) -> None:
    project(
        tmp_path,
        """
class Bad:
    def __str__(self):
        raise ValueError("no text for you")


def test_bad_value(device):
    ttnn.relu(x(device), foo=Bad())
    ttnn.relu(x(device, 64))
""",
    )
    done = trace(tmp_path, "--", "test_edge.py")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 passed" in done.stdout
    assert (
        "not recorded, a value could not be serialized: ttnn.relu in test_edge.py::test_bad_value:"
        " ValueError: no text for you"
    ) in done.stdout
    [kept] = configs(tmp_path / "master.json")["ttnn.relu"]
    assert kept["arguments"]["arg0"]["original_shape"] == [1, 1, 32, 64]


def test_calls_outside_tests_and_calls_that_raise_are_counted(tmp_path: Path) -> None:
    project(
        tmp_path,
        """
_device = ttnn.open_device(device_id=0)
ttnn.relu(x(_device))  # at import: belongs to no test


def test_raises(device):
    with pytest.raises(RuntimeError):
        ttnn.add(x(device, 32), x(device, 64))
    ttnn.exp(x(device))
""",
    )
    done = trace(tmp_path, "--", "test_edge.py")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "calls that raised, not recorded: ttnn.add ×1" in done.stdout
    assert "calls outside any test (import, session teardown), not recorded: ttnn.relu ×1" in done.stdout
    assert sorted(configs(tmp_path / "master.json")) == ["ttnn.exp"]


def test_a_call_without_tensor_arguments_still_knows_its_machine(tmp_path: Path) -> None:
    project(tmp_path, "\ndef test_z(device):\n    ttnn.zeros([1, 1, 32, 32], device=device)\n")
    trace(tmp_path, "--", "test_edge.py")
    [z] = configs(tmp_path / "master.json")["ttnn.zeros"]
    assert z["executions"][0]["machine_info"]["device_series"] == "n150"
    (tmp_path / "test_edge.py").write_text(PRELUDE + "\ndef test_z(device):\n    pass\n")
    done = trace(tmp_path, "--", "test_edge.py")
    assert "0 configurations added, 0 already present, 1 removed" in done.stdout  # no stale execution left


def test_sets_and_default_reprs_keep_a_retrace_a_fixed_point(tmp_path: Path) -> None:
    project(
        tmp_path,
        """
class Thing:
    pass


def test_odd_arguments(device):
    ttnn.relu(x(device), tags={"alpha", "beta", "gamma", "delta"}, thing=Thing())
""",
    )
    trace(tmp_path, "--", "test_edge.py")
    first = (tmp_path / "master.json").read_bytes()
    [relu] = configs(tmp_path / "master.json")["ttnn.relu"]
    assert " at 0x" not in json.dumps(relu["arguments"])
    for _ in range(2):  # a new process, a new string-hash seed, new object addresses
        done = trace(tmp_path, "--", "test_edge.py")
        assert "; unchanged" in done.stdout and (tmp_path / "master.json").read_bytes() == first


def test_a_renamed_test_takes_its_executions_with_it(tmp_path: Path) -> None:
    body = "\ndef test_one(device):\n    ttnn.relu(x(device))\n\n\ndef test_two(device):\n    ttnn.exp(x(device))\n"
    project(tmp_path, body)
    trace(tmp_path, "--", "test_edge.py")
    project(tmp_path, body.replace("test_one", "test_renamed"))
    done = trace(tmp_path, "--", "test_edge.py", "-k", "two")  # test_renamed is deselected, not gone
    assert "executions of test_edge.py::test_one dropped: the test no longer exists" in done.stdout
    assert sorted(configs(tmp_path / "master.json")) == ["ttnn.exp"]  # relu: no test left that calls it
    done = trace(tmp_path, "--", "test_edge.py")
    [relu] = configs(tmp_path / "master.json")["ttnn.relu"]
    assert [e["source"] for e in relu["executions"]] == ["test_edge.py::test_renamed"]


def test_a_removed_configurations_id_is_not_given_to_a_new_one(tmp_path: Path) -> None:
    project(tmp_path, "\ndef test_one(device):\n    ttnn.relu(x(device))\n")
    trace(tmp_path, "--", "test_edge.py")
    project(tmp_path, "\ndef test_one(device):\n    ttnn.relu(x(device, 64))\n")
    trace(tmp_path, "--", "test_edge.py")
    [relu] = configs(tmp_path / "master.json")["ttnn.relu"]
    assert relu["config_id"] == 2 and relu["arguments"]["arg0"]["original_shape"][-1] == 64


def test_keep_never_deletes_what_is_not_a_trace(tmp_path: Path) -> None:
    project(tmp_path, "\ndef test_one(device):\n    ttnn.relu(x(device))\n")
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("precious")
    done = trace(tmp_path, "--keep", "mine", "--", "test_edge.py")
    assert done.returncode == 2 and "refusing to touch it" in done.stderr
    assert (mine / "notes.txt").read_text() == "precious"
    done = trace(tmp_path, "--keep", ".", "--", "test_edge.py")
    assert done.returncode == 2 and (tmp_path / "test_edge.py").is_file()
    done = trace(tmp_path, "--keep", "test_edge.py", "--", "test_edge.py")
    assert done.returncode == 2 and "not a folder" in done.stderr
    for _ in range(2):  # a fresh folder, then the same one again: an earlier trace is replaced
        done = trace(tmp_path, "--keep", "calls", "--", "test_edge.py")
        assert done.returncode == 0, done.stdout + done.stderr
    folders = [p for p in (tmp_path / "calls").iterdir() if p.is_dir()]
    assert len(folders) == 1 and (folders[0] / "1_ttnn_relu.json").is_file()


def test_pytest_arguments_mean_what_they_mean_in_a_plain_run(tmp_path: Path) -> None:
    project(
        tmp_path, "\ndef test_one(device):\n    ttnn.relu(x(device))\n\n\ndef test_bad(device):\n    assert False\n"
    )
    (tmp_path / "tests").mkdir()  # a namespace package named like one of ttgen's own
    (tmp_path / "tests" / "helpers.py").write_text("VALUE = 3\n")
    (tmp_path / "tests" / "test_uses_helpers.py").write_text(
        PRELUDE
        + "\nfrom tests.helpers import VALUE\n\n\ndef test_helper(device):\n    ttnn.exp(x(device, 32 * VALUE))\n"
    )
    done = trace(tmp_path, "--", "test_edge.py", "tests", "--deselect", "test_edge.py::test_bad", "--junitxml=rep.xml")
    assert done.returncode == 0, done.stdout + done.stderr
    assert (tmp_path / "rep.xml").is_file()
    assert sorted(configs(tmp_path / "master.json")) == ["ttnn.exp", "ttnn.relu"]


def test_parallel_workers_are_refused(tmp_path: Path) -> None:
    """Under pytest-xdist each worker hears only its share: `-n` is a usage error (an option of
    that name, declared here as xdist declares it, stands in for the plugin)."""
    project(tmp_path, "\ndef test_one(device):\n    ttnn.relu(x(device))\n")
    (tmp_path / "conftest.py").write_text(
        'def pytest_addoption(parser):\n    parser.addoption("--numprocesses", dest="numprocesses", type=int)\n'
    )
    done = trace(tmp_path, "--", "--numprocesses", "2", "test_edge.py")
    assert done.returncode == 2 and "run it without -n" in done.stdout + done.stderr
    assert not (tmp_path / "master.json").exists()


def test_an_unreadable_master_fails_before_any_test_runs(tmp_path: Path) -> None:
    project(tmp_path, "\ndef test_one(device):\n    open('ran', 'w').close()\n")
    (tmp_path / "master.json").write_text("{not json")
    done = trace(tmp_path, "--", "test_edge.py")
    assert done.returncode == 2 and "master.json" in done.stderr and done.stderr.count("\n") == 1
    assert not (tmp_path / "ran").exists()


def test_a_string_spelled_like_a_float_stays_a_string(tmp_path: Path) -> None:
    project(
        tmp_path,
        "\ndef test_one(device):\n    ttnn.relu(x(device), label='nan', scale=float('nan'), top=float('-inf'))\n",
    )
    done = trace(tmp_path, "--", "test_edge.py")
    assert done.returncode == 0, done.stdout + done.stderr
    [relu] = configs(tmp_path / "master.json")["ttnn.relu"]
    args = relu["arguments"]
    assert (args["label"], args["scale"], args["top"]) == ({"type": "str", "value": "nan"}, "nan", "-inf")
