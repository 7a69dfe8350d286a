"""pytest-socket lets tests reach loopback only: a stray connection fails loudly."""

from __future__ import annotations

import socket

import pytest
from pytest_socket import SocketConnectBlockedError


def test_loopback_is_allowed() -> None:
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)
    try:
        c = socket.create_connection(srv.getsockname(), timeout=2)
        c.close()
    finally:
        srv.close()


def test_other_hosts_are_blocked() -> None:
    # 0.0.0.0 is not on the allow list; were the guard off, this would still stay on this machine.
    with pytest.warns(UserWarning, match="0.0.0.0"), pytest.raises(SocketConnectBlockedError):
        socket.create_connection(("0.0.0.0", 9), timeout=1)
