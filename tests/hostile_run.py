"""Running hostile inputs through worker processes (tests/hostile_worker.py), each under a 1 GB address-space
limit and a per-input timeout; a worker that dies or hangs is killed, the input is recorded against it
and a new worker takes the next input.

    python -m tests.hostile_run [COUNT] [SEED]     # prints every failure and a summary

is how a failure the suite reports is looked at again."""

from __future__ import annotations

import contextlib
import json
import os
import selectors
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from queue import Full, Queue

from tests.hostile_inputs import Hostile, mutations

ROOT = Path(__file__).resolve().parents[1]
MEMORY_LIMIT = 1024 * 1024 * 1024  # RLIMIT_AS of each worker: a reader may not take more
TIMEOUT = 10.0  # seconds per input


@dataclass
class Outcome:
    name: str
    status: int | None  # the exit status of check; None when the worker died or was killed
    seconds: float
    crash: str = ""  # the traceback (or how the worker died)
    timed_out: bool = False
    stderr: str = ""

    @property
    def failed(self) -> bool:
        return bool(self.crash) or self.timed_out or self.status not in (0, 1, 2)


@dataclass
class Summary:
    outcomes: list[Outcome] = field(default_factory=list)
    seconds: float = 0.0
    restarts: int = 0

    @property
    def failures(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.failed]

    def describe(self) -> str:
        lines = [f"{o.name}: status={o.status} {o.seconds:.1f}s{' TIMEOUT' if o.timed_out else ''}\n{o.crash}"
                 for o in self.failures]
        by_status: dict[int | None, int] = {}
        for o in self.outcomes:
            by_status[o.status] = by_status.get(o.status, 0) + 1
        slowest = sorted(self.outcomes, key=lambda o: -o.seconds)[:5]
        lines.append("slowest: " + ", ".join(f"{o.name} {o.seconds:.1f}s" for o in slowest))
        lines.append(f"{len(self.outcomes)} inputs in {self.seconds:.0f} s, {len(self.failures)} failures, "
                     f"{self.restarts} worker restarts, exit statuses {by_status}")
        return "\n".join(lines)


class Worker:
    def __init__(self, data_dir: Path) -> None:
        env = {**os.environ, "PYTHONIOENCODING": "utf-8", "PYTHONDONTWRITEBYTECODE": "1"}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.hostile_worker", str(MEMORY_LIMIT), str(data_dir)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, cwd=ROOT, env=env,
            start_new_session=True,
        )
        assert self.process.stdin is not None and self.process.stdout is not None
        self.stdin, self.stdout = self.process.stdin, self.process.stdout
        os.set_blocking(self.stdout.fileno(), False)
        self.buffer = b""
        self.busy: tuple[Hostile, float] | None = None

    def send(self, item: Hostile, path: Path) -> None:
        self.busy = (item, time.monotonic())
        self.stdin.write(str(path).encode("utf-8") + b"\n")
        self.stdin.flush()

    def read(self) -> dict[str, object] | None:
        """The answer when a whole line has come; {} at end of output (the worker died)."""
        chunk = self.stdout.read()
        if chunk == b"":
            return {}
        self.buffer += chunk or b""
        if b"\n" not in self.buffer:
            return None
        line, _, self.buffer = self.buffer.partition(b"\n")
        answer: dict[str, object] = json.loads(line)
        return answer

    def kill(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        for stream in (self.stdin, self.stdout):
            with contextlib.suppress(OSError):
                stream.close()


def _prefetched(items: Iterable[Hostile], ahead: int = 16) -> Iterator[Hostile]:
    """The inputs, made in a thread while the workers check the ones before (making them is mostly
    compression, which runs outside the GIL)."""
    queue: Queue[Hostile | None] = Queue(maxsize=ahead)
    stop = threading.Event()

    def put(item: Hostile | None) -> bool:
        while not stop.is_set():  # never blocked for good once the consumer has gone
            try:
                queue.put(item, timeout=0.1)
                return True
            except Full:
                continue
        return False

    failed: list[BaseException] = []

    def produce() -> None:
        try:
            for item in items:
                if not put(item):
                    return
        except BaseException as exc:  # a defect of the generator: raised again where the inputs are read
            failed.append(exc)
        finally:
            put(None)

    thread = threading.Thread(target=produce, daemon=True)
    thread.start()
    try:
        while (item := queue.get()) is not None:
            yield item
        if failed:
            raise failed[0]
    finally:
        stop.set()


def run_inputs(items: Iterable[Hostile], workers: int = 2, timeout: float = TIMEOUT) -> Summary:
    """Every input through `workers` worker processes; never raises for what an input does."""
    summary = Summary()
    started = time.monotonic()
    pending = _prefetched(items)
    with tempfile.TemporaryDirectory(prefix="hostile-") as folder:
        base = Path(folder)
        (base / "data").mkdir()
        pool: list[Worker] = []
        selector = selectors.DefaultSelector()
        count = 0

        def start() -> Worker:
            worker = Worker(base / "data")
            selector.register(worker.stdout, selectors.EVENT_READ, worker)
            pool.append(worker)
            return worker

        def feed(worker: Worker) -> bool:
            nonlocal count
            item = next(pending, None)
            if item is None:
                return False
            path = base / f"{count % 64}-{item.suffix[1:]}" / f"input{item.suffix}"
            path.parent.mkdir(exist_ok=True)
            path.write_bytes(item.data)
            count += 1
            worker.send(item, path)
            return True

        def retire(worker: Worker) -> None:
            selector.unregister(worker.stdout)
            pool.remove(worker)
            worker.kill()

        for _ in range(workers):
            if not feed(start()):
                break
        try:
            while any(w.busy for w in pool):
                now = time.monotonic()
                deadline = min(w.busy[1] + timeout for w in pool if w.busy)
                for key, _ in selector.select(max(0.0, deadline - now)):
                    worker = key.data
                    answer = worker.read()
                    if answer is None or worker.busy is None:
                        continue
                    item, sent = worker.busy
                    worker.busy = None
                    if answer == {}:  # the worker died on this input
                        code = worker.process.wait()
                        summary.outcomes.append(Outcome(item.name, None, time.monotonic() - sent,
                                                        crash=f"worker died (exit {code})"))
                        retire(worker)
                        summary.restarts += 1
                        worker = start()
                    else:
                        status = answer["status"]
                        summary.outcomes.append(Outcome(
                            item.name, status if isinstance(status, int) else None, float(str(answer["seconds"])),
                            crash=str(answer["crash"]), stderr=str(answer.get("stderr", "")),
                        ))
                        if answer["crash"]:  # a MemoryError or worse may leave the process unwell
                            retire(worker)
                            summary.restarts += 1
                            worker = start()
                    feed(worker)
                now = time.monotonic()
                for worker in [w for w in pool if w.busy and now - w.busy[1] > timeout]:
                    item, sent = worker.busy  # type: ignore[misc]
                    summary.outcomes.append(Outcome(item.name, None, now - sent, crash="", timed_out=True))
                    retire(worker)
                    summary.restarts += 1
                    feed(start())
        finally:
            for worker in list(pool):
                retire(worker)
    summary.seconds = time.monotonic() - started
    return summary


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 11
    summary = run_inputs(mutations(count, seed))
    print(summary.describe())


if __name__ == "__main__":
    main()
