"""A worker's stdout and stderr, as the runner keeps them: a pipe drained by a thread into the
last TAIL_BYTES in memory (what a CRASH or HANG record quotes) and a log on disk that rotates
at LOG_CAP (`worker-N.log`, the previous part as `worker-N.log.1`), so a case that prints
gigabytes costs neither the runner's memory nor the disk."""

from __future__ import annotations

import contextlib
import os
import threading
from pathlib import Path
from typing import BinaryIO

TAIL_BYTES = 64 * 1024
LOG_CAP = 8 * 1024 * 1024


class OutputTail:
    def __init__(self, fd: int, log: Path, *, cap: int = LOG_CAP) -> None:
        self.fd = fd
        self.log = log
        self.cap = cap
        self.lock = threading.Lock()
        self.tail = bytearray()
        self.total = 0  # bytes received so far
        self.thread = threading.Thread(target=self._pump, name=f"ttgen-output-{log.name}", daemon=True)
        self.thread.start()

    def _open_log(self) -> BinaryIO | None:
        try:
            return open(self.log, "ab", buffering=0)  # the pump's sink
        except OSError:
            return None  # no log on disk (its folder is gone): the tail in memory is enough

    def _pump(self) -> None:
        sink = self._open_log()
        written = sink.tell() if sink is not None else 0
        try:
            while True:
                try:
                    chunk = os.read(self.fd, 1 << 16)
                except OSError:
                    break
                if not chunk:
                    break  # every writer is gone: the worker, its keeper and all they started
                with self.lock:
                    self.tail += chunk
                    del self.tail[:-TAIL_BYTES]
                    self.total += len(chunk)
                if sink is None:
                    continue
                if written + len(chunk) > self.cap:
                    sink.close()
                    with contextlib.suppress(OSError):
                        os.replace(self.log, self.log.with_name(self.log.name + ".1"))
                    sink = self._open_log()
                    written = 0
                    if sink is None:
                        continue
                try:
                    sink.write(chunk)
                    written += len(chunk)
                except OSError:  # a full disk: keep draining, keep the tail
                    sink.close()
                    sink = None
        finally:
            if sink is not None:
                sink.close()
            os.close(self.fd)

    @property
    def size(self) -> int:
        with self.lock:
            return self.total

    def since(self, offset: int, limit: int = 6000) -> str:
        """The last `limit` characters written after `offset` (bytes since the worker started)."""
        with self.lock:
            kept = min(len(self.tail), max(0, self.total - offset))
            data = bytes(self.tail[len(self.tail) - kept :]) if kept else b""
        return data.decode("utf-8", errors="replace")[-limit:]

    def finish(self, timeout: float = 5.0) -> None:
        """Wait (bounded) for the pipe's end, so the tail holds everything the worker wrote."""
        self.thread.join(timeout)
