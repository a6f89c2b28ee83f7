"""Who holds a lease on a request or a digest: this process's name, and whether an owner lives.

Before sending, a process takes a lease in SQLite (storage/deliveries.py) under its name; a
lease whose owner died mid-send on this machine is taken back at once (by the next bot that
starts and by ``pat-bot outbox retry``) instead of blocking the request until it runs out.
"""

from __future__ import annotations

import os
import secrets
import socket

# Who this process is, for the leases it takes. The token tells a restarted process from the
# dead one it replaces when both got the same pid (pid 1 in a container, for instance).
LEASE_OWNER = f"{socket.gethostname()}/{os.getpid()}/{secrets.token_hex(4)}"


def lease_owner_alive(owner: str) -> bool:
    """False only when sure: the owner ran on this host and its process is gone."""
    host, _, rest = owner.partition("/")
    pid_text = rest.partition("/")[0]
    if host != socket.gethostname() or not pid_text.isdigit():
        return True  # another machine or container: its lease runs out on its own
    if owner == LEASE_OWNER:
        return True
    pid = int(pid_text)
    if pid == os.getpid():
        return False  # our pid, not our token: the process before us
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # a process of another user holds that pid
    return True  # alive (or the pid was reused: then the lease simply runs out)
