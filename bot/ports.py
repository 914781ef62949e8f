"""Find free TCP ports on the loopback interface, for servers started for a while."""

from __future__ import annotations

import socket
from contextlib import ExitStack


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nobody listens on right now."""
    return free_ports(1)[0]


def free_ports(count: int) -> list[int]:
    """Return `count` different free ports.

    The sockets stay bound until all are found: asked one after another, the system may hand
    out a port it has just released again (the bot and the dashboard once got the same one).
    """
    with ExitStack() as stack:
        sockets = [stack.enter_context(socket.socket()) for _ in range(count)]
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [int(sock.getsockname()[1]) for sock in sockets]
