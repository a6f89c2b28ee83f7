"""The web channel's guards, against a real ``pat-bot web`` process over HTTP and WebSocket:
the session cookie, origins, the Content-Security-Policy, sizes and rates, the fallback."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
import websocket

from bot.channels.web.pages import SCRIPTS
from tests.bot.web_server import Site


def session(port: int) -> tuple[httpx.Response, str]:
    page = httpx.get(f"http://127.0.0.1:{port}/?lang=fr", timeout=10)
    cookie = page.headers["set-cookie"]
    return page, cookie.split(";")[0].split("=", 1)[1]


def connect(port: int, sid: str | None, origin: str | None = None) -> websocket.WebSocket:
    headers = [f"Cookie: __Host-pat_session={sid}"] if sid else []
    return websocket.create_connection(
        f"ws://127.0.0.1:{port}/ws?lang=fr",
        header=headers,
        origin=origin or f"http://127.0.0.1:{port}",
        timeout=10,
    )


def ask(ws: websocket.WebSocket, event: dict[str, Any]) -> list[str]:
    ws.send(json.dumps(event))
    return [m["text"] for m in json.loads(ws.recv())["messages"]]


def test_the_page_sets_one_strict_cookie_and_a_strict_policy(
    web: tuple[int, Path], site: Site
) -> None:
    port, _ = web
    page, sid = session(port)
    assert page.status_code == 200 and len(sid) >= 32
    flags = [part.strip() for part in page.headers["set-cookie"].split(";")]
    for flag in ("HttpOnly", "Secure", "SameSite=None", "Partitioned", "Path=/"):
        assert flag in flags
    # Coming back renews the same session: it lasts as long after the last visit as an
    # unfinished conversation is kept (the notice says so).
    again = httpx.get(f"http://127.0.0.1:{port}/", cookies={"__Host-pat_session": sid}, timeout=10)
    renewed = [part.strip() for part in again.headers["set-cookie"].split(";")]
    assert renewed[0] == f"__Host-pat_session={sid}" and f"Max-Age={7 * 86_400}" in renewed
    policy = page.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "script-src 'self'" in policy
    assert f"frame-ancestors 'self' http://localhost:{site.port}" in policy
    assert page.headers["x-content-type-options"] == "nosniff"
    assert "<script>" not in page.text and "style=" not in page.text  # nothing inline
    named = re.findall(r'<script src="static/([a-z]+\.js)" defer></script>', page.text)
    assert tuple(named) == SCRIPTS  # in order, chat.js last: it uses the others
    for name in named:  # each served from this origin (script-src 'self')
        script = httpx.get(f"http://127.0.0.1:{port}/static/{name}", timeout=10)
        assert script.status_code == 200
        assert script.headers["content-type"].startswith("text/javascript")
    widget = httpx.get(f"http://127.0.0.1:{port}/widget.js", timeout=10)
    assert widget.headers["content-type"].startswith("text/javascript")
    assert "Een vraag over ervaringsdeskundigheid?" in widget.text  # its words, translated
    assert httpx.get(f"http://127.0.0.1:{port}/static/../pat.sqlite3", timeout=10).status_code in (
        404,
        400,
    )


def test_the_websocket_needs_the_session_and_an_allowed_origin(
    web: tuple[int, Path], site: Site
) -> None:
    port, _ = web
    _, sid = session(port)
    with pytest.raises(websocket.WebSocketBadStatusException):
        connect(port, None)  # no session
    with pytest.raises(websocket.WebSocketBadStatusException):
        connect(port, sid, origin="https://evil.example")
    ws = connect(port, sid, origin=f"http://localhost:{site.port}")  # an allowed site
    said = ask(ws, {"t": "start"})
    assert said[-1] == "Que puis-je faire pour vous ?"
    assert ask(ws, {"t": "what?"})[0].startswith("Je suis un robot et je comprends surtout")
    ws.send("not json at all")
    assert json.loads(ws.recv())["messages"][0]["text"].startswith("Je suis un robot")
    ws.close()


def test_sizes_are_bounded_and_texts_stay_text(web: tuple[int, Path]) -> None:
    port, _ = web
    _, sid = session(port)
    ws = connect(port, sid)
    ask(ws, {"t": "start"})
    said = ask(ws, {"t": "text", "text": "x" * 2500})  # what a page without its check sends
    assert said[0] == (
        "Votre message fait 2\u202f500 caractères ; la limite est de 2\u202f000. "
        "Pouvez-vous le raccourcir ?"
    )
    echoed = ask(ws, {"t": "text", "text": "<img src=x onerror=alert(1)>"})
    assert all("<img" not in text or "onerror" in text for text in echoed)  # sent as text
    ws.send(json.dumps({"t": "text", "text": "y" * 20_000}))  # over 16 KiB: the socket closes
    with pytest.raises((websocket.WebSocketConnectionClosedException, ConnectionError)):
        ws.recv()
        ws.recv()


def test_the_http_fallback_answers_like_the_socket(web: tuple[int, Path]) -> None:
    port, _ = web
    _, sid = session(port)
    url = f"http://127.0.0.1:{port}/api/event"
    answer = httpx.post(url, json={"t": "start"}, cookies={"__Host-pat_session": sid}, timeout=10)
    assert answer.json()["messages"][-1]["text"] == "Que puis-je faire pour vous ?"
    assert httpx.post(url, json={"t": "start"}, timeout=10).status_code == 403
    evil = httpx.post(
        url,
        json={"t": "start"},
        cookies={"__Host-pat_session": sid},
        headers={"Origin": "https://evil.example"},
        timeout=10,
    )
    assert evil.status_code == 403
    huge = httpx.post(
        url, content=b"{" + b" " * 20_000 + b"}", cookies={"__Host-pat_session": sid}, timeout=10
    )
    assert huge.status_code == 413


def test_one_address_cannot_flood_with_many_sessions(web: tuple[int, Path]) -> None:
    port, _ = web
    said: list[str] = []
    for _ in range(6):  # six sessions, each under its own limit (30 a minute)
        _, sid = session(port)
        ws = connect(port, sid)
        for _ in range(25):
            said += ask(ws, {"t": "text", "text": "bonjour"})
        ws.close()
    assert any(text.startswith("Je reçois beaucoup de messages d'un coup.") for text in said)


def test_odd_frames_get_the_usual_answer_and_the_socket_stays(web: tuple[int, Path]) -> None:
    """Binary frames, JSON nested too deep, numbers too long: never a crash."""
    port, _ = web
    _, sid = session(port)
    ws = connect(port, sid)
    ask(ws, {"t": "start"})
    ws.send_binary(b"\x00\x01binary")
    assert json.loads(ws.recv())["messages"][0]["text"].startswith("Je suis un robot")
    for odd in ("[" * 5000, "9" * 5000):
        ws.send(odd)
        assert json.loads(ws.recv())["messages"][0]["text"].startswith("Je suis un robot")
    assert ask(ws, {"t": "text", "text": "/menu"})[-1] == "Que puis-je faire pour vous ?"
    ws.close()
    url = f"http://127.0.0.1:{port}/api/event"
    deep = httpx.post(url, content=b"[" * 5000, cookies={"__Host-pat_session": sid}, timeout=10)
    assert deep.status_code == 200


def test_one_address_cannot_hold_many_sockets(web: tuple[int, Path]) -> None:
    port, _ = web
    _, sid = session(port)
    held = [connect(port, sid) for _ in range(20)]
    with pytest.raises(websocket.WebSocketBadStatusException):
        connect(port, sid)
    held.pop().close()
    for _ in range(50):  # the slot comes back once the server has seen the close
        try:
            held.append(connect(port, sid))
            break
        except websocket.WebSocketBadStatusException:
            import time

            time.sleep(0.1)
    assert len(held) == 20
    for ws in held:
        ws.close()


def test_a_taken_port_is_one_line_and_an_exit(tmp_path: Path) -> None:
    import os
    import socket
    import subprocess
    import sys

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = {k: v for k, v in os.environ.items() if not k.startswith("PAT_")}
        env.update(PAT_DATA_DIR=str(tmp_path / "data"), PAT_WEB_PORT=str(port))
        done = subprocess.run(
            [str(Path(sys.executable).parent / "pat-bot"), "web"],
            env=env,
            capture_output=True,
            text=True,
            timeout=30,  # it used to wait for ever
        )
    assert done.returncode == 1
    (line,) = [x for x in done.stderr.splitlines() if x.startswith("pat-bot:")]
    assert f"cannot listen on 127.0.0.1:{port}" in line and "PAT_WEB_PORT" in line
    assert "Traceback" not in done.stderr


def test_the_page_language_is_taken_from_start_also_over_the_http_fallback() -> None:
    """Found by a hostile tester: the HTTP fallback has no ?lang, and the page's language was
    lost (French help lines on a Dutch page)."""
    from bot.channels.web.browser import event_of as _event
    from flows.engine import Start

    assert _event({"t": "start", "lang": "nl"}, "fr") == Start(locale="nl")
    assert _event({"t": "start", "lang": "xx"}, "fr") == Start(locale="fr")


def test_only_belgian_phone_numbers_become_tel_links() -> None:
    from bot.channels.links import parts

    def linked(text: str) -> list[str]:
        return [link for _, link in parts(text) if link]

    assert linked("0800 32 123 · 070 245 245 · 0470 12 34 56 · +32 470 12 34 56") == [
        "tel:+3280032123",
        "tel:+3270245245",
        "tel:+32470123456",
        "tel:+32470123456",
    ]
    assert linked("le 06.12.2026, compte 0961 2345 6789, 0470123456789, 2000 caractères") == []


def test_text_is_given_back_whole_and_an_example_address_is_no_link() -> None:
    from bot.channels.links import parts

    for text in (
        "n° 0123456789012 puis 112",  # a figure that is not a phone number, then one that is
        "Exemple : prenom.nom@exemple.be, ou écrivez à pat@smes.be",
    ):
        pieces = parts(text)
        assert "".join(piece for piece, _ in pieces) == text  # nothing said twice or lost
    assert [link for _, link in parts(text) if link] == ["mailto:pat@smes.be"]
    assert [link for _, link in parts(pieces[0][0]) if link] == []


def whole_request(port: int, message: str) -> list[str]:
    """A fresh cookie and a whole 'something else' request over the WebSocket; what the bot
    said last."""
    _, sid = session(port)
    ws = connect(port, sid)
    said = ask(ws, {"t": "start"})
    for answer in [
        "Autre chose / parler à une personne",
        message,
        "J'accepte",
        "Camille Test",
        "Passer",
        "coordinatrice",
        "camille@example.org",
        "Passer",
        "Envoyer",
    ]:
        said = ask(ws, {"t": "text", "text": answer})
    ws.close()
    return said


def test_fresh_cookies_do_not_pass_the_daily_limit_of_requests(web: tuple[int, Path]) -> None:
    """Seen by the tester: 12 requests reached PAT's mailbox in one second from one address,
    each under a new cookie. An address may send three people's worth a day (an office
    behind one address), then is asked to write to pat@smes.be."""
    port, data = web
    answers = [whole_request(port, f"Demande numéro {n}") for n in range(10)]
    refused = [said for said in answers if any("plusieurs demandes" in t for t in said)]
    assert len(refused) == 1 and answers[-1] == refused[0]
    assert all(any("R-" in t for t in said) for said in answers[:9])
    for _ in range(200):  # the bot's worker files them in the .eml folder
        if len(list((data / "outbox").glob("R-*.eml"))) >= 9:
            break
        time.sleep(0.05)
    assert len(list((data / "outbox").glob("R-*.eml"))) == 9


def test_the_slow_down_is_said_once_then_silence(web: tuple[int, Path]) -> None:
    """Seen by the tester: the per-address slow-down was answered on every message."""
    port, _ = web
    said: list[str] = []
    for _ in range(5):  # five sessions under their own limit, 130 messages from one address
        _, sid = session(port)
        ws = connect(port, sid)
        for _ in range(26):
            said += ask(ws, {"t": "text", "text": "bonjour"})
        ws.close()
    slow = [text for text in said if text.startswith("Je reçois beaucoup de messages")]
    assert len(slow) == 1
