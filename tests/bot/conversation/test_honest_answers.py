"""Transcripts in French, Dutch and English of the questions PAT's documents do not answer
(issue #26): dates and format of the trainings, how fast the team answers, an offer in Dutch,
who the trainers are, volunteering, the office address, a peer worker's own pay or benefits,
a peer worker who relapsed, the price. Each gets one honest line and a way to ask the team —
never the form without a word. Through the whole service (classifier, engine, catalogs)."""

from __future__ import annotations

import pytest

from bot.app import App
from bot.conversation.render import Outgoing
from flows.engine import Choice, Start, Text

# (language, what a person types, words of the honest answer in that language)
QUESTIONS = [
    ("fr", "quand est la prochaine formation ?", "Je n'ai pas les dates"),
    ("nl", "wanneer is de volgende opleiding?", "heb ik niet"),
    ("en", "is the training online?", "I don't have the dates"),
    ("fr", "dans combien de temps allez-vous me répondre ?", "Je ne peux pas vous dire"),
    ("nl", "hoe snel antwoorden jullie?", "Ik kan u niet zeggen"),
    ("en", "how fast do you respond?", "I can't tell you"),
    ("fr", "travaillez-vous aussi en Flandre ?", "Je ne sais pas ce que l'équipe"),
    ("nl", "hebben jullie een Nederlandstalig aanbod?", "weet ik niet"),
    ("en", "do you work in Flanders?", "I don't know what the team"),
    ("fr", "qui sont les formateurs ?", "des pair-aidant·e·s"),
    ("nl", "wie zijn de opleiders?", "ervaringsdeskundigen"),
    ("en", "who are the trainers?", "peer workers"),
    ("fr", "est-ce que je peux être bénévole ?", "Je ne sais pas si PAT accueille des bénévoles"),
    ("nl", "kan ik vrijwilliger worden?", "Ik weet niet of PAT vrijwilligers"),
    ("en", "can I volunteer?", "I don't know whether PAT takes volunteers"),
    ("fr", "avez-vous une adresse ?", "Je n'ai ni adresse"),
    ("nl", "wat is jullie adres?", "kantooradres"),
    ("en", "what is your address?", "office address"),
    ("fr", "puis-je garder mes allocations si je travaille comme pair-aidant ?", "votre mutualité"),
    ("nl", "mag ik mijn uitkering houden als ik ervaringsdeskundige word?", "ziekenfonds"),
    ("en", "can I keep my benefits if I work as a peer worker?", "health insurance fund"),
    ("fr", "j'ai replongé et j'ai honte", "107"),
    ("nl", "ik ben hervallen en ik schaam me", "106"),
    ("en", "I relapsed and I feel ashamed", "107"),
    ("fr", "combien de pair-aidants travaillent en Belgique ?", "Je n'ai pas de chiffre"),
    ("nl", "hoeveel ervaringsdeskundigen zijn er in België?", "weet ik niet"),
    ("en", "how many peer workers are there in Belgium?", "I have no figure"),
    ("fr", "quels sont vos tarifs ?", "Je n'ai pas d'information sur les tarifs"),
    ("nl", "wat zijn jullie tarieven?", "Over de tarieven heb ik geen informatie"),
    ("en", "what are your fees?", "I have no information on prices"),
]
CONTACT = {"fr": "Contacter PAT", "nl": "PAT hierover", "en": "Contact PAT"}


async def ask(app: App, key: str, lang: str, typed: str) -> list[Outgoing]:
    """The typed question; a "did you mean" is answered with its first proposal."""
    await app.service.handle(key, Start(locale=lang))
    outs = await app.service.handle(key, Text(typed), locale=lang)
    return outs


# A relapse told with shame may first get the gentle danger check, with the listening lines:
# the safety net comes before any answer (flows/distress.py).
CHECK = {"fr": "en danger", "nl": "in gevaar", "en": "in danger"}


@pytest.mark.parametrize(("lang", "typed", "honest"), QUESTIONS)
async def test_an_honest_line_and_a_way_to_ask_the_team(
    built: App, lang: str, typed: str, honest: str
) -> None:
    key = f"h:{lang}:{abs(hash(typed))}"
    outs = await ask(built, key, lang, typed)
    said = "\n".join(o.text for o in outs)
    if CHECK[lang] in said:
        assert honest in said, (lang, typed, said)  # the listening line of the language
        return
    if honest not in said:  # a "did you mean": one of the proposals is the honest answer
        for button in [b for b in outs[-1].buttons if not b.data.endswith(":_menu")]:
            turn, option = button.data.split(":", 1)
            again = await built.service.handle(key, Choice(option, int(turn)))
            if honest in "\n".join(o.text for o in again):
                outs = again
                break
        said = "\n".join(o.text for o in outs)
    assert honest in said, (lang, typed, said)
    labels = [b.label for b in outs[-1].buttons]
    # or the form, after the honest line: its first question waits with its buttons
    in_the_form = any(honest in o.text for o in outs[:-1]) and bool(outs[-1].buttons)
    assert (
        "pat@smes.be" in said
        or any(label.startswith(CONTACT[lang]) for label in labels)
        or in_the_form
    ), (said, labels)
