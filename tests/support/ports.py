"""Free loopback ports for servers the tests start."""

from __future__ import annotations

import socket


def free_port() -> int:
    """Ask the kernel for a free TCP port on 127.0.0.1.

    There is a small window between closing this socket and the server binding the port;
    servers started with it are retried by their fixtures if the bind fails.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
