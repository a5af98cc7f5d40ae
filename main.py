"""政府信息公开年报助手: the entry point. `python main.py` opens the app; `python main.py COMMAND …` runs a
command-line subcommand (cli/). Keeps the streams in UTF-8 and the last guard against a traceback."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path


def _utf8_streams() -> None:
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            with contextlib.suppress(ValueError, OSError):
                reconfigure(encoding="utf-8", errors="replace")


def _frozen_environment() -> None:
    """The bundle (PyInstaller, scripts/bundle.sh) only. Linux: the programs the app starts (LibreOffice
    for .doc/.wps) get the system's library path back, not the bundle's folder the loader put first
    (this process already found its libraries). Windows: gov-report.exe has no console of its own; run
    with arguments from a command prompt it writes to that prompt's console (gov-report-cli.exe is the
    console program for scripts: cmd.exe waits for it and its output can be piped)."""
    if not getattr(sys, "frozen", False):
        return
    import os

    if sys.platform.startswith("linux"):
        original = os.environ.pop("LD_LIBRARY_PATH_ORIG", None)
        if original is not None:
            os.environ["LD_LIBRARY_PATH"] = original
        else:
            os.environ.pop("LD_LIBRARY_PATH", None)
    elif sys.platform == "win32" and len(sys.argv) > 1 and (sys.stdout is None or sys.stderr is None):
        import ctypes

        attached = bool(ctypes.windll.kernel32.AttachConsole(-1))  # ATTACH_PARENT_PROCESS
        for name in ("stdout", "stderr"):
            if getattr(sys, name) is None:  # not redirected to a file or pipe
                try:
                    stream = open("CONOUT$" if attached else os.devnull, "w", encoding="utf-8", errors="replace")  # noqa: SIM115
                except OSError:
                    stream = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115
                setattr(sys, name, stream)


def _log_crash() -> Path | None:
    import traceback  # only when something went wrong (15 ms of every start otherwise)

    from core.paths import data_dir

    try:
        folder = data_dir()
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "crash.log"
        with path.open("a", encoding="utf-8") as log:
            log.write(f"--- {datetime.now().isoformat(timespec='seconds')} {sys.argv!r}\n")
            log.write(traceback.format_exc())
        return path
    except OSError:
        return None


def _start_app(db_path: Path) -> int:
    from ui.app import launch  # Qt loads only when the app starts

    return launch(db_path)


def run(argv: Sequence[str]) -> int:
    from cli import run as run_cli

    return run_cli(argv, start_app=_start_app)


def _silence_stdout() -> None:
    """Point stdout at the null device, so flushing it at exit does not fail on the closed pipe again."""
    import os

    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


def main() -> int:
    _frozen_environment()
    _utf8_streams()
    try:
        return run(sys.argv[1:])
    except SystemExit as exc:
        return int(exc.code or 0) if isinstance(exc.code, int) else 2
    except BrokenPipeError:  # `main.py fonts | head`: the reader stopped listening; not a defect
        _silence_stdout()
        return 0
    except Exception as exc:  # the last guard: a one-line message, the details in the log
        log = _log_crash()
        where = f"，详情已记录在 {log}" if log else ""
        sys.stderr.write(f"程序内部错误：{type(exc).__name__}: {exc}{where}\n")
        return 3


if __name__ == "__main__":
    sys.exit(main())
