"""A real ``redis-server`` on a free loopback port, owned by the test session.

Tests that touch Redis use this instead of a fake: Lua scripts, ``WATCH``, streams and
persistence behave exactly as in production. The server can be restarted (with or without
AOF) to test what survives.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from pathlib import Path

from tests.support.ports import free_port


class _PortTaken(RuntimeError):
    """Another process holds the port we picked (or ours exited before answering)."""


def _server_pid(port: int) -> int | None:
    """``process_id`` of the redis-server answering on ``port``, or None if none answers yet."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
            sock.sendall(b"INFO server\r\n")
            reply = _read_bulk(sock)
    except OSError:
        return None
    for line in reply.splitlines():
        if line.startswith(b"process_id:"):
            return int(line.split(b":", 1)[1])
    return None


def _read_bulk(sock: socket.socket) -> bytes:
    """One RESP bulk-string reply (``$<len>\\r\\n<body>\\r\\n``); b"" for anything else."""
    data = b""
    while b"\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            return b""
        data += chunk
    header, _, body = data.partition(b"\r\n")
    if not header.startswith(b"$"):
        return b""
    length = int(header[1:])
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            return b""
        body += chunk
    return body[:length]


class RedisServer:
    """Start, stop and restart one ``redis-server`` process in its own directory."""

    def __init__(self, workdir: Path, *, appendonly: bool = False) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError("redis-server is not installed (apt-get install redis-server)")
        self.binary = binary
        self.workdir = workdir
        self.appendonly = appendonly
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, *, attempts: int = 5) -> None:
        """Start on ``self.port``; if another process holds that port, retry on a new one.

        ``free_port()`` only says the port was free a moment ago, so a parallel test run can
        take it first; redis-server then exits (or a stranger answers), and we pick again.
        """
        self.workdir.mkdir(parents=True, exist_ok=True)
        for attempt in range(attempts):
            self.process = subprocess.Popen(
                self._args(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
            try:
                self._wait_ready()
                return
            except _PortTaken as exc:
                self.stop()
                if attempt == attempts - 1:
                    raise RuntimeError(
                        f"no free port for redis-server in {attempts} tries"
                    ) from exc
                self.port = free_port()

    def _args(self) -> list[str]:
        return [
            self.binary,
            "--bind",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--dir",
            str(self.workdir),
            "--save",
            "",
            "--appendonly",
            "yes" if self.appendonly else "no",
            "--appendfsync",
            "always",
            "--maxmemory-policy",
            "noeviction",
            "--protected-mode",
            "yes",
        ]

    def _wait_ready(self, timeout: float = 10.0) -> None:
        """Wait until *our* process answers: a PONG from another server on the port is not it."""
        assert self.process is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise _PortTaken(f"redis-server exited with {self.process.returncode}")
            pid = _server_pid(self.port)
            if pid == self.process.pid:
                return
            if pid is not None:
                # Someone else answers here; our process will exit on the bind error.
                raise _PortTaken(f"port {self.port} belongs to process {pid}")
            time.sleep(0.02)
        raise RuntimeError("redis-server did not become ready")

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None

    def restart(self) -> None:
        self.stop()
        self.start()
