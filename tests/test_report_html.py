"""The run report page without a browser: vote replay, grid drawing, page content, cache, rebuild."""

import json
import re

import numpy as np
import pytest
from hypothesis import given

from solver import report as report_pkg
from solver.arc.tasks import InvalidTask
from solver.config import SOLVE_PRESETS
from solver.report import ReportPage, accuracy_by_augmentations, as_rows, task_grids, write_page
from solver.report import page as page_module
from solver.report import section as section_module
from solver.report.__main__ import main as rebuild
from solver.report.replay import counts_to_replay, leaders
from solver.report.svg import PALETTE, GridDrawer, grid_cells
from solver.run.outputs import safe_filename
from solver.run.supervisor import RunOptions, run
from solver.task_report import TaskReport
from tests.helpers import small_tasks
from tests.report_data import synthetic_run
from tests.test_fuzz import FUZZ, hostile_ids, json_values


def test_palette_is_arcs_standard_ten_colours():
    assert PALETTE == (
        "#000000",
        "#0074D9",
        "#FF4136",
        "#2ECC40",
        "#FFDC00",
        "#AAAAAA",
        "#F012BE",
        "#FF851B",
        "#7FDBFF",
        "#870C25",
    )


# -- vote replay --------------------------------------------------------------------------


def test_accuracy_follows_the_vote_leader_as_augmentations_are_counted():
    # Truth is grid 1. The leader after n candidates: 1; tie 0-1 -> 0; tie 2-2 -> 0; 3-2 -> 1.
    assert accuracy_by_augmentations([([1, 0, 0, 1, 1], 1)]) == [(1, 1.0), (2, 0.0), (4, 0.0), (5, 1.0)]
    # A shorter vote counts with all it has; an unlisted truth (-1) is never right.
    curve = accuracy_by_augmentations([([1, 0, 0, 1, 1], 1), ([0], 0), ([0, 0], -1)])
    assert curve == [(1, 2 / 3), (2, 1 / 3), (4, 1 / 3), (5, 2 / 3)]
    assert accuracy_by_augmentations([([-1, -1, 2], 2)]) == [(1, 0.0), (2, 0.0), (3, 1.0)]  # no leader yet
    assert accuracy_by_augmentations([([], 0)]) == [] and counts_to_replay(8) == [1, 2, 4, 8]


def test_one_pass_leaders_match_counting_each_prefix(rng):
    for _ in range(200):
        sequence = rng.integers(-1, 5, int(rng.integers(1, 70))).tolist()
        for n, leader in leaders(sequence).items():
            votes = {i: sequence[:n].count(i) for i in range(5) if sequence[:n].count(i)}
            expected = min(votes, key=lambda i: (-votes[i], i)) if votes else -1
            assert leader == expected


# -- grids ----------------------------------------------------------------------------------


def paint(svg_cells: str, height: int, width: int) -> np.ndarray:
    """The grid an SVG from grid_cells shows, decoded from its rectangle and runs."""
    background = re.match(r'<rect width="\d+" height="\d+" fill="(#\w+)"/>', svg_cells).group(1)
    grid = np.full((height, width), PALETTE.index(background))
    for colour, runs in re.findall(r'<path stroke="(#\w+)" d="([^"]+)"/>', svg_cells):
        for x, y, n in re.findall(r"M(\d+) (\d+)h(\d+)", runs):
            grid[int(y), int(x) : int(x) + int(n)] = PALETTE.index(colour)
    return grid


def test_grid_svg_shows_every_cell_exactly(rng):
    shapes = [(1, 1), (30, 30), (1, 30), (30, 1)] + [tuple(rng.integers(1, 31, 2)) for _ in range(40)]
    for h, w in shapes:
        grid = rng.integers(0, 10, (h, w)) * (rng.random((h, w)) < rng.random())  # sparse and dense
        assert np.array_equal(paint(grid_cells(as_rows(grid)), h, w), grid)


def test_a_grid_seen_twice_in_a_section_is_drawn_once():
    drawer = GridDrawer("t")
    first, again, other = (drawer.svg(rows, 10) for rows in (["12", "34"], ["12", "34"], ["5"]))
    assert 'id="t-0"' in first and again.count('<use href="#t-0"/>') == 1 and "<path" not in again
    assert 'id="t-1"' in other and 'width="20" height="20" viewBox="0 0 2 2"' in first


