"""`ttgen diff OLD NEW`: per-op configurations added / removed / unchanged and the generated files
that change, checked against sets computed here from the raw JSON (config_hash fields)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from tests.conftest import EMBEDDED_MASTER, UPSTREAM, needs_shared
from ttgen.analyze.diff import MasterDiff, diff_document, diff_masters, render_markdown, render_text
from ttgen.cli.diff import register

GPT_OSS = UPSTREAM / "sweep_trace_gpt_oss.json"
EXCERPTS = UPSTREAM / "ttnn_master_v2_verbatim_excerpts.json"


def raw_hashes(path: Path) -> dict[str, set[str]]:
    doc = json.loads(path.read_text(encoding="utf-8"))
    return {op: {c["config_hash"] for c in body["configurations"]} for op, body in doc["operations"].items()}


def by_op(d: MasterDiff) -> dict[str, Any]:
    return {o.operation: o for o in d.operations}


def cli() -> typer.Typer:
    # test-local wiring: a root callback keeps `diff` a subcommand, as in ttgen.cli.app
    app = typer.Typer()

    @app.callback()
    def root() -> None:
        pass

    register(app)
    return app


@pytest.fixture(scope="module")
def gpt_oss_pair() -> MasterDiff:
    if not UPSTREAM.is_dir():
        pytest.skip("../shared/fixtures is absent (the real upstream trace fixtures)")
    return diff_masters(GPT_OSS, EXCERPTS)


# --- two real masters -----------------------------------------------------------------------------


@needs_shared
def test_real_pair_matches_the_config_hashes_of_the_raw_json(gpt_oss_pair: MasterDiff) -> None:
    d = gpt_oss_pair
    old, new = raw_hashes(GPT_OSS), raw_hashes(EXCERPTS)
    # every configuration of both files is read, so the raw sets are the whole truth
    assert d.old.rejections == [] and d.new.rejections == []
    assert d.old.configurations == sum(map(len, old.values())) == 132
    assert d.new.configurations == sum(map(len, new.values())) == 11
    ops = by_op(d)
    assert sorted(ops) == sorted(set(old) | set(new))
    for op in ops:
        was, now = old.get(op, set()), new.get(op, set())
        o = ops[op]
        assert {c.config_hash for c in o.added} == now - was, op
        assert {c.config_hash for c in o.removed} == was - now, op
        assert o.unchanged == len(was & now), op
        for c in o.added + o.removed:
            assert c.case_id == c.config_hash[:12]
            assert c.description.startswith(("arg0=", "device=")), c.description
    assert (d.added, d.removed, d.unchanged) == (6, 127, 5)
    assert d.reconciles()


@needs_shared
def test_real_pair_lists_the_files_that_change(gpt_oss_pair: MasterDiff) -> None:
    ops = by_op(gpt_oss_pair)
    files = {op: {f.path: f.status for f in o.files} for op, o in ops.items()}
    # only in the new master: both files appear; only in the old: both go
    assert files["ttnn.zeros"] == {
        "generated/sweeps/ttnn/zeros.py": "added",
        "generated/tests/ttnn/test_zeros.py": "added",
    }
    assert files["ttnn.clamp"] == {
        "generated/sweeps/ttnn/clamp.py": "removed",
        "generated/tests/ttnn/test_clamp.py": "removed",
    }
    # on both sides: the sweep module changes, the pytest file (no case literals) does not
    assert files["ttnn.add"] == {"generated/sweeps/ttnn/add.py": "changed"}
    assert files["ttnn.linear"] == {"generated/sweeps/ttnn/linear.py": "changed"}
    # all_gather_async (its dropped semaphores made afresh) compiles on the old side only: both files go
    assert files["ttnn.experimental.all_gather_async"] == {
        "generated/sweeps/ttnn/experimental/all_gather_async.py": "removed",
        "generated/tests/ttnn/experimental/test_all_gather_async.py": "removed",
    }
    # transformer.* ops exist only in the old master; experimental.* survive (paged_fill_cache)
    old_ops, new_ops = set(raw_hashes(GPT_OSS)), set(raw_hashes(EXCERPTS))
    gone = {op.split(".")[1] for op in old_ops if op.count(".") == 2} - {
        op.split(".")[1] for op in new_ops if op.count(".") == 2
    }
    assert gone == {"transformer"}
    assert {f.path: f.status for f in gpt_oss_pair.support_files} == {
        "generated/sweeps/ttnn/transformer/__init__.py": "removed",
        "generated/tests/ttnn/transformer/__init__.py": "removed",
    }
    assert gpt_oss_pair.manifest_changes
    assert all(not f.path.endswith("MANIFEST.json") for f in gpt_oss_pair.files)


@needs_shared
def test_markdown_has_the_summary_table_and_details(gpt_oss_pair: MasterDiff) -> None:
    md = render_markdown(gpt_oss_pair)
    assert md.startswith("**39 ops changed: +6 configurations, −127**\n")
    assert "| op | added | removed | unchanged | files that change |\n|---|---:|---:|---:|---|\n" in md
    assert "| `ttnn.add` | 2 | 15 | 1 | `generated/sweeps/ttnn/add.py` (changed, +" in md
    assert "<details><summary><code>ttnn.add</code>: +2 −15</summary>" in md
    assert "- `ef611557aa29` `arg0=Tensor(shape=[1, 1, 8, 1], dtype=BFLOAT16" in md
    assert md.count("<details>") == md.count("</details>") == 39
    assert "`generated/MANIFEST.json`" in md
    text = render_text(gpt_oss_pair)
    assert "39 ops changed: +6 configurations, −127; 5 unchanged" in text
    assert "  + ef611557aa29  arg0=Tensor(shape=[1, 1, 8, 1]" in text


@needs_shared
def test_json_has_the_documented_keys(gpt_oss_pair: MasterDiff) -> None:
    doc = json.loads(json.dumps(diff_document(gpt_oss_pair)))
    assert set(doc) == {"old", "new", "out", "mode", "summary", "operations", "support_files", "manifest"}
    side_keys = {"path", "format", "configurations", "parsed", "rejected", "unique_configurations"}
    assert set(doc["old"]) == side_keys | {"rejections", "not_compiled"}
    assert doc["summary"] == {
        "operations": 39,
        "operations_changed": 39,
        "added": 6,
        "removed": 127,
        "unchanged": 5,
        "files_changed": len(gpt_oss_pair.files),
        "manifest_changes": True,
    }
    add = next(o for o in doc["operations"] if o["operation"] == "ttnn.add")
    assert set(add) == {
        "operation",
        "changed",
        "added",
        "removed",
        "unchanged",
        "content_changed",
        "content_changes",
        "rejected",
        "files",
    }
    assert set(add["added"][0]) == {"id", "config_hash", "pointer", "description", "not_compiled"}
    assert set(add["files"][0]) == {"path", "status", "lines_added", "lines_removed"}
    assert add["rejected"] == {"old": 0, "new": 0}
    assert doc["manifest"] == {"path": "generated/MANIFEST.json", "changes": True}
    assert doc["old"]["not_compiled"] == []  # all_gather_async binds: its dropped semaphores are made afresh


# --- synthetic: one configuration of the embedded master changed ----------------------------------


def first_tensor(value: Any) -> dict[str, Any] | None:
    """The first traced tensor (ttgen's serialized form) inside an argument value."""
    if isinstance(value, dict):
        if "original_shape" in value:
            return value
        value = list(value.values())
    if isinstance(value, list):
        for item in value:
            found = first_tensor(item)
            if found is not None:
                return found
    return None


def retrace_one(tmp_path: Path) -> tuple[Path, str, str, str]:
    """A copy of the embedded master with one configuration's first tensor reshaped (and so, as a
    re-trace would, a new config_hash). Returns (path, op, old hash, new hash)."""
    doc = json.loads(EMBEDDED_MASTER.read_text(encoding="utf-8"))
    for op in sorted(doc["operations"]):
        for config in doc["operations"][op]["configurations"]:
            tensor = first_tensor(config["arguments"])
            if tensor is None:
                continue
            tensor["original_shape"] = [*tensor["original_shape"][:-1], tensor["original_shape"][-1] * 2]
            old_hash = config["config_hash"]
            config["config_hash"] = hashlib.sha256(json.dumps(config["arguments"], sort_keys=True).encode()).hexdigest()
            path = tmp_path / "retraced.json"
            path.write_text(json.dumps(doc, indent=2), encoding="utf-8")
            return path, op, old_hash, config["config_hash"]
    raise AssertionError("the embedded master has no traced tensor")


def test_one_changed_configuration_changes_one_sweep_module(tmp_path: Path) -> None:
    new, changed_op, old_hash, new_hash = retrace_one(tmp_path)
    d = diff_masters(EMBEDDED_MASTER, new)
    expected = raw_hashes(EMBEDDED_MASTER)
    for o in d.operations:
        if o.operation == changed_op:
            assert [c.config_hash for c in o.added] == [new_hash]
            assert [c.config_hash for c in o.removed] == [old_hash]
            assert o.unchanged == len(expected[changed_op]) - 1
            assert o.added[0].case_id == new_hash[:12]
        else:
            assert (o.added, o.removed, o.unchanged) == ([], [], len(expected[o.operation])), o.operation
    module = changed_op.removeprefix("ttnn.").replace(".", "/")
    assert [(f.path, f.status) for f in d.files] == [(f"generated/sweeps/ttnn/{module}.py", "changed")]
    assert [o.operation for o in d.changed_operations] == [changed_op]
    assert d.manifest_changes and d.reconciles()


def test_a_master_against_itself_changes_nothing(tmp_path: Path) -> None:
    d = diff_masters(EMBEDDED_MASTER, EMBEDDED_MASTER)
    assert d.changed_operations == [] and d.files == [] and not d.manifest_changes
    assert (d.added, d.removed) == (0, 0) and d.unchanged == d.new.unique > 0
    assert render_markdown(d).startswith("**0 ops changed: +0 configurations, −0**")
    # the same content under another path: headers name one master, so no file differs
    copy_path = tmp_path / "elsewhere" / "master.json"
    copy_path.parent.mkdir()
    copy_path.write_bytes(EMBEDDED_MASTER.read_bytes())
    moved = diff_masters(copy_path, EMBEDDED_MASTER)
    assert moved.files == [] and moved.changed_operations == []


def test_a_configuration_rejected_on_one_side_is_reported_not_dropped(tmp_path: Path) -> None:
    doc = json.loads(EMBEDDED_MASTER.read_text(encoding="utf-8"))
    op = sorted(doc["operations"])[0]
    victim = doc["operations"][op]["configurations"][0]
    victim["not_a_field"] = 1  # unknown fields are rejections
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    d = diff_masters(EMBEDDED_MASTER, path)
    o = by_op(d)[op]
    assert o.rejected_new == 1 and o.rejected_old == 0 and o.changed
    assert [c.config_hash for c in o.removed] == [victim["config_hash"]]
    assert [r.pointer for r in d.new.rejections] == [f"/operations/{op}/configurations/0/not_a_field"]
    assert d.new.configurations == d.new.parsed + 1 and d.reconciles()
    assert "new: rejected" in render_text(d) and "1 rejected when read" in render_markdown(d)


def test_more_executions_of_a_kept_configuration_are_content_changed(tmp_path: Path) -> None:
    doc = json.loads(EMBEDDED_MASTER.read_text(encoding="utf-8"))
    op = sorted(doc["operations"])[0]
    config = doc["operations"][op]["configurations"][0]
    config["executions"][0]["count"] += 5  # same config_hash: a re-trace that ran it more often
    path = tmp_path / "more.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    d = diff_masters(EMBEDDED_MASTER, path)
    o = by_op(d)[op]
    assert (o.added, o.removed) == ([], []) and o.content_changed == [config["config_hash"][:12]]
    # the provenance comment of that case changes (its "×count"), in the sweep module only
    assert [f.status for f in o.files] == ["changed"] and o.files[0].path.startswith("generated/sweeps/")
    assert [x.operation for x in d.changed_operations] == [op]


# --- the command ----------------------------------------------------------------------------------


def test_cli_json_and_markdown(tmp_path: Path) -> None:
    new, changed_op, _, new_hash = retrace_one(tmp_path)
    runner = CliRunner()
    res = runner.invoke(cli(), ["diff", str(EMBEDDED_MASTER), str(new), "--json", "--out", "gen"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["out"] == "gen" and doc["summary"]["added"] == 1 and doc["summary"]["removed"] == 1
    assert [f["path"].split("/")[0] for f in doc["operations"][0]["files"] + doc["support_files"]] in ([], ["gen"])
    changed = [o for o in doc["operations"] if o["changed"]]
    assert [o["operation"] for o in changed] == [changed_op]
    assert changed[0]["added"][0]["id"] == new_hash[:12]
    res = runner.invoke(cli(), ["diff", str(EMBEDDED_MASTER), str(new), "--markdown"])
    assert res.exit_code == 0
    assert res.stdout.startswith("**1 op changed: +1 configuration, −1**")
    assert f"| `{changed_op}` | 1 | 1 |" in res.stdout
    res = runner.invoke(cli(), ["diff", str(EMBEDDED_MASTER), str(new)])
    assert res.exit_code == 0 and "1 op changed" in res.stdout


def test_cli_unreadable_input_is_a_one_line_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"operations": []}', encoding="utf-8")
    res = CliRunner().invoke(cli(), ["diff", str(EMBEDDED_MASTER), str(bad)])
    assert res.exit_code == 2
    assert res.stderr.strip().count("\n") == 0
    assert f"{bad.as_posix()}#/operations" in res.stderr
    res = CliRunner().invoke(cli(), ["diff", str(tmp_path / "missing.json"), str(EMBEDDED_MASTER)])
    assert res.exit_code == 2 and "missing.json: no such file" in res.stderr
