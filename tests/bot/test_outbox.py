"""A request is stored before delivery; a failed delivery stays pending and is retried."""

from __future__ import annotations

from email import message_from_bytes, policy

from bot.app import build_app
from bot.settings import Settings
from bot.terminal import TerminalChat
from flows.engine import Start, Text
from storage import repo
from tests.helpers import CONTACT


class BrokenTransport:
    """A mail server that is down."""

    def __init__(self) -> None:
        self.calls = 0

    async def send(self, ref: str, message: bytes) -> None:
        self.calls += 1
        raise ConnectionRefusedError("mail server down")


ANSWERS = [
    "Autre chose / parler à une personne",
    "Pouvez-vous m'appeler ?",
    "J'accepte",
    CONTACT["name"],
    "Passer",
    CONTACT["role"],
    CONTACT["email"],
    "Passer",
    "Envoyer",
]


async def run_request(service: object, chat: str) -> list[str]:
    from bot.service import ConversationService

    assert isinstance(service, ConversationService)
    texts: list[str] = []
    await service.handle(chat, Start())
    for answer in ANSWERS:
        texts = [o.text for o in await service.handle(chat, Text(answer))]
    return texts


async def test_request_is_written_to_the_outbox_folder(settings: Settings) -> None:
    async with build_app(settings) as app:
        said = await run_request(app.service, "tg:1")
        (record,) = await repo.list_requests(app.db)
    assert said[0] == f"Merci ! Votre demande est enregistrée sous la référence {record.ref}."
    assert record.status == "delivered" and record.attempts == 1
    eml = settings.outbox_dir / f"{record.ref}.eml"
    mail = message_from_bytes(eml.read_bytes(), policy=policy.default)
    assert mail["Subject"] == f"[PAT] Autre demande · #{record.ref}"
    assert mail["Reply-To"].addresses[0].addr_spec == CONTACT["email"]
    assert list(settings.outbox_dir.iterdir()) == [eml]  # no temporary file left behind


async def test_mail_server_down_keeps_the_request_then_delivers_after_restart(
    settings: Settings,
) -> None:
    broken = BrokenTransport()
    async with build_app(settings, transport=broken) as app:
        said = await run_request(app.service, "tg:2")
        (record,) = await repo.list_requests(app.db)
        # The person still gets the reference: the request is safe in the database.
        assert record.ref in said[0]
        assert record.status == "pending" and record.attempts == 1
        assert record.last_error == "ConnectionRefusedError: mail server down"
    assert broken.calls == 1
    assert not settings.outbox_dir.exists()
    # Next start: the pending request is delivered, once.
    async with build_app(settings) as app:
        (record,) = await repo.list_requests(app.db)
        assert record.status == "delivered"
        assert await app.outbox.deliver_pending() == 0
    assert [p.name for p in settings.outbox_dir.iterdir()] == [f"{record.ref}.eml"]


async def test_terminal_chat_in_process_full_request(settings: Settings) -> None:
    import io

    lines = [
        "5",
        "Bonjour, j'ai une question.",
        "1",
        "Ana Lima",
        "Passer",
        "éducatrice",
        "ana@example.be",
        "0470 12 34 56",
        "3",
        "1",
    ]
    out = io.StringIO()
    async with build_app(settings) as app:
        chat = TerminalChat(app.service, io.StringIO("\n".join(lines) + "\n"), out)
        assert await chat.run() == 0
        (record,) = await repo.list_requests(app.db)
    printed = out.getvalue()
    assert "1) Questions sur la pair-aidance\n" in printed
    assert "[Passer]  [↩ Menu]" in printed
    assert "• Contact préféré : Peu importe" in printed
    assert f"référence {record.ref}." in printed
    assert record.payload.value("phone") == "+32 470 12 34 56"
    assert "> " not in printed  # no prompt when stdin is not a terminal
