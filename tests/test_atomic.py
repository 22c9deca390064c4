"""autograd.utils.atomic: a file is replaced only when its new content is complete; a
failure leaves the old file (or none) and no temporary file behind."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from autograd.utils.atomic import atomic_path, write_atomic


def test_failure_keeps_the_old_file_and_removes_the_temporary(tmp_path: Path) -> None:
    target = tmp_path / "weights.npz"
    target.write_bytes(b"old")
    with pytest.raises(OSError, match="disk full"):
        with atomic_path(target) as tmp:
            assert tmp.parent == tmp_path and tmp.name != target.name and tmp.exists()
            tmp.write_bytes(b"ha")
            raise OSError("disk full")
    assert target.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["weights.npz"]


def test_failure_without_an_old_file_leaves_nothing(tmp_path: Path) -> None:
    with pytest.raises(KeyboardInterrupt):
        with atomic_path(tmp_path / "page.html"):
            raise KeyboardInterrupt
    assert os.listdir(tmp_path) == []


def test_text_is_utf8_and_bytes_are_kept(tmp_path: Path) -> None:
    write_atomic(tmp_path / "a.gv", "∂f/∂x")
    write_atomic(str(tmp_path / "b.svg"), b"\x00<svg/>")
    assert (tmp_path / "a.gv").read_text(encoding="utf-8") == "∂f/∂x"
    assert (tmp_path / "b.svg").read_bytes() == b"\x00<svg/>"


def test_mode_of_an_existing_file_is_kept(tmp_path: Path) -> None:
    target = tmp_path / "run.csv"
    target.write_text("old")
    target.chmod(0o640)
    write_atomic(target, "new")
    assert target.read_text() == "new" and stat.S_IMODE(target.stat().st_mode) == 0o640


def test_writes_through_a_symlink(tmp_path: Path) -> None:
    real = tmp_path / "real.txt"
    real.write_text("old")
    link = tmp_path / "link.txt"
    link.symlink_to(real)
    write_atomic(link, "new")
    assert link.is_symlink() and real.read_text() == "new"


def test_missing_folder_names_the_callers_path(tmp_path: Path) -> None:
    target = tmp_path / "missing" / "out.svg"
    with pytest.raises(FileNotFoundError) as err:
        write_atomic(target, "x")
    assert err.value.filename == str(target)
    assert not (tmp_path / "missing").exists()
