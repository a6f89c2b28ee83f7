"""Floods and spam: a calm answer, a daily limit, duplicates recognised, nothing lost."""

from __future__ import annotations

import pytest

from bot.app import build_app
from bot.conversation.limits import FloodLimit
from bot.conversation.service import ConversationService
from bot.settings import Settings
from flows import texts
from flows.engine import Text
from storage import deliveries
from tests.helpers import other_request


async def up_to_summary(svc: ConversationService, chat: str, message: str) -> None:
    await other_request(svc, chat, message=message, send=False)


async def test_a_flood_gets_one_calm_answer_then_silence_until_the_minute_passes(
    settings: Settings,
) -> None:
    clock = [1000.0]
    async with build_app(settings, run_worker=False) as app:
        svc = app.service
        svc.flood = FloodLimit(5, clock=lambda: clock[0])
        for _ in range(5):
            assert await svc.handle("tg:1", Text("bonjour"))
        out = await svc.handle("tg:1", Text("bonjour"))
        assert [o.text for o in out] == [texts.SLOW_DOWN]
        assert await svc.handle("tg:1", Text("bonjour")) == []
        assert await svc.handle("tg:2", Text("bonjour"))  # other people are not slowed down
        # Distress is never silenced by the flood limit.
        out = await svc.handle("tg:1", Text("je veux mourir"))
        assert out[0].text.startswith("Merci de me l'avoir écrit") and "112" in out[0].text
        clock[0] += 61
        out = await svc.handle("tg:1", Text("Une formation"))
        assert out[-1].text == "Vous êtes…"
        clock[0] += 3600  # an hour later, the idle are forgotten: memory stays bounded
        svc.flood.check("tg:3")
        assert set(svc.flood._recent) == {"tg:3"}


async def test_at_most_a_few_requests_a_day_and_the_answers_are_kept(
    settings: Settings,
) -> None:
    async with build_app(
        settings.model_copy(update={"max_requests_per_day": 2}), run_worker=False
    ) as app:
        svc = app.service
        for n in range(2):
            await up_to_summary(svc, "tg:3", f"Question numéro {n}")
            out = await svc.handle("tg:3", Text("Envoyer"))
            assert "référence R-" in out[0].text
        await up_to_summary(svc, "tg:3", "Une troisième question")
        out = await svc.handle("tg:3", Text("Envoyer"))
        assert out[0].text == texts.TOO_MANY_REQUESTS
        assert out[-1].text.startswith("Voici votre demande.")
        state = await svc.state_of("tg:3")
        assert state is not None and state.answers["message"] == "Une troisième question"
        assert len(await deliveries.list_requests(app.db)) == 2


async def test_the_same_request_twice_is_sent_once(settings: Settings) -> None:
    async with build_app(settings, run_worker=False) as app:
        svc = app.service
        await up_to_summary(svc, "tg:4", "Pouvez-vous m'appeler ?")
        first = await svc.handle("tg:4", Text("Envoyer"))
        await up_to_summary(svc, "tg:4", "Pouvez-vous m'appeler ?")
        second = await svc.handle("tg:4", Text("Envoyer"))
        (record,) = await deliveries.list_requests(app.db)
        assert second[0].text == texts.DUPLICATE
        assert record.ref in first[0].text and record.ref in second[1].text
        await up_to_summary(svc, "tg:4", "Une autre question")  # different: a new request
        await svc.handle("tg:4", Text("Envoyer"))
        assert len(await deliveries.list_requests(app.db)) == 2


async def test_a_reference_already_taken_is_drawn_again(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with build_app(settings, run_worker=False) as app:
        svc = app.service
        await other_request(svc, "tg:5", message="Première question")
        (first,) = await deliveries.list_requests(app.db)
        drawn = iter([first.ref, first.ref, "R-261122-ZZZZ"])
        monkeypatch.setattr(svc, "_draw_ref", lambda now: next(drawn))
        said = await other_request(svc, "tg:6", message="Deuxième question")
        assert "R-261122-ZZZZ" in said[0]
        refs = sorted(r.ref for r in await deliveries.list_requests(app.db))
        assert refs == sorted([first.ref, "R-261122-ZZZZ"])
        (record,) = [r for r in await deliveries.list_requests(app.db) if r.ref == "R-261122-ZZZZ"]
        assert record.payload is not None and record.payload.ref == "R-261122-ZZZZ"


async def test_a_send_redelivered_after_a_crash_stores_nothing_twice(settings: Settings) -> None:
    async with build_app(settings, run_worker=False) as app:
        svc = app.service
        await up_to_summary(svc, "tg:8", "Une question")
        sent = await svc.handle("tg:8", Text("Envoyer"), update_id=4242)
        assert "référence R-" in sent[0].text
        again = await svc.handle("tg:8", Text("Envoyer"), update_id=4242)
        assert again == []  # already applied: nothing said, nothing stored
        assert await deliveries.count_requests(app.db) == 1
