"""Which files an ingest of files and folders reads."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from unionroll.core.errors import UsageError
from unionroll.core.ingest import collect_files


def _touch(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"x")
    return path


def test_folders_are_read_recursively_without_hidden_and_lock_files(tmp_path: Path) -> None:
    a = _touch(tmp_path / "in" / "学区一" / "a.xlsx")
    b = _touch(tmp_path / "in" / "b.json")
    c = _touch(tmp_path / "in" / ".隐藏" / "c.xlsx")  # in a hidden folder: still read
    _touch(tmp_path / "in" / ".DS_Store")
    _touch(tmp_path / "in" / "学区一" / "~$a.xlsx")  # Excel's lock file while a.xlsx is open
    (tmp_path / "in" / "empty").mkdir()
    assert collect_files([tmp_path / "in"]) == sorted([a, b, c])


def test_links_to_files_are_read_and_linked_folders_are_not_followed(tmp_path: Path) -> None:
    target = _touch(tmp_path / "elsewhere" / "t.xlsx")
    _touch(tmp_path / "elsewhere" / "u.xlsx")
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "link.xlsx").symlink_to(target)
    (tmp_path / "in" / "folder").symlink_to(tmp_path / "elsewhere")
    (tmp_path / "in" / "broken.xlsx").symlink_to(tmp_path / "nowhere.xlsx")
    if hasattr(os, "mkfifo"):
        os.mkfifo(tmp_path / "in" / "pipe.xlsx")
    assert collect_files([tmp_path / "in"]) == [tmp_path / "in" / "link.xlsx"]


def test_files_are_kept_in_the_order_given_and_folders_expand_in_place(tmp_path: Path) -> None:
    z = _touch(tmp_path / "z.xlsx")
    inner = _touch(tmp_path / "d" / "x.xlsx")
    assert collect_files([z, tmp_path / "d", str(z)]) == [z, inner, z]
    # what the command line expanded, given again, comes back the same
    assert collect_files(collect_files([tmp_path / "d", z])) == [inner, z]


def test_what_was_collected_is_not_looked_at_again(tmp_path: Path) -> None:
    """The command line collects the files, then ingest is given them: no second stat of
    each file. One removed in between stays listed (its reading then says it is gone);
    the same paths given as a plain list are looked at, and the missing one named."""
    a = _touch(tmp_path / "d" / "a.xlsx")
    b = _touch(tmp_path / "d" / "b.xlsx")
    found = collect_files([tmp_path / "d"])
    b.unlink()
    assert collect_files(found) is found
    assert found == [a, b]
    with pytest.raises(UsageError, match=r"b\.xlsx"):
        collect_files(list(found))


def test_missing_paths_are_all_named(tmp_path: Path) -> None:
    _touch(tmp_path / "ok.xlsx")
    with pytest.raises(UsageError, match="找不到这些文件或文件夹") as err:
        collect_files([tmp_path / "ok.xlsx", tmp_path / "无.xlsx", tmp_path / "无文件夹"])
    assert "无.xlsx" in str(err.value) and "无文件夹" in str(err.value)
