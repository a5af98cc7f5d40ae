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


def main() -> int:
    _utf8_streams()
    try:
        return run(sys.argv[1:])
    except SystemExit as exc:
        return int(exc.code or 0) if isinstance(exc.code, int) else 2
    except Exception as exc:  # the last guard: a one-line message, the details in the log
        log = _log_crash()
        where = f"，详情已记录在 {log}" if log else ""
        sys.stderr.write(f"程序内部错误：{type(exc).__name__}: {exc}{where}\n")
        return 3


if __name__ == "__main__":
    sys.exit(main())
