"""Test-only network block: every connection except to loopback fails, in this process and its children.

Python imports `sitecustomize` at start-up from the first folder on sys.path that has
one, so putting this folder first on PYTHONPATH turns the block on. Children inherit
PYTHONPATH: the Jupyter kernel, pip and the solver's spawned workers are all blocked.
Loopback stays open because Jupyter's kernel and client talk over ZMQ on 127.0.0.1 and
multiprocessing may use local sockets. Host names are not resolved (DNS is traffic
too) except `localhost`. Sockets opened inside C libraries (libzmq, libcurl) bypass
this; nothing in the solver or pip uses those to reach out.
"""

import ipaddress
import socket

LOCAL_NAMES = {"localhost", "", None}


class NetworkBlocked(PermissionError):
    """Raised instead of a connection to the outside world."""


def _is_loopback(host) -> bool:
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    if host in LOCAL_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.split("%", 1)[0]).is_loopback
    except ValueError:
        return False


def _check(sock: socket.socket, address) -> None:
    if sock.family in (socket.AF_INET, socket.AF_INET6) and not _is_loopback(address[0]):
        raise NetworkBlocked(f"network blocked by tests/netblock: connect to {address!r}")


_connect = socket.socket.connect
_connect_ex = socket.socket.connect_ex
_sendto = socket.socket.sendto
_getaddrinfo = socket.getaddrinfo


def _blocked_connect(self, address):
    _check(self, address)
    return _connect(self, address)


def _blocked_connect_ex(self, address):
    _check(self, address)
    return _connect_ex(self, address)


def _blocked_sendto(self, data, *args):
    _check(self, args[-1])  # sendto(data, address) or sendto(data, flags, address)
    return _sendto(self, data, *args)


def _blocked_getaddrinfo(host, *args, **kwargs):
    if not _is_loopback(host):
        try:
            ipaddress.ip_address(host.decode() if isinstance(host, bytes) else host)
        except ValueError:
            raise socket.gaierror(socket.EAI_NONAME, f"network blocked by tests/netblock: resolve {host!r}") from None
    return _getaddrinfo(host, *args, **kwargs)


socket.socket.connect = _blocked_connect
socket.socket.connect_ex = _blocked_connect_ex
socket.socket.sendto = _blocked_sendto
socket.getaddrinfo = _blocked_getaddrinfo
