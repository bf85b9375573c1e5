"""The one atomic writer: whole files only, shared permissions, nothing left behind."""

import json
import os
import stat

import pytest

from solver.atomic import write_bytes_atomic, write_json_atomic, write_text_atomic


def mode(path):
    return stat.S_IMODE(path.stat().st_mode)


def test_every_kind_of_file_is_replaced_whole_with_no_temporary_left(tmp_path):
    write_json_atomic(tmp_path / "a.json", {"k": [1, 2]})
    write_json_atomic(tmp_path / "a.json", {"k": [1]})
    write_json_atomic(tmp_path / "m.json", {"b": 1, "a": 2}, indent=1)
    write_text_atomic(tmp_path / "p.html", "task \udc80 \u00e9")  # a lone surrogate cannot be UTF-8
    write_bytes_atomic(tmp_path / "sub" / "w.bin", b"\0\1")  # the folder is created
    assert json.loads((tmp_path / "a.json").read_text()) == {"k": [1]}
    assert (tmp_path / "a.json").read_text() == '{"k":[1]}'
    assert (tmp_path / "m.json").read_text() == '{\n "a": 2,\n "b": 1\n}\n'
    assert (tmp_path / "p.html").read_text(encoding="utf-8") == "task \\udc80 \u00e9"
    assert (tmp_path / "sub" / "w.bin").read_bytes() == b"\0\1"
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["a.json", "m.json", "p.html", "sub", "w.bin"]


@pytest.mark.parametrize("umask", [0o022, 0o027, 0o077])
def test_files_get_the_umasks_permissions_not_mkstemps_0600(tmp_path, umask):
    previous = os.umask(umask)
    try:
        write_json_atomic(tmp_path / "a.json", {})
        write_text_atomic(tmp_path / "b.html", "x")
        write_bytes_atomic(tmp_path / "c.bin", b"x")
    finally:
        os.umask(previous)
    assert {mode(tmp_path / name) for name in ("a.json", "b.html", "c.bin")} == {0o666 & ~umask}


def test_a_write_that_fails_keeps_the_old_file_and_leaves_nothing(tmp_path, monkeypatch):
    path = tmp_path / "submission.json"
    write_json_atomic(path, {"old": 1})

    def broken_disk(fd):
        raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", broken_disk)
    with pytest.raises(OSError, match="disk full"):
        write_json_atomic(path, {"new": 2})
    assert json.loads(path.read_text()) == {"old": 1}
    assert [p.name for p in tmp_path.iterdir()] == ["submission.json"]


def test_a_file_written_not_durable_is_whole_but_never_fsynced(tmp_path, monkeypatch):
    """durable=False (per-task reports) skips the fsyncs of the file and its folder, nothing else."""
    synced = []
    monkeypatch.setattr(os, "fsync", synced.append)
    write_json_atomic(tmp_path / "r.json", {"a": 1}, durable=False)
    assert synced == [] and json.loads((tmp_path / "r.json").read_text()) == {"a": 1}
    assert [p.name for p in tmp_path.iterdir()] == ["r.json"]
    write_json_atomic(tmp_path / "s.json", {"a": 1})
    assert len(synced) == 2  # the file, then its folder
