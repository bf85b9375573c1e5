"""The report page of a real run, opened in headless Chromium (skipped where Chromium is not installed).

Chromium is driven over its DevTools pipe (tests/browser.py): the tests count tasks,
attempts and the score in the DOM, click the filters, take a screenshot, check that the
page asked for nothing but itself, and open a task's own address (report.html#task-<id>).
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


@pytest.fixture(scope="module")
def real_run(tmp_path_factory):
    """A real run on three tasks, one of them failing: (tasks, the failing task's id, OUT)."""
    tasks, _ = small_tasks()
    failing = tasks[1].id
    out = tmp_path_factory.mktemp("browser") / "out"
    result = run_cli(*SMALL_TASKS, *SMOKE, "--out", out, env={"SOLVER_FAULTS": f"raise:{failing}"})
    assert result.returncode == 0, result.stderr
    return tasks, failing, out


def test_a_real_runs_page_shows_every_task_and_attempt_filters_and_loads_nothing(real_run, tmp_path):
    tasks, failing, out = real_run
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
        sources = browser.evaluate(
            f"[...document.querySelectorAll('#task-{safe_filename(failing)} figure.attempt .source')]"
            ".map(s => s.textContent)"
        )
        assert sources == ["fallback: a copy of the test input", "fallback: a blank grid"]
        score = browser.evaluate("document.querySelector('.card.score .big').textContent")
        assert score == f"{report['score']['kaggle']:.4f}"
        assert browser.evaluate("document.querySelectorAll('svg.g').length") > 10 * len(tasks)

        right = sum(all(report["tasks"][t.id]["correct"]) for t in tasks)
        assert click(browser, "failed") == 1
        assert click(browser, "done") == len(tasks) - 1
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


def in_view(browser, task_id):
    """Whether the task's section is shown, the page scrolled to it and its top on screen (the last task's
    top may sit lower: the page cannot scroll past its end)."""
    section = f"document.getElementById('task-{safe_filename(task_id)}')"
    return browser.evaluate(
        "(s => s.getClientRects().length > 0 && window.scrollY > 0 && s.getBoundingClientRect().top >= -1 && "
        f"s.getBoundingClientRect().top < window.innerHeight / 2)({section})"
    )


def test_a_tasks_own_address_opens_on_that_task_even_under_a_filter_that_hides_it(real_run, tmp_path):
    tasks, _failing, out = real_run
    last = tasks[-1].id
    address = f"{(out / 'report.html').as_uri()}#task-{safe_filename(last)}"
    with Browser(CHROMIUM, tmp_path / "profile") as browser:
        browser.open(address)
        assert in_view(browser, last)
        browser.open((out / "report.html").as_uri())
        assert click(browser, "failed") == 1  # remembered for the tab, and it hides the last task
        browser.open("about:blank")
        browser.open(address)
        assert in_view(browser, last)
        assert browser.evaluate("document.getElementById('shown').textContent") == str(len(tasks))
