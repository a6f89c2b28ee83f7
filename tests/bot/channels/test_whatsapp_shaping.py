"""How our messages become WhatsApp messages (bot/channels/whatsapp/shaping.py), what a webhook
body is read as (webhook.py), and that a WhatsApp chat key never reaches a log line."""

from __future__ import annotations

import logging

from bot.channels.whatsapp.channel import update_id
from bot.channels.whatsapp.shaping import messages_for, shorten
from bot.channels.whatsapp.webhook import Incoming, parse, signed
from bot.channels.whatsapp.words import event_of
from bot.conversation.i18n import Catalogs
from bot.conversation.render import OutButton, Outgoing
from bot.logs import RedactingFilter
from flows.engine import Choice, Command, Text

T = Catalogs().get("fr")


def buttons(*labels: str) -> tuple[OutButton, ...]:
    return tuple(OutButton(f"3:b{i}", label) for i, label in enumerate(labels))


def test_labels_are_shortened_at_a_word_boundary_never_mid_word() -> None:
    assert shorten("Une formation", 24) == "Une formation"
    assert shorten("Accompagner mon organisation", 24) == "Accompagner mon…"
    assert shorten("Autre chose / parler à une personne", 24) == "Autre chose / parler à…"
    assert shorten("Anticonstitutionnellement", 10) == "Anticonst…"  # one word: the exception


def test_three_short_choices_are_reply_buttons_more_or_longer_a_list() -> None:
    (three,) = messages_for(Outgoing("Tout est juste ?", buttons("Envoyer", "Corriger", "Menu")), T)
    assert three["interactive"]["type"] == "button"
    (long,) = messages_for(Outgoing("?", buttons("Oui", "Vos données, en détail")), T)
    rows = long["interactive"]["action"]["sections"][0]["rows"]
    assert long["interactive"]["action"]["button"] == "Choisir"
    assert rows[1] == {"id": "3:b1", "title": "Vos données, en détail"}  # 22: fits a row
    (four,) = messages_for(Outgoing("?", buttons("a", "b", "c", "d")), T)
    assert four["interactive"]["type"] == "list"


def test_more_than_ten_choices_go_on_in_a_second_list() -> None:
    first, second = messages_for(Outgoing("Quel sujet ?", buttons(*"abcdefghijkl")), T)
    assert first["interactive"]["body"]["text"] == "Quel sujet ?"
    assert len(first["interactive"]["action"]["sections"][0]["rows"]) == 10
    assert second["interactive"]["body"]["text"] == "Autres choix :"
    assert [r["title"] for r in second["interactive"]["action"]["sections"][0]["rows"]] == [
        "k",
        "l",
    ]


def test_a_text_too_long_for_buttons_goes_first_then_the_buttons() -> None:
    text = "mot " * 300
    first, then = messages_for(Outgoing(text, buttons("Oui", "Non")), T)
    assert first == {"type": "text", "text": {"body": text, "preview_url": False}}
    assert then["interactive"]["body"]["text"] == "Votre choix :"


def test_what_a_webhook_body_is_read_as() -> None:
    value = {
        "metadata": {"phone_number_id": "42"},
        "messages": [
            {
                "from": "3247",
                "id": "wamid.1",
                "timestamp": "9",
                "type": "text",
                "text": {"body": "Hi"},
            },
            {"from": "3247", "id": "wamid.2", "timestamp": "9", "type": "sticker", "sticker": {}},
            {"from": "3247", "id": "wamid.3", "timestamp": "9", "type": "system", "system": {}},
            {"from": "+32", "id": "wamid.4", "timestamp": "9", "type": "text", "text": {}},
        ],
        "statuses": [{"id": "wamid.0", "status": "read"}],
    }
    body = {"entry": [{"changes": [{"field": "messages", "value": value}]}]}
    assert parse(body, "42") == [
        Incoming("3247", "wamid.1", 9, "text", "Hi"),
        Incoming("3247", "wamid.2", 9, "other"),
    ]
    assert parse(body, "43") == []  # another number of the same app
    assert parse({"entry": "nonsense"}, "42") == []


def test_words_are_commands_and_presses_are_choices() -> None:
    def read(text: str, kind: str = "text") -> object:
        return event_of(Incoming("3247", "w", 0, kind, text))

    assert read("effacer") == Command("forget") == read(" Wissen ") == read("/forget")
    assert read("taal") == Command("language") and read("Aide") == Command("urgent")
    assert read("effacer mes données") == Text("effacer mes données")
    assert read("12:training", "choice") == Choice("training", turn=12)
    assert read("not ours", "choice") == Choice("_unknown", turn=-1)


def test_message_ids_are_recorded_above_telegrams_update_ids() -> None:
    assert update_id("wamid.A") == update_id("wamid.A") != update_id("wamid.B")
    assert 2**62 <= update_id("wamid.A") < 2**63


def test_the_signature_is_the_bodys_hmac() -> None:
    sig = "sha256=" + "0" * 64
    assert not signed(b"{}", sig, b"s") and not signed(b"{}", None, b"s")


def test_a_whatsapp_chat_key_in_a_log_line_is_masked() -> None:
    record = logging.LogRecord("x", logging.INFO, "", 0, "chat %s", ("wa:+32470123456",), None)
    RedactingFilter().filter(record)
    assert "32470123456" not in record.getMessage()
