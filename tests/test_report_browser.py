"""The report page of a real run, opened in headless Chromium (skipped where Chromium is not installed).

Chromium is driven over its DevTools pipe (tests/browser.py): the test counts tasks,
attempts and the score in the DOM, clicks the filters, takes a screenshot, and checks
that the page asked for nothing but itself.
"""

import struct

import pytest

from solver.run.outputs import safe_filename
from tests.browser import Browser, find_chromium
from tests.helpers import SMALL_TASKS, SMOKE, read_json, run_cli, small_tasks

CHROMIUM = find_chromium()
pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="chromium is not installed (Debian: apt-get install chromium; .ci/run does it): the page is not checked",
)

VISIBLE = "[...document.querySelectorAll('section.task')].filter(s => s.getClientRects().length).length"


def click(browser, choice):
    browser.evaluate(f"document.querySelector('#filters button[data-filter=\"{choice}\"]').click()")
    return browser.evaluate(VISIBLE)


def test_a_real_runs_page_shows_every_task_and_attempt_filters_and_loads_nothing(tmp_path):
    tasks, _ = small_tasks()
    failing = tasks[1].id
    out = tmp_path / "out"
    result = run_cli(*SMALL_TASKS, *SMOKE, "--out", out, env={"SOLVER_FAULTS": f"raise:{failing}"})
    assert result.returncode == 0, result.stderr
    report = read_json(out / "report.json")
    page = out / "report.html"
    with Browser(CHROMIUM, tmp_path / "profile") as browser:
        browser.open(page.as_uri())
        shot = tmp_path / "report.png"
        browser.screenshot(shot)
        assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert struct.unpack(">II", shot.read_bytes()[16:24]) == (1280, 900)

        sections = browser.evaluate(
            "[...document.querySelectorAll('section.task')].map(s => [s.id, "
            "s.dataset.status, s.querySelectorAll('figure.attempt').length])"
        )
        assert sections == [
            [f"task-{safe_filename(t.id)}", report["tasks"][t.id]["status"], 2 * len(t.test)] for t in tasks
        ]
        assert report["tasks"][failing]["status"] == "failed"
        cause = browser.evaluate(f"document.querySelector('#task-{safe_filename(failing)} .cause').textContent")
        assert "injected failure" in cause
        score = browser.evaluate("document.querySelector('.card.score .big').textContent")
        assert score == f"{report['score']['kaggle']:.4f}"
        assert browser.evaluate("document.querySelectorAll('svg.g').length") > 10 * len(tasks)

        right = sum(all(report["tasks"][t.id]["correct"]) for t in tasks)
        assert click(browser, "failed") == 1
        assert click(browser, "solved") == len(tasks) - 1
        assert click(browser, "wrong") == len(tasks) - right
        assert click(browser, "right") == right
        assert click(browser, "all") == len(tasks)
        assert browser.evaluate("document.getElementById('shown').textContent") == str(len(tasks))

        assert browser.requested_urls() == [page.as_uri()]  # the page itself, nothing else
        assert not [e for e in browser.events if e.get("method") == "Runtime.exceptionThrown"]

        # The check above can fail: a page that fetches something is seen doing so.
        control = tmp_path / "control.html"
        control.write_text('<!DOCTYPE html><img src="http://127.0.0.1:9/pixel.png">')
        browser.open(control.as_uri())
        assert "http://127.0.0.1:9/pixel.png" in browser.requested_urls()
