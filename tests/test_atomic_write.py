"""Files written whole or not at all: through a ``.part`` file, renamed when complete."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from unionroll.core.files import write_bytes_atomic, write_text_atomic


def test_bytes_are_written_in_a_folder_made_for_them(tmp_path: Path) -> None:
    target = tmp_path / "sources" / "ab" / "abc.xlsx"
    data = bytes(range(256)) * 300
    write_bytes_atomic(target, data)
    write_bytes_atomic(str(target) + ".again", data)
    assert target.read_bytes() == data
    assert Path(str(target) + ".again").read_bytes() == data
    assert sorted(p.name for p in target.parent.iterdir()) == ["abc.xlsx", "abc.xlsx.again"]


def test_text_replaces_what_was_there(tmp_path: Path) -> None:
    target = tmp_path / "回执.md"
    write_text_atomic(target, "旧")
    assert write_text_atomic(target, "新的回执") == target
    assert target.read_text(encoding="utf-8") == "新的回执"
    assert [p.name for p in tmp_path.iterdir()] == ["回执.md"]


def test_a_write_the_disk_refuses_leaves_no_file(tmp_path: Path) -> None:
    """A file size limit (as a full disk would) stops the write halfway: the error is
    raised, and neither the file nor its part file is left behind."""
    script = textwrap.dedent(
        f"""
        import resource, signal, sys
        from pathlib import Path
        from unionroll.core.files import write_bytes_atomic
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (10_000, 10_000))
        try:
            write_bytes_atomic(Path({str(tmp_path)!r}) / "big.bin", b"x" * 50_000)
        except OSError as exc:
            print("refused", exc.errno)
        """
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("refused")
    assert list(tmp_path.iterdir()) == []
