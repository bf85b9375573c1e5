"""The typed task report: the same JSON as before it was typed, older reports still read, nothing lost."""

import json
from pathlib import Path

import numpy as np
from hypothesis import given

from solver.arc.submission import attempts_entry
from solver.config import SOLVE_PRESETS
from solver.report import task_grids, write_page
from solver.run.journal import Journal
from solver.run.supervisor import RunOptions, run, run_fingerprint
from solver.task_report import DONE, RENAMED_STATUSES, CandidateReport, TaskReport, TestReport, TrmFigures
from tests.helpers import small_tasks
from tests.test_fuzz import FUZZ, json_values

OLD_REPORTS = Path(__file__).parent / "fixtures" / "reports_491ae8d"


def old_report(name):
    """A report as commit 491ae8d wrote it to OUT/reports/, without the file's task id and grids."""
    document = json.loads((OLD_REPORTS / name).read_text())
    del document["task_id"], document["task"]
    return document


def canonical(document):
    return json.dumps(document, sort_keys=True)


def test_reports_written_before_typing_read_back_to_the_same_json_but_the_status_name():
    for name in ("search-and-trm.json", "search-alone.json"):
        document = old_report(name)
        assert document["status"] == "solved"
        report = TaskReport.from_dict(document)
        assert report.status == DONE and report.extra == {}
        assert canonical(report.to_dict()) == canonical({**document, "status": DONE})
    both = TaskReport.from_dict(old_report("search-and-trm.json"))
    assert both.experts == ["search", "trm"] and both.search["programs_tried"] == 14407
    assert both.trm.finetune_steps == 4 and both.trm.finetune_losses == [2.63, 2.462, 2.235, 2.574]
    test = both.tests[0]
    assert (test.candidates, test.sup_steps_run, test.distinct, len(test.vote_sequence)) == (16, 32, 16, 16)
    assert test.top[0].program == "normalised_colours[cell_rule[colours8](input)]" and test.top[0].votes == 0
    assert test.top[1].experts == ["trm"] and test.top[1].confidence == 0.0067 and test.top[1].program is None
    assert both.phase_seconds() == {"fine-tuning": 2.683, "inference": 0.089, "search": 1.6072}
    alone = TaskReport.from_dict(old_report("search-alone.json"))
    assert alone.trm is None and alone.tests[0].candidates is None and alone.phase_seconds() == {"search": 2.0509}


# A report as the first pipeline (c98238a) wrote it: the TRM alone, no experts, search, losses or votes.
FIRST_PIPELINE_REPORT = {
    "status": "solved",
    "canvas_side": 8,
    "plan": {"finetune_steps": 300, "finetune_batch": 64, "n_augmentations": 1000, "sup_steps": 2},
    "finetune_steps": 300,
    "finetune_seconds": 20.5,
    "finetune_last_loss": 0.3,
    "finetune_batch": 64,
    "tests": [{"candidates": 1000, "distinct": 3, "top": [{"grid": [[1, 2]], "votes": 900, "confidence": 0.9}]}],
    "seconds": 31.0,
}


def test_a_report_of_the_first_pipeline_reads_and_shows(tmp_path):
    report = TaskReport.from_dict(FIRST_PIPELINE_REPORT)
    assert report.status == DONE and report.trm.finetune_steps == 300 and report.trm.inference_seconds is None
    assert report.tests[0].top[0].votes == 900 and report.tests[0].top[0].experts is None
    assert report.plan["sup_steps"] == 2 and report.extra == {}
    # Written back as it was: no null program, confidence or last loss added where it had none.
    assert canonical(report.to_dict()) == canonical({**FIRST_PIPELINE_REPORT, "status": DONE})
    page = write_page(tmp_path, {}, {"t": FIRST_PIPELINE_REPORT}, {}, {}, final=True).read_text()
    assert 'data-status="done"' in page and "900 / 1000" in page and "<span class=expert>trm</span>" in page


def test_keys_it_does_not_know_and_values_of_the_wrong_type_are_kept_as_they_were():
    document = {
        "status": "done",
        "seconds": "12",  # a number's key holding text: not read, but written back
        "another_expert": {"score": 3},
        "tests": [{"top": [{"grid": [[1]], "votes": 2, "confidence": None, "program": None, "why": "x"}], "k": 1}],
    }
    report = TaskReport.from_dict(document)
    assert report.seconds is None and report.extra == {"seconds": "12", "another_expert": {"score": 3}}
    assert report.tests[0].extra == {"k": 1} and report.tests[0].top[0].extra == {"why": "x"}
    assert canonical(report.to_dict()) == canonical(document)


@FUZZ
@given(json_values)
def test_any_json_object_reads_and_is_written_back_as_it_was_but_an_old_status_name(document):
    if not isinstance(document, dict):
        document = {"tests": document}
    expected = dict(document)
    if isinstance(document.get("status"), str):
        expected["status"] = RENAMED_STATUSES.get(document["status"], document["status"])
    assert canonical(TaskReport.from_dict(document).to_dict()) == canonical(expected)


def test_a_new_report_writes_the_keys_it_always_sets_even_as_null():
    """What a reader of new reports counts on; only a report read without them leaves them out."""
    report = TaskReport(status=DONE, trm=TrmFigures(finetune_steps=0), tests=[TestReport(top=[CandidateReport([[1]])])])
    document = report.to_dict()
    assert document["finetune_last_loss"] is None
    assert document["tests"][0]["top"][0] == {"grid": [[1]], "votes": 0, "confidence": None, "program": None}
    assert TaskReport.from_dict(document).to_dict() == document


def test_a_run_resumes_from_a_journal_written_before_typing(tmp_path):
    tasks, solutions = small_tasks()
    task = tasks[0]
    opts = RunOptions(
        out_dir=tmp_path,
        devices=["cpu"],
        weights_path=None,
        weights_sha256=None,
        weights_label="untrained tiny",
        preset="tiny",
        solve=SOLVE_PRESETS["cpu-smoke"],
    )
    old = old_report("search-and-trm.json")
    assert json.loads((OLD_REPORTS / "search-and-trm.json").read_text())["task_id"] == task.id
    grids = [np.array(c["grid"], np.uint8) for c in old["tests"][0]["top"][:2]]
    journal = Journal(tmp_path / "journal.jsonl", run_fingerprint([task], opts))
    journal.start(fresh=True)
    journal.append(task.id, [attempts_entry(grids)], old)
    result = run([task], solutions, opts)  # nothing left to solve: no worker starts
    resumed = result.reports[task.id]
    assert resumed["status"] == DONE and resumed["resumed"] is True
    assert canonical({k: v for k, v in resumed.items() if k not in ("resumed", "correct")}) == canonical(
        {**old, "status": DONE}
    )
    stored = json.loads((tmp_path / "reports" / f"{task.id}.json").read_text())
    assert stored["status"] == DONE and stored["task"] == task_grids(task, solutions[task.id])
    page = (tmp_path / "report.html").read_text()
    assert 'data-status="done"' in page and "resumed from the journal" in page
