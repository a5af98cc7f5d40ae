"""The one place files are opened to read and replaced when written.

Reading: only regular files (a FIFO, a device such as /dev/zero or /dev/urandom, a socket or a folder
is refused before anything is read, so nothing hangs or fills memory), size-capped, with every OS error
said in one Chinese line chosen by errno (never the system's English text).

Writing: atomically, through a temporary file in the target's folder renamed over the target, but only
where an ordinary save would be allowed: an existing target that is read-only, belongs to another user or
is not a regular file is refused (the rename itself would ignore the target's own permissions, and it
would do so even as root). Temporaries of our own naming left by a killed export are cleaned up by the
next write into the same folder."""

from __future__ import annotations

import contextlib
import errno
import os
import re
import stat
import tempfile
import time
from pathlib import Path

from core.errors import UserError


class ReportFileError(UserError):
    """A file that cannot be read; str() is a one-line reason in Chinese."""


class TargetRefused(UserError, OSError):
    """A file that must not be written (replaced); str() is a one-line reason in Chinese. An OSError
    too, so every caller that handles a failed write handles it."""


# --- OS errors in Chinese -------------------------------------------------------------------------

_REASONS: dict[int, str] = {
    errno.ENOENT: "文件不存在",
    errno.EISDIR: "这是一个文件夹，不是文件",
    errno.ENOTDIR: "路径中有一部分不是文件夹",
    errno.ENAMETOOLONG: "文件名或路径过长",
    errno.ELOOP: "符号链接层层相连或指向自身，找不到真正的文件",
    errno.ENOSPC: "磁盘空间不足",
    errno.EROFS: "磁盘或文件夹是只读的",
    errno.EIO: "读写磁盘时出错（磁盘可能已损坏或已被移除）",
    errno.EMFILE: "同时打开的文件过多",
    errno.ENFILE: "同时打开的文件过多",
    errno.EBUSY: "文件正被其他程序使用",
    errno.ETXTBSY: "文件正被其他程序使用",
    errno.EFBIG: "文件过大",
    errno.EINVAL: "文件名中有系统不允许的字符",
    errno.ENXIO: "设备不存在或未连接",
    errno.ENODEV: "设备不存在或未连接",
    errno.EXDEV: "不能跨磁盘移动文件",
    errno.EEXIST: "已有同名文件",
}
for _name, _reason in (("EDQUOT", "超出了磁盘配额"), ("ESTALE", "网络文件已失效，请重新打开所在文件夹"),
                       ("ENOTCONN", "网络磁盘未连接"), ("EHOSTDOWN", "网络磁盘不可用")):
    if hasattr(errno, _name):
        _REASONS[getattr(errno, _name)] = _reason


def os_reason(exc: OSError, *, writing: bool = False) -> str:
    """Why an OS operation on a file failed, in Chinese; `writing` words a permission error for a write."""
    code = exc.errno
    if isinstance(exc, PermissionError) or code in (errno.EACCES, errno.EPERM):
        if writing:
            return "没有写入权限，或文件正被其他程序打开"
        return "没有读取权限（文件可能正被其他程序打开）"
    if code in _REASONS:
        return _REASONS[code]
    if isinstance(exc, FileNotFoundError):
        return _REASONS[errno.ENOENT]
    if isinstance(exc, IsADirectoryError):
        return _REASONS[errno.EISDIR]
    if code:
        return f"系统错误（错误号 {code}）"
    return "系统错误"


def file_error(exc: OSError) -> ReportFileError:
    """Why a file could not be opened or read, as every reader says it."""
    return ReportFileError(os_reason(exc))


# --- reading ----------------------------------------------------------------------------------------


def _size_text(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.0f} MB"
    return f"{max(1, size // 1024)} KB"


def _not_regular(mode: int) -> ReportFileError:
    if stat.S_ISDIR(mode):
        return ReportFileError(_REASONS[errno.EISDIR])
    if stat.S_ISFIFO(mode):
        return ReportFileError("这是一个命名管道，不是普通文件")
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return ReportFileError("这是一个设备，不是普通文件")
    if stat.S_ISSOCK(mode):
        return ReportFileError("这是一个套接字，不是普通文件")
    return ReportFileError("这不是普通文件")


def regular_file(path: str | os.PathLike[str], max_bytes: int | None = None) -> os.stat_result:
    """The status of a regular file (links followed); ReportFileError for anything else, or for a
    file larger than `max_bytes`. Nothing is opened, so a FIFO or a device cannot block."""
    try:
        status = os.stat(path)
    except OSError as exc:
        raise file_error(exc) from None
    except ValueError:  # a NUL in the path
        raise ReportFileError("文件名中有系统不允许的字符") from None
    if not stat.S_ISREG(status.st_mode):
        raise _not_regular(status.st_mode)
    if max_bytes is not None and status.st_size > max_bytes:
        raise ReportFileError(
            f"文件过大（{_size_text(status.st_size)}，最多 {_size_text(max_bytes)}），不像是一份年度报告"
        )
    return status


