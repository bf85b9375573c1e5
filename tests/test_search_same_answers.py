"""The search's same-answers check between two source trees (bench/search_same_answers.py)."""

import hashlib
import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

from search_same_answers import compare, main, snapshot, snapshot_tasks

from solver.arc.holdout import is_held_out
from solver.arc.tasks import load_source
from solver.search import SearchSettings

SETTINGS = {"time_limit_s": 10.0, "max_depth": 3}


def record(candidates, cpu, fits=3, states=100, cut=False):
    return {
        "candidates": candidates,
        "fitting_programs": fits,
        "states": states,
        "cut_by_time": cut,
        "cpu_s": cpu,
        "phase_cpu_s": {"plain.enumeration": cpu / 2, "normalised.enumeration": cpu / 2},
    }


def snapshots():
    before = {
        "a": record([[["rot90(input)", -1.0, "x1"]]], 1.0),
        "b": record([[["crop(input)", -1.0, "x2"]]], 2.0),
        "c": record([[]], 3.0, fits=0, states=50, cut=True),
    }
    after = {
        "a": record([[["rot90(input)", -1.0, "x1"]]], 0.5),  # faster, the same answers
        "b": record([[["flip_h(input)", -1.0, "x3"]]], 1.0),
        "c": record([[]], 1.5, fits=0, states=60, cut=True),
    }
    return {"settings": SETTINGS, "tasks": before}, {"settings": SETTINGS, "tasks": after}


def test_the_task_set_is_fixed_and_holds_studied_training_tasks_only():
    ids = [t.id for t in snapshot_tasks()]
    # Pinned: a change of set (or of the split) would make snapshots of two trees incomparable.
    assert len(ids) == 43 and hashlib.sha1(",".join(ids).encode()).hexdigest()[:16] == "7aa5f08d5dfbeb2c"
    evaluation = {t.id for name in ("arc1/eval", "arc2/eval") for t in load_source(name).tasks}
    assert not any(is_held_out(i) or i in evaluation for i in ids)


def test_compare_names_the_tasks_that_changed_and_the_cpu_ratio():
    before, after = snapshots()
    c = compare(before, after)
    assert c["differing"] == ["b", "c"] and c["answers_differ"] == ["b"] and c["cut_by_time"] == ["c"]
    assert c["cpu_total_s"] == [6.0, 3.0] and c["cpu_ratio"] == 0.5 and c["cpu_median_s"] == [2.0, 1.0]
    assert c["phase_cpu_s"] == [{"enumeration": 6.0}, {"enumeration": 3.0}]
    assert compare(before, before)["differing"] == []


def test_compare_refuses_snapshots_it_cannot_compare():
    before, after = snapshots()
    with pytest.raises(ValueError, match="settings"):
        compare(before, {**after, "settings": {**SETTINGS, "max_depth": 2}})
    with pytest.raises(ValueError, match="different tasks"):
        compare(before, {**after, "tasks": {"a": after["tasks"]["a"]}})


def test_the_comparison_prints_each_task_that_differs(tmp_path, capsys):
    paths = []
    for name, snap in zip(("before", "after"), snapshots()):
        paths.append(tmp_path / f"{name}.json")
        paths[-1].write_text(json.dumps(snap))
    assert main(["compare", *map(str, paths)]) == 0
    out = capsys.readouterr().out
    assert "tasks 3: 2 differ, 1 of them in their answers" in out
    assert "  b: answers\n" in out and "  c: counts only (cut by time)\n" in out and "ratio 0.500" in out


def test_a_snapshot_of_a_tree_equals_itself():
    by_id = {t.id: t for t in snapshot_tasks()}
    tasks = [by_id["60b61512"], by_id["e9614598"]]  # one answered, one with two test inputs unanswered
    settings = SearchSettings(time_limit_s=120.0)  # far from any deadline, so that nothing is cut by time
    first, second = snapshot(tasks, settings), snapshot(tasks, settings)
    assert first["settings"]["time_limit_s"] == 120.0
    records = first["tasks"]
    assert records["60b61512"]["candidates"][0] and len(records["e9614598"]["candidates"]) == 2
    assert all(r["cpu_s"] > 0 and not r["cut_by_time"] for r in records.values())
    assert compare(first, second)["differing"] == []


def test_the_command_line_writes_a_snapshot(tmp_path, capsys):
    out = tmp_path / "snap.json"
    assert main(["snapshot", "--out", str(out), "--limit", "1", "--time-limit", "60"]) == 0
    written = json.loads(out.read_text())
    assert list(written["tasks"]) == ["780d0b14"] and written["settings"]["time_limit_s"] == 60.0
    assert "1 tasks, CPU" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["snapshot", "--out", str(out), "--limit", "0"])
