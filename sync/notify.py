"""Word from the sync gateway to the worker that a phone database changed: one datagram on a local socket.

The gateway sends the database's name after each write a phone makes; the worker files that database at
once instead of at its next sweep. The word is a hint, never a command: a lost one (no worker, a full
queue) only waits for the sweep, and the worker acts on a name only if it is one of its own inspector
databases and that database exists (docs/decisions/0010-worker-notifications.md).
"""
from __future__ import annotations

import logging
import os
import re
import select
import socket
import stat
import threading

log = logging.getLogger(__name__)
MAX_NAME = 200          # a prefix and `inspector_` + 12 hex digits fit many times over
_INSPECTOR_DB = re.compile(r"inspector_[0-9a-f]{12}")


def inspector_db_names(payloads, prefix: str) -> set[str]:
    """The well-formed names among raw datagrams (or _db_updates names): `<prefix>inspector_<12 hex>`
    exactly, in ASCII; anything else (another system's prefix, other databases, garbage) is dropped."""
    names = set()
    for raw in payloads:
        if isinstance(raw, str):
            raw = raw.encode("utf-8", "replace")
        if not isinstance(raw, bytes) or len(raw) > MAX_NAME:
            continue
        try:
            name = raw.decode("ascii")
        except UnicodeDecodeError:
            continue
        if name.startswith(prefix) and _INSPECTOR_DB.fullmatch(name[len(prefix):]):
            names.add(name)
    return names


class Notifier:
    """The gateway's side: one non-blocking datagram per write. Never raises and never waits."""

    def __init__(self):
        self._sock: socket.socket | None = None
        self._lock = threading.Lock()

    def changed(self, path: str, db_name: str) -> bool:
        """Tell the worker listening on `path` that `db_name` changed; False if the word was lost."""
        if not path:
            return False
        try:
            self._socket().sendto(db_name.encode("ascii"), path)
            return True
        except (OSError, UnicodeEncodeError):  # no worker, a full queue, a stale path: the sweep will see it
            return False

    def _socket(self) -> socket.socket:
        if self._sock is None:
            with self._lock:
                if self._sock is None:
                    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
                    sock.setblocking(False)
                    self._sock = sock
        return self._sock


class Inbox:
    """The worker's side: a datagram socket at `path` (group-writable, so the web server's user may send),
    drained by its own thread, which hands each batch of well-formed names to `deliver`."""

    def __init__(self, path: str, prefix: str, deliver):
        self.path, self.prefix, self.deliver = path, prefix, deliver
        self._closed = threading.Event()
        self._sock = self._bind(path)
        self._thread = threading.Thread(target=self._drain, name="worker-inbox", daemon=True)
        self._thread.start()

    @staticmethod
    def _bind(path: str) -> socket.socket:
        if os.path.lexists(path):
            if not stat.S_ISSOCK(os.lstat(path).st_mode):
                raise OSError(f"{path} exists and is not a socket; refusing to replace it")
            os.unlink(path)  # left by a worker that died
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        sock.bind(path)
        os.chmod(path, 0o660)
        return sock

    def _drain(self) -> None:
        while not self._closed.is_set():
            try:
                if not select.select([self._sock], [], [], 0.5)[0]:
                    continue
                batch = [self._sock.recv(MAX_NAME + 1)]
                while len(batch) < 1000 and select.select([self._sock], [], [], 0)[0]:
                    batch.append(self._sock.recv(MAX_NAME + 1))
            except (OSError, ValueError):
                if self._closed.is_set():
                    return
                log.exception("worker inbox: reading %s failed", self.path)
                self._closed.wait(1)
                continue
            names = inspector_db_names(batch, self.prefix)
            if names:
                self.deliver(names)

    def close(self) -> None:
        self._closed.set()
        self._thread.join(2)
        self._sock.close()
        try:
            os.unlink(self.path)
        except OSError:
            pass
