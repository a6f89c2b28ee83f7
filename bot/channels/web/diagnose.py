"""The web channel works, or says why: when the browser did not keep the session cookie, and when
a site that is not allowed tries to show the widget.

The session cookie is ``Secure`` (and ``__Host-``): a browser keeps it only over HTTPS, or at a
local address (``localhost``, ``127.0.0.1``, ``[::1]``), which browsers treat as secure. Over
plain HTTP at any other name, or in the widget's frame when the browser blocks the cookies of
other sites, the page has no session and the chat cannot work. Then:

- the page asks ``/api/session`` right after loading, and gets ``{"session": false}`` with one
  kind line for the person (write to pat@smes.be, as pieces with their ``mailto:`` link);
- the operator reads the likely cause in the log, once per cause (no address, no id);
- ``pat-bot web`` says at start-up what it can know: it serves plain HTTP, so people must reach
  it through an HTTPS reverse proxy unless it runs on this machine only;
- the widget asks ``/api/widget`` (no cookie, any origin may ask) whether the site it is on may
  show the chat, and shows a message instead of a broken frame when it may not.
"""

from __future__ import annotations

import ipaddress
import logging
import re

from starlette.requests import Request
from starlette.responses import JSONResponse

from bot.channels.links import parts
from bot.channels.web.sessions import locale_of, session_of
from bot.conversation.i18n import Catalogs
from flows import texts
from flows.texts import N_

log = logging.getLogger(__name__)

NO_SESSION = N_(
    "Désolé, le chat ne fonctionne pas ici. Vous pouvez écrire à l'équipe de PAT : pat@smes.be"
)
NOT_ON_THIS_SITE = N_(
    "Le chat de PAT ne peut pas s'ouvrir ici. En cas de danger, appelez le 112. "
    "Vous pouvez écrire à l'équipe de PAT : pat@smes.be"
)

CAUSES = {
    "insecure": "the web page was opened over plain HTTP at a name that is not local (%s): "
    "browsers refuse its Secure session cookie there, so the chat cannot work; serve it over "
    "HTTPS (docs/deploy.md). The person is told to write to PAT instead",
    "third-party": "the widget's frame came without its session cookie: a browser blocks the "
    "cookies of other sites in frames. The person is told to write to PAT instead",
    "refused": "a page came back without its session cookie: a browser refuses cookies. "
    "The person is told to write to PAT instead",
    "widget": "a site that is not in PAT_WEB_ALLOWED_ORIGINS tried to show the widget (%s); "
    "its visitors are told to write to PAT instead",
}


def is_local(host: str) -> bool:
    """Whether browsers treat ``host`` as secure over plain HTTP (loopback names and addresses)."""
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _shown(value: str) -> str:
    """A name or origin as a log line may show it: its plain characters, 100 at most."""
    return re.sub(r"[^A-Za-z0-9.:/-]", "?", value)[:100]


def startup_line(host: str, port: int) -> tuple[int, str]:
    """What ``pat-bot web`` can honestly say of its address at start-up (a log level, a line).

    It serves plain HTTP and has no setting for its public address: on a loopback address it
    works as it is for whoever opens it on this machine; on any other it works for people only
    behind an HTTPS reverse proxy, which the bot cannot see from here."""
    where = f"[{host}]" if ":" in host else host
    if is_local(host):
        return logging.INFO, (
            f"web channel on http://{where}:{port}/ (plain HTTP: fine on this machine, where "
            "browsers treat it as secure; for other people, put it behind an HTTPS reverse proxy)"
        )
    return logging.WARNING, (
        f"web channel on {where}:{port} over plain HTTP: browsers refuse its session cookie at "
        "any name but localhost, so people can use it only through an HTTPS reverse proxy "
        "(docs/deploy.md)"
    )


class Diagnosis:
    """The two questions a page and the widget ask, and the log lines, once per cause."""

    def __init__(self, catalogs: Catalogs, default_locale: str, allowed: set[str]) -> None:
        self.catalogs = catalogs
        self.default_locale = default_locale
        self.allowed = allowed
        self.reported: set[str] = set()

    def report(self, cause: str, detail: str = "") -> None:
        if cause not in self.reported:
            self.reported.add(cause)
            log.warning(CAUSES[cause].replace("%s", _shown(detail)))

    def said(self, request: Request, msgid: str) -> list[list[str | None]]:
        t = self.catalogs.get(locale_of(request, self.default_locale))
        return [[piece, link] for piece, link in parts(t.gettext(msgid))]

    async def session(self, request: Request) -> JSONResponse:
        """``GET /api/session?secure=0|1&framed=0|1``: whether the page's cookie came back;
        if not, the kind line, and the likely cause in the log (the page says how it was
        opened: only the browser knows its scheme behind a proxy, and whether it is framed)."""
        headers = {"Cache-Control": "no-store"}
        if session_of(request) is not None:
            return JSONResponse({"session": True}, headers=headers)
        host = request.url.hostname or ""
        if request.query_params.get("secure") == "0" and not is_local(host):
            self.report("insecure", host)
        elif request.query_params.get("framed") == "1":
            self.report("third-party")
        else:
            self.report("refused")
        # The help lines need no session: the page's help button shows them all the same.
        body = {
            "session": False,
            "parts": self.said(request, NO_SESSION),
            "help": self.said(request, texts.HELP_NOW),
        }
        return JSONResponse(body, headers=headers)

    async def widget(self, request: Request) -> JSONResponse:
        """``GET /api/widget``: whether the site the widget is on (the browser's ``Origin``)
        may show the chat. No cookie is read or set; any site may ask."""
        origin = request.headers.get("origin", "")
        own = origin.split("://", 1)[-1] == request.headers.get("host")
        allowed = origin in self.allowed or own
        if not allowed:
            self.report("widget", origin or "no origin")
        headers = {"Access-Control-Allow-Origin": "*", "Cache-Control": "no-store"}
        return JSONResponse({"allowed": allowed}, headers=headers)
