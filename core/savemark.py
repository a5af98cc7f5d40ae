"""The save mark: a small file beside the database (``reports.sqlite3-saved``) holding the number of the
database's latest committed change, so that changes lost with the -wal file are noticed.

SQLite in WAL mode keeps recent commits in ``reports.sqlite3-wal`` until a checkpoint copies them into
the database file. When that file is lost or damaged (a crash followed by a cleaner, a copy of the
.sqlite3 file alone, a sync tool that skips it), those commits vanish without any error: the database
is whole, only older. Every write transaction raises a counter in the database (meta ``commit_seq``)
and, once committed, the new count is written here; at open a mark above the database's count means
commits were lost.

Why this and not something else: the mark is one 21-byte write into a file kept open (no rename, no
fsync: about as durable as the WAL itself under synchronous=NORMAL), so it costs a few microseconds a
save; a file holding a copy of every change would cost as much as the database. It only ever errs on
the safe side: two processes may leave a mark lower than the newest commit (then nothing is said),
never higher than what the database held when it was written."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

MARK_SUFFIX = "-saved"  # beside -wal and -shm: copying "reports.sqlite3*" takes it along
_WIDTH = 20


def mark_path(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + MARK_SUFFIX)


class SaveMark:
    """The mark of one database; `write` is best effort (a mark that cannot be written only means a
    loss may go unnoticed, never that a save fails)."""

    def __init__(self, db_path: Path) -> None:
        self.path = mark_path(db_path)
        self._fd: int | None = None

    def read(self) -> int | None:
        """The count last written, or None when there is no usable mark."""
        try:
            text = self.path.read_bytes()[: _WIDTH + 1].decode("ascii").strip()
        except (OSError, UnicodeDecodeError):
            return None
        return int(text) if text.isdigit() else None

    def write(self, seq: int) -> None:
        record = f"{seq:0{_WIDTH}d}\n".encode("ascii")
        try:
            if self._fd is None:
                self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT | getattr(os, "O_BINARY", 0), 0o644)
            if hasattr(os, "pwrite"):
                os.pwrite(self._fd, record, 0)
            else:  # Windows
                os.lseek(self._fd, 0, os.SEEK_SET)
                os.write(self._fd, record)
        except OSError:
            self.close()

    def close(self) -> None:
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.close(self._fd)
            self._fd = None

    def clear(self) -> None:
        """Forget the mark (a new database starts its own count)."""
        self.close()
        with contextlib.suppress(OSError):
            self.path.unlink()
