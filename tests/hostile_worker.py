"""A worker process of the hostile-input suite: reads file paths on stdin, one per line, and checks each
through the same entry as `main.py check` (cli.run), under an address-space limit; answers one JSON line
per file on stdout: the exit status, whether it crashed and how, and the seconds it took.

Started by tests/hostile_run.py as `python -m tests.hostile_worker LIMIT_BYTES DATA_DIR`. A file that kills
the process (or runs past the runner's timeout) is recorded by the runner, which starts a new worker."""

from __future__ import annotations

import contextlib
import io
import json
import logging
import os
import sys
import time
import traceback


class _Crashes(logging.Handler):
    """The traceback of a reader's contained failure (reading.batch logs it)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info:
            self.records.append("".join(traceback.format_exception(*record.exc_info)[-4:]))


def main() -> None:
    limit, data_dir = int(sys.argv[1]), sys.argv[2]
    if limit and sys.platform != "win32":
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    os.environ["GOV_REPORT_DATA_DIR"] = data_dir
    from cli import run  # the same entry as `main.py check`

    crashes = _Crashes()
    logging.getLogger("reading.batch").addHandler(crashes)
    db = os.path.join(data_dir, "none.sqlite3")  # never created: check only reads a database that exists
    answer = sys.stdout
    for line in sys.stdin:
        path = line.rstrip("\n")
        crashes.records.clear()
        out, err = io.StringIO(), io.StringIO()
        started = time.monotonic()
        crash = ""
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                status = run(["--db", db, "check", "--json", path], start_app=lambda _db: 0)
        except SystemExit as exc:
            status = exc.code if isinstance(exc.code, int) else 2
        except BaseException:  # main.py's last guard would make this exit 3
            status, crash = 3, traceback.format_exc(limit=-4)
        seconds = time.monotonic() - started
        text = out.getvalue() + err.getvalue()
        if status == 3 or "Traceback" in text:
            crash = crash or "\n".join(crashes.records) or text[-2000:]
        answer.write(json.dumps({"status": status, "crash": crash, "seconds": seconds, "stderr": err.getvalue()[-500:]})
                     + "\n")
        answer.flush()


if __name__ == "__main__":
    main()
