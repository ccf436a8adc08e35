"""What a cell can know about Fuelbook's sandbox.

A cell runs in a WebAssembly sandbox without network access, processes or threads. Every way
into those (sockets and name lookups, urllib and http.client, subprocess, os.system/os.popen,
multiprocessing, threading.Thread.start, ThreadPoolExecutor) raises the one error below, so the
message says why instead of an AttributeError from deep inside the stdlib. The stdlib modules
call in here from runtime/patches/sandbox-errors.patch.
"""

__all__ = ["SandboxError"]

_WHY = "cells run in Fuelbook's sandbox, without network access, processes or threads"
_NEEDS = {"network": "needs network access", "processes": "starts a process", "threads": "starts a thread"}


class SandboxError(OSError, RuntimeError):
    """An operation the sandbox does not offer: network access, processes or threads.

    An OSError (what network and process code catches) and a RuntimeError (what thread code
    catches), so existing fallbacks keep working.
    """

    @classmethod
    def unavailable(cls, what, needs):
        """The error for `what` (e.g. "socket.getaddrinfo()"), which needs `needs`
        ("network", "processes" or "threads")."""
        return cls(f"{what} {_NEEDS[needs]}, and {_WHY}")


def _unavailable(what, needs):
    def entry_point(*args, **kwargs):
        raise SandboxError.unavailable(what, needs)

    entry_point.__name__ = what.rsplit(".", 1)[-1].rstrip("()")
    entry_point.__doc__ = f"Not available: {_WHY}."
    return entry_point


# Everything in `socket` that reaches for the network or the name service.
_SOCKET_FUNCTIONS = (
    "getaddrinfo", "getnameinfo", "gethostname", "sethostname", "gethostbyname", "gethostbyname_ex",
    "gethostbyaddr", "getfqdn", "getservbyname", "getservbyport", "getprotobyname",
    "create_connection", "create_server", "socketpair", "fromfd", "if_nameindex", "if_nametoindex",
    "if_indextoname",
)


def _seal_socket(namespace):
    """Called at the end of socket.py: its entry points raise SandboxError."""
    for name in _SOCKET_FUNCTIONS:
        namespace[name] = _unavailable(f"socket.{name}()", "network")
    refuse = _unavailable("socket.socket()", "network")

    def __init__(self, *args, **kwargs):
        refuse()

    namespace["socket"].__init__ = __init__
