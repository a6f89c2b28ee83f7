"""The privacy notice (GDPR art. 13) on every channel and in every language, the settings PAT
fills in for it, and the special category (art. 9): the warning before the first question that
can reveal health, and « Je préfère ne pas le dire » wherever such a question is asked."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.app import build_app
from bot.channels.web.browser import event_of
from bot.channels.web.pages import UI, chat_page
from bot.conversation.i18n import Catalogs
from bot.delivery.mail import text_body
from bot.settings import Settings
from flows import texts
from flows.engine import Choice, Command, Say, Start, Submit, Text
from flows.loader import FlowError, FlowSet, load_flows
from flows.locales import LOCALES
from flows.schema import ChoiceStep, InputStep
from storage import deliveries
from tests.helpers import Walk, give_contact

ROOT = Path(__file__).resolve().parents[3]
CHANNELS = ("telegram", "web", "terminal", "whatsapp")

# Each item of art. 13 the notice must name, as it reads in each language (issue #26, 3).
REQUIRED = {
    "fr": {
        "controller": "L'asbl Smes",
        "contact": "pat@smes.be",
        "purpose and consent": "seulement pour que l'équipe PAT traite votre demande",
        "legal basis: consent": "accord (consentement)",
        "explicit consent, art. 9": "accord explicite (RGPD, art. 9)",
        "distress check": "semble parler de détresse",
        "its legal basis": "intérêt vital",
        "processors": "sous-traitants",
        "retention in the bot": "effacée après 7 jours",
        "retention of requests": "30 jours après son envoi",
        "retention in the mailbox": "l'e-mail de votre demande",
        "access": "accéder à vos données",
        "rectification": "corriger",
        "erasure": "effacer",
        "restriction": "en limiter l'usage",
        "portability": "portabilité",
        "objection": "vous opposer",
        "withdrawal without effect on the past": "sans effet sur ce qui a été fait avant",
        "authority": "Autorité de protection des données : rue de la Presse 35",
    },
    "nl": {
        "controller": "De vzw Smes",
        "contact": "pat@smes.be",
        "purpose and consent": "alleen zodat het PAT-team uw aanvraag kan behandelen",
        "legal basis: consent": "rechtsgrond is uw toestemming",
        "explicit consent, art. 9": "uitdrukkelijke toestemming (AVG, art. 9)",
        "distress check": "in nood is",
        "its legal basis": "vitaal belang",
        "processors": "verwerkers",
        "retention in the bot": "na 7 dagen gewist",
        "retention of requests": "30 dagen na verzending",
        "retention in the mailbox": "de e-mail met uw aanvraag",
        "access": "inkijken",
        "rectification": "verbeteren",
        "erasure": "wissen",
        "restriction": "beperken",
        "portability": "overdraagbaarheid",
        "objection": "bezwaar maken",
        "withdrawal without effect on the past": "zonder gevolgen voor wat al gebeurd is",
        "authority": "Gegevensbeschermingsautoriteit: Drukpersstraat 35",
    },
    "en": {
        "controller": "The non-profit Smes",
        "contact": "pat@smes.be",
        "purpose and consent": "only so that the PAT team can deal with your request",
        "legal basis: consent": "legal basis is your consent",
        "explicit consent, art. 9": "explicit consent (GDPR, Art. 9)",
        "distress check": "seems to be about distress",
        "its legal basis": "vital interests",
        "processors": "processors",
        "retention in the bot": "deleted after 7 days",
        "retention of requests": "30 days after it was sent",
        "retention in the mailbox": "the e-mail of your request",
        "access": "see your data",
        "rectification": "corrected",
        "erasure": "erased",
        "restriction": "limit its use",
        "portability": "portability",
        "objection": "object to its use",
        "withdrawal without effect on the past": "without affecting what was already done",
        "authority": "Data Protection Authority (APD/GBA): Rue de la Presse 35",
    },
}
# What only one channel's notice says (its processors and its own facts), per language.
ONLY_HERE: dict[str, dict[str, list[str]]] = {
    "telegram": {
        "fr": ["Telegram", "nom d'utilisateur", "telegram.org/privacy", "Telegram peut les tr"],
        "nl": ["Telegram", "gebruikersnaam", "telegram.org/privacy", "Telegram kan uw gegevens"],
        "en": ["Telegram", "username", "telegram.org/privacy", "Telegram may transfer"],
    },
    # Meta named as a controller of its own, with its transfers; the number as the chat's key.
    "whatsapp": {
        "fr": [
            "WhatsApp (Meta) est responsable de vos données",
            "Meta peut les transférer hors de l'Union",
            "le robot reconnaît votre conversation à votre numéro",
            "« effacer »",
            "votre numéro disparaît d'ici 7 jours",
            "serveurs de Meta",
        ],
        "nl": [
            "WhatsApp (Meta) verantwoordelijk voor uw gegevens",
            "Meta kan ze buiten de Europese Unie doorgeven",
            "herkent de robot uw gesprek aan uw telefoonnummer",
            "„Wissen”",
            "uw nummer verdwijnt hier 7 dagen",
            "servers van Meta",
        ],
        "en": [
            "WhatsApp (Meta) is responsible for your data",
            "Meta may transfer it outside the European Union",
            "the bot knows your conversation by your phone number",
            "“forget”",
            "your number is gone from here 7 days",
            "Meta's servers",
        ],
    },
    "web": {
        "fr": [
            "cookie",
            "adresse IP",
            "en mémoire",
            "ni dans mes journaux",
            "7 jours après votre dernière visite",
        ],
        "nl": [
            "cookie",
            "IP-adres",
            "in het geheugen",
            "logbestanden",
            "tot 7 dagen na uw laatste bezoek",
        ],
        "en": [
            "cookie",
            "IP address",
            "in memory",
            "my logs",
            "up to 7 days after your last visit",
        ],
    },
    "terminal": {"fr": [], "nl": [], "en": []},
}
# The alternatives shown while PAT has not filled in the settings: ask pat@smes.be.
ASK = {
    "fr": ["l'adresse postale du Smes vous sera donnée sur demande", "Leurs noms : sur demande"],
    "nl": ["op aanvraag ook het postadres van Smes", "Hun namen krijgt u op aanvraag"],
    "en": ["ask there for Smes's postal address", "Ask pat@smes.be for their names"],
}
FILLED = {
    "controller_address": "Rue Exemple 1, 1000 Bruxelles",
    "privacy_contact": "dpo@example.org",
    "privacy_hosting": "Hébergeur Exemple SA (Belgique)",
    "privacy_mail_provider": "Courrier Exemple SRL (Belgique)",
    "mailbox_retention_days": 365,
}


def key_of(channel: str, locale: str) -> str:
    keys = {
        "telegram": f"tg:7{LOCALES.index(locale)}",
        "web": f"web:{locale}" + "s" * 30,
        "whatsapp": f"wa:+3247000000{LOCALES.index(locale)}",
    }
    return keys.get(channel, f"terminal:{locale}")


async def printed(settings: Settings, channel: str, locale: str, *, staff: bool = False) -> str:
    """/privacy as the person reads it on ``channel`` in ``locale`` (without the question
    repeated after it); ``staff``: a staff chat on Telegram, so a person may answer there."""
    async with build_app(settings, run_worker=False) as app:
        if staff:
            app.handoff.telegram_staff = ["tg-staff:-100"]
        key = key_of(channel, locale)
        await app.service.handle(key, Start(), locale=locale)
        out = await app.service.handle(key, Command("privacy"))
    assert out[-1].buttons  # the question the person was at, asked again
    return "\n".join(o.text for o in out[:-1])


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("channel", CHANNELS)
async def test_the_notice_names_every_item_and_only_this_channels_own(
    settings: Settings, channel: str, locale: str
) -> None:
    notice = await printed(settings, channel, locale)
    missing = [item for item, marker in REQUIRED[locale].items() if marker not in notice]
    assert missing == []
    for marker in ONLY_HERE[channel][locale]:
        assert marker in notice, marker
    for other in CHANNELS:
        if other != channel:
            for marker in ONLY_HERE[other][locale]:
                assert marker not in notice, f"{other}'s {marker!r} on {channel}"
    if channel != "telegram":
        assert "telegram" not in notice.lower()  # not even its username
    if channel != "web":
        assert "cookie" not in notice.lower() and " IP" not in notice
    for ask in ASK[locale]:  # PAT has filled in nothing: the notice says to ask, never a name
        assert ask in notice
    assert "{" not in notice and "}" not in notice


@pytest.mark.parametrize("channel", CHANNELS)
async def test_what_pat_fills_in_is_shown_instead_of_asking(
    settings: Settings, channel: str
) -> None:
    filled = settings.model_copy(update=FILLED)
    notice = await printed(filled, channel, "fr")
    assert "L'asbl Smes (Rue Exemple 1, 1000 Bruxelles)" in notice
    assert "Contact pour la protection des données : dpo@example.org." in notice
    assert "Hébergeur Exemple SA (Belgique) héberge le robot" in notice
    assert "Courrier Exemple SRL (Belgique) gère les e-mails" in notice
    assert "dans sa boîte 365 jours au plus" in notice
    assert "sur demande" not in notice and "Pour savoir combien de temps" not in notice
    assert "sous-traitants" in notice and "{" not in notice
    notice = await printed(filled, channel, "nl")
    assert "Hébergeur Exemple SA (Belgique) host de robot" in notice
    assert "maximaal 365 dagen" in notice and "op aanvraag" not in notice


async def test_one_missing_processor_is_asked_for_not_guessed(settings: Settings) -> None:
    half = settings.model_copy(update={"privacy_hosting": "Hébergeur Exemple SA"})
    notice = await printed(half, "web", "fr")
    assert "Hébergeur Exemple SA" not in notice  # never half a list of processors
    assert "Leurs noms : sur demande à pat@smes.be." in notice


@pytest.mark.parametrize("locale", LOCALES)
async def test_the_hand_off_is_told_only_where_a_person_can_answer(
    settings: Settings, locale: str
) -> None:
    """The hand-off forwards the person's messages and flags distress to staff: said on
    Telegram and on the web page when PAT has a staff chat (staff answer both there), and in
    the terminal (pat-bot staff)."""
    handoff = {"fr": "lui signale ceux qui", "nl": "meldt het als", "en": "flags any"}[locale]
    said_distress_only_shows_lines = {
        "fr": "sert seulement à vous montrer",
        "nl": "alleen om u hulplijnen",
        "en": "only use it to show",
    }[locale]
    on_telegram = await printed(settings, "telegram", locale, staff=True)
    assert handoff in on_telegram and said_distress_only_shows_lines not in on_telegram
    assert handoff not in await printed(settings, "telegram", locale)  # no staff chat
    assert handoff in await printed(settings, "terminal", locale)
    waits = {
        "fr": "pendant que cette page est fermée",
        "nl": "terwijl deze pagina gesloten",
        "en": "while this page is closed",
    }[locale]
    on_the_page = await printed(settings, "web", locale, staff=True)
    assert handoff in on_the_page and waits in on_the_page  # and how long a message waits
    assert "{" not in on_the_page
    assert waits not in on_telegram
    assert handoff not in await printed(settings, "web", locale)  # no staff chat
    # Where the person is not on Telegram, the notice says staff answer from Telegram.
    desk = {"fr": "depuis Telegram", "nl": "via Telegram", "en": "through Telegram"}[locale]
    on_whatsapp = await printed(settings, "whatsapp", locale, staff=True)
    assert desk in on_the_page and desk in on_whatsapp and handoff in on_whatsapp
    assert desk not in on_telegram


def test_every_bubble_has_its_sources_or_only_shows_a_setting() -> None:
    for text in (*texts.PRIVACY_NOTICE, texts.CONSENT_TELEGRAM, texts.PRIVACY_ART9):
        assert text in texts.SOURCES or text in texts.ONLY_WITH, text
    for alternative, names in texts.ONLY_WITHOUT.items():
        assert alternative in texts.PRIVACY_NOTICE and names in texts.ONLY_WITH.values()
    assert {c for names in texts.ONLY_ON.values() for c in names} <= set(CHANNELS)


# -- the start-up warning -----------------------------------------------------------------------

PRIVACY_VARIABLES = (
    "PAT_CONTROLLER_ADDRESS",
    "PAT_PRIVACY_CONTACT",
    "PAT_PRIVACY_HOSTING",
    "PAT_PRIVACY_MAIL_PROVIDER",
    "PAT_MAILBOX_RETENTION_DAYS",
)


def privacy_warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.levelno == logging.WARNING and "privacy notice" in r.getMessage()
    ]


async def test_the_bot_starts_with_one_warning_naming_what_pat_must_fill_in(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO):
        async with build_app(settings, run_worker=False) as app:
            assert await app.service.handle("tg:1", Start())  # it starts, and answers
    (line,) = privacy_warnings(caplog)
    assert all(name in line for name in PRIVACY_VARIABLES) and "pat@smes.be" in line
    caplog.clear()
    half = settings.model_copy(update={**FILLED, "privacy_mail_provider": None})
    with caplog.at_level(logging.INFO):
        async with build_app(half, run_worker=False):
            pass
    (line,) = privacy_warnings(caplog)
    assert "PAT_PRIVACY_MAIL_PROVIDER" in line
    assert not any(name in line for name in PRIVACY_VARIABLES if "MAIL_PROVIDER" not in name)
    caplog.clear()
    with caplog.at_level(logging.INFO):
        async with build_app(settings.model_copy(update=FILLED), run_worker=False):
            pass
    assert privacy_warnings(caplog) == []


def test_empty_privacy_settings_mean_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in PRIVACY_VARIABLES:
        monkeypatch.setenv(name, " ")
    settings = Settings(_env_file=None)
    assert settings.privacy_hosting is None and settings.privacy_mail_provider is None


# -- consent --------------------------------------------------------------------------------------


@pytest.mark.parametrize("channel", CHANNELS)
async def test_consent_asks_explicitly_and_names_the_username_on_telegram_only(
    settings: Settings, channel: str
) -> None:
    async with build_app(settings, run_worker=False) as app:
        for locale in LOCALES:
            key = key_of(channel, locale)
            t = app.catalogs.get(locale)
            await app.service.handle(key, Start(), locale=locale)
            state = await app.service.state_of(key)
            assert state is not None
            await app.service.handle(key, Choice("other", state.turn))
            out = await app.service.handle(key, Text("Bonjour, une question pour l'équipe"))
            said = [o.text for o in out]
            explicit = {"fr": "explicitement", "nl": "uitdrukkelijk", "en": "explicitly"}
            assert any(explicit[locale] in s for s in said[:-1])  # GDPR art. 9(2)(a)
            assert ("cookie" in " ".join(said)) is (channel == "web")  # what the page keeps
            question = {"fr": "Êtes-vous d'accord", "nl": "Gaat u ermee akkoord", "en": "Do you"}
            assert said[-1].startswith(question[locale])  # the question, alone in its bubble
            assert [b.label for b in out[-1].buttons] == [
                t.gettext("J'accepte"),
                t.gettext("Je refuse"),
                t.gettext(texts.PRIVACY_BUTTON),  # the notice, one tap away
            ]
            assert "/privacy" not in " ".join(said)
            username = t.gettext(texts.CONSENT_TELEGRAM)
            assert (username in said) is (channel == "telegram")
            if channel != "telegram":
                assert "telegram" not in " ".join(said).lower()


def test_the_consent_states_its_sources_for_review(flows: FlowSet) -> None:
    from bot.staff.review import sources_report

    step = flows.step("request.consent")
    assert step.sources
    report = sources_report(flows, Catalogs.reference())
    assert "### `request.consent`" in report
    assert texts.PRIVACY_ART9 in report and texts.CONSENT_TELEGRAM in report


# -- questions that can reveal health (GDPR art. 9) -----------------------------------------------


def sensitive_steps(flows: FlowSet) -> list[str]:
    return [q for q, s in flows.steps.items() if isinstance(s, ChoiceStep) and s.sensitive]


def test_every_question_about_being_a_peer_worker_is_sensitive(flows: FlowSet) -> None:
    """Every question with a « pair-aidant·e » answer before consent says so, and every
    sensitive question offers « Je préfère ne pas le dire »."""
    asked = [
        qid
        for qid, step in flows.steps.items()
        if isinstance(step, ChoiceStep)
        and step.key is not None
        and any(o.label.lower().startswith("pair-aidant") for o in step.options)
    ]
    assert (
        sorted(asked) == sorted(sensitive_steps(flows)) == ["intervision.role", "training.profile"]
    )
    for qid in asked:
        step = flows.step(qid)
        assert isinstance(step, ChoiceStep)
        labels = {o.id: o.label for o in step.options}
        assert labels["unsaid"] == "Je préfère ne pas le dire"


@pytest.mark.parametrize(("offer", "question"), [("training", "profile"), ("intervision", "role")])
def test_the_art9_line_comes_just_before_the_first_sensitive_question(
    flows: FlowSet, offer: str, question: str
) -> None:
    walk = Walk(flows)
    walk.start()
    walk.press(offer)
    says = walk.says()
    step = flows.step(f"{offer}.{question}")
    assert isinstance(step, ChoiceStep)
    assert says[-2:] == [texts.PRIVACY_ART9, step.text]
    assert walk.step == f"{offer}.{question}" and "unsaid" in walk.buttons()
    assert texts.PRIVACY_ART9 not in walk.history_texts()[:-2]  # not before: nothing asked yet
    walk.send(Command("help"))  # the question again, without the warning again
    assert texts.PRIVACY_ART9 not in walk.says()


@pytest.mark.parametrize("locale", LOCALES)
def test_the_art9_line_names_the_button_as_translated(locale: str) -> None:
    t = Catalogs(ROOT / "locales").get(locale)
    line = t.gettext(texts.PRIVACY_ART9)
    assert t.gettext("Je préfère ne pas le dire") in line


def test_a_sensitive_question_without_unsaid_is_refused(tmp_path: Path) -> None:
    for path in (ROOT / "flows").glob("*.yml"):
        text = path.read_text(encoding="utf-8")
        if path.name == "intervision.yml":
            text = text.replace(
                '      - {id: unsaid, label: "Je préfère ne pas le dire", next: sector}\n', ""
            )
        (tmp_path / path.name).write_text(text, encoding="utf-8")
    with pytest.raises(FlowError) as info:
        load_flows(tmp_path)
    assert [str(p) for p in info.value.problems] == [
        "intervision.yml: step 'role': sensitive question without an option 'unsaid' "
        "(« Je préfère ne pas le dire »)"
    ]


def test_i_prefer_not_to_say_goes_on_and_reaches_staff_as_said(flows: FlowSet) -> None:
    walk = Walk(flows)
    walk.start()
    walk.press("intervision")
    walk.press("unsaid")
    assert walk.step == "intervision.sector"
    walk.press("mental_health")
    walk.press("_skip")  # the commune
    walk.press("brussels")
    walk.type("Le mardi")
    give_contact(walk)
    fields = {f.key: f for f in walk.last_say().fields}
    assert fields["intervision_role"].raw == "unsaid"
    walk.press("_send")
    (submit,) = [e for e in walk.effects if isinstance(e, Submit)]
    assert submit.answers["intervision_role"] == "unsaid"


async def test_i_prefer_not_to_say_typed_in_the_terminal_and_in_the_email(
    settings: Settings,
) -> None:
    async with build_app(settings, run_worker=False) as app:
        svc = app.service
        await svc.handle("terminal", Start())
        for typed in (
            "Une formation",
            "je préfère ne pas le dire",  # typed, as in the terminal: the button's label
            "Moi seul·e",
            "Bruxelles",
            "Comprendre le rétablissement",
            "J'accepte",
            "Ana Lima",
            "Passer",
            "éducatrice",
            "ana@example.be",
            "Passer",
            "Envoyer",
        ):
            out = await svc.handle("terminal", Text(typed))
            assert out, typed
        (record,) = await deliveries.list_requests(app.db)
    assert record.payload is not None
    assert record.payload.value("profile") == "unsaid"
    assert record.payload.label_of("profile") == "Je préfère ne pas le dire"
    assert "Profil : Je préfère ne pas le dire" in text_body(record.payload)


def test_the_role_question_does_not_invite_the_disclosure(flows: FlowSet) -> None:
    """Review finding 9: the example answers of « Quelle est votre fonction ? »."""
    step = flows.step("request.role")
    assert isinstance(step, InputStep)
    text = step.text
    assert "pair-aidant" not in text and "éducatrice" in text
    for locale in ("nl", "en"):
        shown = Catalogs(ROOT / "locales").get(locale).gettext(text)
        assert "ervaringsdeskundige" not in shown and "peer" not in shown


# -- the web page's link to the notice ----------------------------------------------------------


def test_the_web_page_has_a_button_for_the_notice() -> None:
    catalogs = Catalogs(ROOT / "locales")
    page = bytes(chat_page(catalogs, "nl", set()).body).decode()
    assert 'id="privacy"' in page and ">Uw gegevens</button>" in page
    assert UI["privacy"] == "Vos données"
    assert event_of({"t": "privacy"}, "fr") == Command("privacy")
    js = (ROOT / "bot" / "channels" / "webui" / "chat.js").read_text(encoding="utf-8")
    assert 'send({ t: "privacy" })' in js


def test_the_engine_says_every_bubble_and_lets_the_channel_choose(flows: FlowSet) -> None:
    """The engine knows no channel: it says the whole notice; rendering leaves out what does
    not apply (bot/conversation/render.py)."""
    walk = Walk(flows)
    walk.start()
    walk.send(Command("privacy"))
    assert [e.text.id for e in walk.effects if isinstance(e, Say)][: len(texts.PRIVACY_NOTICE)] == (
        list(texts.PRIVACY_NOTICE)
    )
