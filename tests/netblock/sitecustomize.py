"""Loaded at start-up by any Python whose PYTHONPATH starts here: no network sockets at all.

Creating an AF_INET or AF_INET6 socket raises, so any attempt to reach the network
fails loudly. Unix sockets and pipes (multiprocessing) still work.
"""

import socket

_real_socket = socket.socket


class _GuardedSocket(_real_socket):
    def __init__(self, family=-1, *args, **kwargs):
        if family in (socket.AF_INET, socket.AF_INET6, -1):
            raise OSError("network access blocked for this test")
        super().__init__(family, *args, **kwargs)


socket.socket = _GuardedSocket