def test_as_rows_accepts_grids_and_refuses_anything_else():
    assert as_rows([[1, 2], [3, 4]]) == as_rows(np.array([[1, 2], [3, 4]])) == as_rows(["12", "34"]) == ["12", "34"]
    for bad in ([], [[]], [[1], [1, 2]], [[10]], [[True]], [["1"]], ["1a"], "12", None, [[1]] * 31):
        assert as_rows(bad) is None


# -- the page -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def five_tasks(arc1_eval):
    tasks = arc1_eval.tasks[:5]
    return tasks, synthetic_run(tasks, arc1_eval.solutions, seed=3)


def test_page_shows_every_task_attempt_and_score_and_is_self_contained(tmp_path, five_tasks):
    tasks, data = five_tasks
    data["summary"]["score"] = {"kaggle": 0.25, "correct": 1, "total": 4, "per_task_average": 0.2}
    page = write_page(tmp_path, **data, final=True).read_text()
    assert page.startswith("<!DOCTYPE html>") and "0.2500" in page and "1/4 test outputs" in page
    for task in tasks:
        report = data["reports"][task.id]
        assert f'id="task-{safe_filename(task.id)}" data-status="{report["status"]}"' in page
        assert f'href="reports/{safe_filename(task.id)}.json"' in page
    n_tests = sum(len(t.test) for t in tasks if data["reports"][t.id]["status"] != "invalid")
    assert page.count("<figcaption>attempt 1") == page.count("<figcaption>attempt 2") >= n_tests
    # Nothing outside the file: no scripts, styles, images or fonts from elsewhere, no URLs at all.
    assert not re.search(r"https?:|//[a-z]|<link|<img|<iframe|@import|src=", page, re.I)
    assert set(re.findall(r"url\(([^)]*)\)", page)) == {"#cells"}
    assert 'http-equiv="refresh"' not in page
    assert "weights/trm-base.safetensors" in page and "ARC-AGI-2 training" in page  # weights and provenance


def test_optional_fields_are_shown_when_present(tmp_path, arc1_eval):
    task = arc1_eval.tasks[0]
    truth = arc1_eval.solutions[task.id][0]
    report = {
        "status": "done",
        "seconds": 3.0,
        "finetune_seconds": 1.0,
        "inference_seconds": 1.5,
        "search": {"seconds": 0.5},
        "finetune_losses": [2.0, 1.5, 1.0],
        "experts": ["trm", "search"],
        "tests": [
            {
                "candidates": 4,
                "vote_sequence": [0, -1, 1, 0],
                "top": [
                    {"grid": truth, "votes": 2, "experts": ["search", "trm"], "program": "crop(<largest>)"},
                    {"grid": [[1]], "votes": 1},
                ],
            }
        ]
        + [{}] * (len(task.test) - 1),
    }
    grids = {task.id: task_grids(task, arc1_eval.solutions[task.id])}
    summary = {"experts": ["trm", "search"], "weights_provenance": {"sha256": "abc123"}}
    page = write_page(tmp_path, summary, {task.id: report}, grids, {}, final=True).read_text()
    assert "crop(&lt;largest&gt;)" in page and "search 0.5 s" in page and "fine-tuning loss over 3 steps" in page
    assert "<span class=expert>search</span><span class=expert>trm</span>" in page and "abc123" in page
    assert "top-1 accuracy of the vote" in page and "= true output" in page
    assert "attempt 1 &#10003; right" in page  # no submission entry: the attempts are the two best candidates


def test_missing_and_odd_fields_never_break_the_page(tmp_path):
    reports = {
        "<script>x</script>": {"status": "done"},
        "b": {"status": "solved", "tests": "?", "seconds": "1"},  # an older run's name for "done"
        "c": {"status": "weird", "error": "boom & bust"},
        "d": {},
    }
    page = write_page(tmp_path, {}, reports, {"b": {"train": 3}}, {"e": [{"attempt_1": [[1]]}]}, final=False)
    text = page.read_text()
    assert "&lt;script&gt;x&lt;/script&gt;" in text and "<script>x" not in text
    assert "boom &amp; bust" in text and 'data-status="pending"' in text  # d has no status, e no report
    assert 'http-equiv="refresh"' in text and "in progress" in text
    assert "could not be shown" not in text


@FUZZ
@given(hostile_ids, json_values, json_values, json_values, json_values)
def test_hostile_reports_render_without_the_safety_net(task_id, report, grids, attempts, summary):
    document = report if isinstance(report, dict) else {"status": report}
    typed = TaskReport.from_dict(document)
    assert json.dumps(typed.to_dict(), sort_keys=True) == json.dumps(
        TaskReport.from_dict(typed.to_dict()).to_dict(), sort_keys=True
    )
    view = section_module.TaskView(task_id, typed, grids, attempts if isinstance(attempts, list) else [])
    section = section_module._render_task(view)  # the guarded render_task would hide an exception
    page_module.render_page(summary if isinstance(summary, dict) else {}, {task_id: section}, final=True)


