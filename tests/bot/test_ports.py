"""Free ports for the servers tests and benchmarks start."""

from __future__ import annotations

import socket

from bot.ports import free_ports


def test_ports_asked_for_together_differ_and_can_be_listened_on() -> None:
    ports = free_ports(5)
    assert len(set(ports)) == 5
    for port in ports:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", port))
