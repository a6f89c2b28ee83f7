"""Checks of setting values beyond their type (bot/settings.py): each raises ValueError with
a plain reason, which the settings turn into one line naming the variable."""

from __future__ import annotations

import contextlib
import ipaddress
import re
import ssl
from pathlib import Path


def ca_file(value: Path) -> None:
    """Read once at start-up, as the SMTP transport will: a folder or a missing file is named
    here, not later as a failure to send (or blamed on another setting)."""
    if value.is_dir():
        raise ValueError("a folder, not a file")
    try:
        ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT).load_verify_locations(cafile=str(value))
    except ssl.SSLError:
        raise ValueError("no PEM certificate in it") from None
    except PermissionError:
        raise ValueError("this user may not read it") from None
    except FileNotFoundError:
        raise ValueError("no such file") from None
    except OSError as exc:
        raise ValueError(f"cannot be read ({exc.strerror or type(exc).__name__})") from None


def proxy(value: str) -> None:
    """A reverse proxy whose X-Forwarded-For is believed: an IP address or network."""
    if value == "*":
        raise ValueError("'*' would believe any client's X-Forwarded-For")
    try:
        ipaddress.ip_network(value)  # an address is a network of one
    except ValueError:
        raise ValueError(f"{value!r} is not an IP address or network") from None


_HOST_LABEL = re.compile(r"(?!-)[A-Za-z0-9_-]{1,63}(?<!-)")


def host(value: str) -> None:
    """A host name (letters, digits, - and _ between dots; accented ones in their IDNA form) or
    an IP address, as SMTP and a listening socket take them."""
    try:
        ipaddress.ip_address(value)
        return
    except ValueError:
        pass
    try:
        name = value.encode("idna").decode("ascii").removesuffix(".")
    except UnicodeError:
        name = ""
    labels = name.split(".")
    if (
        not name
        or len(name) > 253
        or not all(_HOST_LABEL.fullmatch(label) for label in labels)
        or labels[-1].isdigit()  # 999.1.1.1 is no IP address, and no name either
    ):
        raise ValueError("not a host name or an IP address")


def ascii_address(address: str) -> None:
    """The bot hands addresses to SMTP without SMTPUTF8 (bot/delivery/transports.py), so an
    address with other letters could never be sent to. An accented domain has an ASCII form."""
    if address.isascii():
        return
    local, _, domain = address.rpartition("@")
    hint = ""
    if local.isascii():
        with contextlib.suppress(UnicodeError):
            hint = f"; write it {local}@{domain.encode('idna').decode('ascii')}"
    raise ValueError(f"letters outside ASCII need SMTPUTF8, which the bot does not use{hint}")
