"""The web channel: the same front door on a web page, an adapter like bot/channels/terminal.py.

Starlette serves a chat page at ``/`` (for a link or a QR code), ``/widget.js`` (one line on
PAT's site opens that page in a panel, in an iframe), the page's script and style, and a
WebSocket at ``/ws`` — with ``POST /api/event`` as a plain HTTP fallback. Both turn what the
browser sends into engine events for ``ConversationService.handle`` and send back what it
renders; no flow logic lives here.

- Session: a random id in one cookie (``HttpOnly``, ``Secure``, ``SameSite=None``,
  ``Partitioned`` so that it also works inside the widget's iframe); chat key ``web:<id>``.
- Safety: the WebSocket and the fallback accept only the page's own origin and
  ``PAT_WEB_ALLOWED_ORIGINS``; the page may be framed only by those origins (CSP
  ``frame-ancestors``); a strict Content-Security-Policy; per-session limits (the service's)
  and per-address limits (here); a message bound (the engine's 2,000 characters, and 16 KiB
  per WebSocket frame); every text is put in the page as text, never as HTML.

The modules: ``channel`` (the routes, the WebSocket and the fallback), ``browser`` (what a
browser message means, and the JSON it gets back), ``sessions`` (the cookie, origins and
per-address limits), ``pages`` (the page, the widget, their scripts and style, from
bot/channels/webui/), ``resume`` (a page opened again: where the person is), ``diagnose``
(works, or says why: no session cookie, a site not allowed) and ``server`` (uvicorn inside
pat-bot's loop).
"""

from bot.channels.web.channel import WebChannel
from bot.channels.web.server import CannotListen, serve

__all__ = ["CannotListen", "WebChannel", "serve"]