def test_a_rewrite_renders_only_the_tasks_that_changed(tmp_path, five_tasks, monkeypatch):
    tasks, data = five_tasks
    rendered = []
    real = page_module.render_task
    monkeypatch.setattr(page_module, "render_task", lambda view: rendered.append(view.task_id) or real(view))
    page = ReportPage()
    write_page(tmp_path, **data, final=False, page=page)
    assert sorted(rendered) == sorted(t.id for t in tasks)
    changed = {**data["reports"], tasks[2].id: {**data["reports"][tasks[2].id], "seconds": 99.0}}
    rendered.clear()
    write_page(tmp_path, **{**data, "reports": changed}, final=True, page=page)
    assert rendered == [tasks[2].id]
    write_page(tmp_path, **{**data, "reports": changed}, final=True)  # another page object draws everything
    assert len(rendered) == 1 + len(tasks)
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]  # written by rename: no temporary left over


# -- the run writes it, the command rebuilds it -----------------------------------------------------


def test_the_run_writes_the_page_after_each_task_and_it_can_be_rebuilt(tmp_path, monkeypatch):
    tasks, solutions = small_tasks()
    tasks = [tasks[0], InvalidTask("broken", "train[0].input: ragged grid", 1)]
    writes = []
    real = report_pkg.write_report_html
    monkeypatch.setattr(
        "solver.run.supervisor.write_report_html",
        lambda *args, **kw: writes.append(kw.get("final", False)) or real(*args, **kw),
    )
    out = tmp_path / "out"
    opts = RunOptions(
        out_dir=out,
        devices=["cpu"],
        weights_path=None,
        weights_sha256=None,
        weights_label="untrained tiny",
        preset="tiny",
        solve=SOLVE_PRESETS["cpu-smoke"],
    )
    run(tasks, solutions, opts)
    assert writes == [False, False, True]  # the invalid task at the start, the solved one, the end
    stored = json.loads((out / "reports" / f"{tasks[0].id}.json").read_text())
    assert stored["task"] == task_grids(tasks[0], solutions[tasks[0].id])  # grids and true outputs
    assert stored["task"]["test"][0]["output"] == as_rows(solutions[tasks[0].id][0])
    assert json.loads((out / "reports" / "broken.json").read_text())["task"] is None
    assert "task" not in json.loads((out / "report.json").read_text())["tasks"][tasks[0].id]  # report.json stays lean
    written = (out / "report.html").read_text()

    assert rebuild([str(out)]) == 0
    assert (out / "report.html").read_text() == written  # OUT/ alone holds everything the page shows
    (out / "report.json").unlink()  # as if killed before the end: reports/ and the journal remain
    (out / "report.html").unlink()
    assert rebuild([str(out)]) == 0
    rebuilt = (out / "report.html").read_text()
    assert "in progress" in rebuilt and "ragged grid" in rebuilt and "demonstrations" in rebuilt
    assert 'data-status="done"' in rebuilt
    assert rebuild([str(tmp_path / "nothing")]) == 2


# -- what each attempt is, and what the statuses and times mean -----------------------------------------------------


