"""Serving commands check their port before they load anything or print an address."""

from __future__ import annotations

import errno
import socket

from webqa.errors import WebqaError


def check_port_free(host: str, port: int, *, taken_by: str) -> None:
    """Fail before printing a server's address when the port is taken: the server would only fail after it.
    SO_REUSEADDR as the server sets it, so a port left in TIME_WAIT by a stopped server counts as free."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise WebqaError(f"Cannot serve on --host {host}: {exc.strerror}. Give an address of this machine.") from None
    family, kind, protocol, _, address = infos[0]
    with socket.socket(family, kind, protocol) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise WebqaError(
                    f"Port {port} on {host} is already in use ({taken_by}, or another program). "
                    f"Choose a free one with --port, e.g. --port {port + 1}."
                ) from None
            raise WebqaError(f"Cannot serve on {host}:{port}: {exc.strerror}. Check --host and --port.") from None