def read_regular(path: str | os.PathLike[str], max_bytes: int) -> bytes:
    """The bytes of a regular file of at most `max_bytes`; ReportFileError with a one-line Chinese
    reason otherwise. The file is opened without blocking and checked again once open (it may have been
    swapped for a FIFO in between), and never more than `max_bytes` + 1 bytes are read."""
    regular_file(path, max_bytes)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise file_error(exc) from None
    try:
        with os.fdopen(fd, "rb") as handle:
            mode = os.fstat(handle.fileno()).st_mode
            if not stat.S_ISREG(mode):
                raise _not_regular(mode)
            data = handle.read(max_bytes + 1)
    except OSError as exc:
        raise file_error(exc) from None
    if len(data) > max_bytes:
        raise ReportFileError(f"文件过大（超过 {_size_text(max_bytes)}），不像是一份年度报告")
    return data


# --- writing ----------------------------------------------------------------------------------------

# Temporaries are named ".<target name>.<8 random characters>.tmp" (tempfile.mkstemp). One older than
# this was left by a write that was killed: no export takes ten minutes.
STALE_TEMPORARY_SECONDS = 10 * 60
# Only temporaries of the files we write are ours to remove.
OUR_SUFFIXES = (".docx", ".pdf", ".html", ".htm", ".json", ".xlsx", ".csv")
_TEMPORARY = re.compile(r"\.(?P<name>.+)\.[A-Za-z0-9_]{8}\.tmp")


def _is_ours(name: str) -> bool:
    match = _TEMPORARY.fullmatch(name)
    return match is not None and match.group("name").lower().endswith(OUR_SUFFIXES)


def clean_stale_temporaries(folder: str | os.PathLike[str], now: float | None = None) -> list[Path]:
    """Remove temporaries of our own naming in `folder` that a killed write left behind: regular files,
    owned by us, untouched for STALE_TEMPORARY_SECONDS (a younger one may be another export at work).
    Returns what was removed; a temporary that cannot be removed is left."""
    now = time.time() if now is None else now
    removed: list[Path] = []
    try:
        names = os.listdir(folder)
    except OSError:
        return removed
    uid = os.geteuid() if hasattr(os, "geteuid") else None
    for name in names:
        if not _is_ours(name):
            continue
        path = Path(folder) / name
        try:
            status = path.lstat()
            if not stat.S_ISREG(status.st_mode) or (uid is not None and status.st_uid != uid):
                continue
            if now - status.st_mtime < STALE_TEMPORARY_SECONDS:
                continue
            path.unlink()
        except OSError:
            continue
        removed.append(path)
    return removed


def writable_target(path: str | os.PathLike[str]) -> Path:
    """The file a save to `path` writes: `path` itself, or the file a symbolic link there points to
    (a save writes through the link, it does not replace it). TargetRefused when an existing target may
    not be replaced: not a regular file, read-only (refused even for an administrator, as Word does), or
    belonging to another user (replacing it would take it over). os.access alone is not enough: it says
    yes to root for every file."""
    target = Path(path)
    with contextlib.suppress(OSError, RuntimeError):
        if target.is_symlink():
            target = Path(os.path.realpath(target))
    try:
        status = os.stat(target)
    except FileNotFoundError:
        return target
    except OSError as exc:
        raise TargetRefused(os_reason(exc, writing=True)) from None
    if stat.S_ISDIR(status.st_mode):
        raise TargetRefused("已有同名的文件夹，请换一个文件名")
    if not stat.S_ISREG(status.st_mode):
        raise TargetRefused("已有同名的特殊文件（如命名管道或设备），不能覆盖，请换一个文件名")
    if not status.st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH):
        raise TargetRefused("已有的同名文件是只读的，未覆盖；请换一个文件名，或先取消该文件的只读属性")
    if hasattr(os, "geteuid") and status.st_uid != os.geteuid():
        raise TargetRefused("已有的同名文件属于其他用户，未覆盖；请换一个文件名")
    if not os.access(target, os.W_OK):
        raise TargetRefused("没有写入该文件的权限，未覆盖；请换一个文件名")
    return target


def write_atomic(path: str | os.PathLike[str], data: bytes) -> None:
    """Write via a temporary file in the same folder and rename it over the target, so a failure
    never leaves a half-written file. Raises TargetRefused for a target an ordinary save could not
    replace (see writable_target), OSError with the reason otherwise."""
    target = writable_target(path)
    folder = target.parent if str(target.parent) else Path(".")
    clean_stale_temporaries(folder)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    try:
        # mkstemp makes the file private (0600); give it the mode a normal new file (or the file it
        # replaces) would have, so reports on a shared folder stay readable by colleagues.
        with os.fdopen(fd, "wb") as handle:
            os.chmod(tmp, _target_mode(target))
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _target_mode(target: Path) -> int:
    try:
        return target.stat().st_mode & 0o777
    except OSError:
        mask = os.umask(0)
        os.umask(mask)
        return 0o666 & ~mask
