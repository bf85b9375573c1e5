import pytest

from solver.run.journal import Journal, JournalMismatch

ENTRY = [{"attempt_1": [[1]], "attempt_2": [[0]]}]


def journal_of_a_and_b(path):
    """A fresh journal at `path` holding finished tasks a and b."""
    journal = Journal(path, "fp")
    journal.start(fresh=False)
    journal.append("a", ENTRY, {})
    journal.append("b", ENTRY, {})
    return journal


def test_append_and_resume(tmp_path):
    journal = Journal(tmp_path / "j.jsonl", "fp")
    assert journal.start(fresh=False) == {}
    journal.append("a", ENTRY, {"seconds": 1})
    journal.append("b", ENTRY, {"seconds": 2})
    finished = Journal(tmp_path / "j.jsonl", "fp").start(fresh=False)
    assert set(finished) == {"a", "b"} and finished["a"]["entries"] == ENTRY


def test_torn_last_record_is_ignored_and_cut(tmp_path):
    path = tmp_path / "j.jsonl"
    journal_of_a_and_b(path)
    data = path.read_bytes()
    path.write_bytes(data[:-25])  # a kill in the middle of writing b
    again = Journal(path, "fp")
    assert set(again.start(fresh=False)) == {"a"}
    again.append("c", ENTRY, {})
    assert set(Journal(path, "fp").read()) == {"a", "c"}


def test_corrupt_record_is_ignored(tmp_path):
    path = tmp_path / "j.jsonl"
    journal_of_a_and_b(path)
    lines = path.read_bytes().split(b"\n")
    lines[1] = lines[1].replace(b"attempt_1", b"attempt_9")  # crc no longer matches
    path.write_bytes(b"\n".join(lines))
    assert set(Journal(path, "fp").read()) == {"b"}


def test_other_runs_journal_is_refused_and_fresh_overrides(tmp_path):
    path = tmp_path / "j.jsonl"
    Journal(path, "fp1").start(fresh=False)
    Journal(path, "fp1").append("a", ENTRY, {})
    with pytest.raises(JournalMismatch):
        Journal(path, "fp2").start(fresh=False)
    assert Journal(path, "fp2").start(fresh=True) == {}