def test_every_attempt_says_whether_it_is_an_experts_answer_or_a_fallback(tmp_path, arc1_eval):
    answered, unanswered, failed = arc1_eval.tasks[:3]
    truth = arc1_eval.solutions[answered.id][0]
    search_only = {"grid": truth, "experts": ["search"], "votes": 0, "confidence": None, "program": "flip(input)"}
    reports = {
        answered.id: {"status": "done", "tests": [{"top": [search_only]}] * len(answered.test), "seconds": 1.0},
        unanswered.id: {"status": "done", "tests": [{"top": []}] * len(unanswered.test), "seconds": 2.0},
        failed.id: {"status": "failed", "error": "RuntimeError: boom"},
    }
    answers = {
        answered.id: [{"attempt_1": truth, "attempt_2": truth}] * len(answered.test),
        unanswered.id: [{"attempt_1": p.input.tolist(), "attempt_2": p.input.tolist()} for p in unanswered.test],
        failed.id: [{"attempt_1": p.input.tolist(), "attempt_2": [[0]]} for p in failed.test],
    }
    grids = {t.id: task_grids(t, arc1_eval.solutions[t.id]) for t in (answered, unanswered, failed)}
    page = write_page(tmp_path, {}, reports, grids, answers, final=True).read_text()
    sections = dict(re.findall(r'<section class="task" id="task-([^"]+)"(.*?)</section>', page))

    assert "same as attempt 1: the only candidate" in sections[answered.id]
    assert "fallback" not in sections[answered.id] and 'data-answer="expert"' in sections[answered.id]
    copies = sections[unanswered.id].count("fallback: a copy of the test input")
    assert copies == 2 * len(unanswered.test) and 'data-answer="fallback"' in sections[unanswered.id]
    assert "no expert proposed a grid: both attempts are fallbacks" in sections[unanswered.id]
    assert sections[failed.id].count("fallback: a copy of the test input") == len(failed.test)
    assert sections[failed.id].count("fallback: a blank grid") == len(failed.test)
    assert 'class="attempt bad fallback"' in sections[failed.id] or 'class="attempt ok fallback"' in sections[failed.id]

    assert "solved" not in page and '<span class="badge done">done</span>' in page  # done, whatever its answer
    assert "2 done (1 answered by an expert, 1 fallbacks only), 1 failed, 0 invalid, 0 timeout" in page
    assert 'data-filter="fallback"' in page and 'data-filter="done"' in page


def test_the_vote_columns_appear_only_where_the_trm_voted():
    search_only = TaskReport.from_dict(
        {"status": "done", "tests": [{"top": [{"grid": [[1]], "experts": ["search"], "votes": 0, "program": "p"}]}]}
    )
    both = TaskReport.from_dict(
        {
            "status": "done",
            "tests": [
                {
                    "candidates": 16,
                    "top": [
                        {"grid": [[2]], "experts": ["trm"], "votes": 9, "confidence": 0.5},
                        {"grid": [[1]], "experts": ["search"], "votes": 0, "program": "p"},
                    ],
                }
            ],
        }
    )
    alone = section_module.render_task(section_module.TaskView("a", search_only, None, [])).html
    assert 'class="bar"' not in alone and " / " not in alone and "no TRM vote" not in alone
    mixed = section_module.render_task(section_module.TaskView("b", both, None, [])).html
    assert mixed.count('class="bar"') == 1 and "9 / 16" in mixed and "no TRM vote" in mixed


def test_the_time_card_says_phase_times_are_summed_over_parallel_workers(tmp_path):
    reports = {t: {"status": "done", "tests": [], "search": {"seconds": 100.0}} for t in ("a", "b", "c")}
    summary = {"seconds": 181.0, "devices": ["cpu", "cpu"]}
    page = write_page(tmp_path, summary, reports, {}, {}, final=True).read_text()
    card = re.search(r'<div class="card phases">(.*?)</div></div>', page).group(1)
    assert "0:03:01" in card and "summed over tasks (2 workers side by side): search 0:05:00" in card


def test_a_section_that_cannot_be_drawn_says_so_and_keeps_the_page(monkeypatch):
    def broken(view):
        raise KeyError("grid")

    monkeypatch.setattr(section_module, "_render_task", broken)
    section = section_module.render_task(section_module.TaskView("t<1>", TaskReport.from_dict({}), None, []))
    assert section.status == "pending" and section.verdict == "unknown"
    assert 'id="task-t_1_-' in section.html and "could not be shown: &#x27;grid&#x27;" in section.html


def test_the_time_card_sums_the_searchs_phases_over_tasks(tmp_path):
    phases = {"plain.enumeration": 30.0, "plain.fitting": 10.0, "normalised.enumeration": 15.0, "ranking": 0.5}
    reports = {
        "a": {"status": "done", "tests": [], "search": {"seconds": 55.5, "phase_cpu_s": phases}},
        "b": {"status": "done", "tests": [], "search": {"seconds": 20.0, "phase_cpu_s": {"plain.fitting": 20.0}}},
        "c": {"status": "done", "tests": [], "search": {"seconds": 1.0}},  # a report from before the timers
    }
    page = write_page(tmp_path, {"seconds": 80.0, "devices": ["cpu"]}, reports, {}, {}, final=True).read_text()
    card = re.search(r'<div class="card phases">(.*?)</div></div>', page).group(1)
    # Kinds summed over passes and tasks, the largest first: enumeration 45 s, fitting 30 s, ranking 0.5 s.
    assert "search CPU by phase: enumeration 45.0 s, fitting 30.0 s, ranking 0.5 s" in card
