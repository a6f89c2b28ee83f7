"""All settings, from PAT_* environment variables or a git-ignored .env file.

Read once in the composition root (bot/app.py) and passed down. Secrets are SecretStr, so they
never show in a repr or a log line.

Over 300 lines on purpose: every setting is one field of one class, with what it allows, so
that all of them are read in one place (the README's table is tested against it); the checks
beyond a value's type are in bot/setting_checks.py.
"""

from __future__ import annotations

import re
from email.utils import parseaddr
from pathlib import Path
from typing import Annotated, Any, Literal

from email_validator import validate_email
from pydantic import Field, SecretStr, ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot import setting_checks as checks
from flows.locales import LOCALES, Locale


def _allowed(text: str, **constraints: Any) -> Any:
    """A field whose description says what is allowed (shown when a value is refused)."""
    return Field(description=text, **constraints)


Days = Annotated[int, _allowed("a whole number of days from 1 to 3650", ge=1, le=3650)]
_PORT = "a port number from 1 to 65535"
_URL = "an http:// or https:// address"
_URL_PATTERN = r"^https?://\S+$"
Port = Annotated[int, _allowed(_PORT, ge=1, le=65535)]
_WEEKDAYS = {
    name: str(i + 1)
    for names in (
        ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"),
        ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"),
    )
    for i, name in enumerate(names)
}
LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR"]


class Settings(BaseSettings):
    """Settings of the PAT front door. Every field reads ``PAT_<NAME>``; each says in its
    description what is allowed, and a refused value is named in one line (``problem``)."""

    model_config = SettingsConfigDict(
        env_prefix="PAT_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    data_dir: Annotated[Path, _allowed("a folder this user may write in")] = Path("data")
    mail_to: Annotated[str, _allowed("one e-mail address in ASCII, e.g. pat@smes.be")] = (
        "pat@smes.be"
    )
    mail_from: Annotated[
        str, _allowed("an address in ASCII, with a name or not: Robot PAT <noreply@smes.be>")
    ] = "Robot PAT <noreply@smes.be>"
    default_locale: Annotated[Locale, _allowed(f"one of {', '.join(LOCALES)}")] = "fr"
    staff_locale: Annotated[Locale, _allowed(f"one of {', '.join(LOCALES)}")] = "fr"
    # Unset: the catalogs installed with the bot. Set: a folder to try catalogs being edited.
    locales_dir: Annotated[
        Path | None, _allowed("a folder with <lang>/LC_MESSAGES/messages.po")
    ] = None
    log_level: Annotated[LogLevel, _allowed("DEBUG, INFO, WARNING or ERROR")] = "INFO"
    telegram_token: Annotated[SecretStr | None, _allowed("the token BotFather gave")] = None
    telegram_api_url: Annotated[str, _allowed(_URL, pattern=_URL_PATTERN)] = (
        "https://api.telegram.org/bot"
    )
    telegram_file_url: Annotated[str, _allowed(_URL, pattern=_URL_PATTERN)] = (
        "https://api.telegram.org/file/bot"
    )
    # Webhook mode when a public URL is set; long polling otherwise.
    telegram_webhook_url: Annotated[
        str | None, _allowed("an https:// address", pattern=r"^https://\S+$")
    ] = None
    telegram_webhook_listen: Annotated[str, _allowed("an IP address or a host name")] = "127.0.0.1"
    telegram_webhook_port: Port = 8443
    telegram_webhook_path: Annotated[
        str, _allowed("letters, digits, - _ and /", pattern=r"^[A-Za-z0-9_/-]+$")
    ] = "telegram"
    telegram_webhook_secret: Annotated[
        SecretStr | None, _allowed("1 to 256 characters: letters, digits, _ and -")
    ] = None
    # Telegram user ids of PAT staff (comma-separated): alerts when a request cannot be sent.
    staff_ids: Annotated[
        list[int], NoDecode, _allowed("Telegram user ids (numbers), separated by commas")
    ] = []

    # The web channel (bot/channels/web/): served by pat-bot web, and by pat-bot run when a
    # port is set.
    web_port: Annotated[int | None, _allowed(_PORT, ge=1, le=65535)] = None
    web_host: Annotated[str, _allowed("an IP address or a host name to listen on")] = "127.0.0.1"
    web_trusted_proxies: Annotated[
        list[str],
        NoDecode,
        _allowed("IP addresses or networks (e.g. 172.16.0.0/12), separated by commas"),
    ] = ["127.0.0.1", "::1"]
    web_allowed_origins: Annotated[
        list[str],
        NoDecode,
        _allowed("origins separated by commas, e.g. https://www.smes.be"),
    ] = []

    # The WhatsApp channel (bot/channels/whatsapp/): its webhook is served by the web server
    # (PAT_WEB_PORT) when the first four are set; all four or none.
    whatsapp_token: Annotated[
        SecretStr | None, _allowed("the permanent token of the app's system user")
    ] = None
    whatsapp_phone_number_id: Annotated[
        str | None, _allowed("the number's id in the app (digits)", pattern=r"^[0-9]{1,32}$")
    ] = None
    whatsapp_app_secret: Annotated[
        SecretStr | None, _allowed("the app secret (App settings, Basic)")
    ] = None
    whatsapp_verify_token: Annotated[
        SecretStr | None,
        _allowed("8 to 128 characters of your choice, given to Meta with the webhook"),
        Field(validate_default=True),
    ] = None
    whatsapp_api_url: Annotated[str, _allowed(_URL, pattern=_URL_PATTERN)] = (
        "https://graph.facebook.com/v21.0"
    )
    whatsapp_template_delivered: Annotated[
        str | None,
        _allowed("the name of an approved template: a-z, 0-9 and _", pattern=r"^[a-z0-9_]{1,512}$"),
    ] = None

    # SMTP delivery; without a host, requests are written as .eml files in the outbox folder.
    smtp_host: Annotated[str | None, _allowed("a host name or an IP address")] = None
    smtp_port: Annotated[int | None, _allowed(_PORT, ge=1, le=65535)] = None
    smtp_security: Annotated[
        Literal["none", "starttls", "tls"], _allowed("none, starttls or tls")
    ] = "starttls"
    smtp_username: Annotated[str | None, _allowed("the login the mail provider gave")] = None
    smtp_password: Annotated[SecretStr | None, _allowed("its password")] = None
    smtp_timeout: Annotated[
        float, _allowed("a number of seconds above 0, at most 600", gt=0, le=600)
    ] = 20.0
    smtp_ca_file: Annotated[
        Path | None, _allowed("a PEM file of certificates this user may read")
    ] = None
    # Retention: a delivered request is anonymised after retention_days; a conversation left
    # unfinished is deleted after abandoned_days.
    retention_days: Days = 30
    abandoned_days: Days = 7
    # Flood and spam: messages per person per minute, requests per person per day.
    rate_limit_per_minute: Annotated[
        int, _allowed("a whole number from 1 to 1000", ge=1, le=1000)
    ] = 30
    max_requests_per_day: Annotated[int, _allowed("a whole number from 1 to 100", ge=1, le=100)] = 3
    delivery_max_attempts: Annotated[
        int, _allowed("a whole number from 1 to 100", ge=1, le=100)
    ] = 8
    delivery_base_delay: Annotated[
        float, _allowed("a number of seconds from 0 to 86400", ge=0, le=86_400)
    ] = 30.0
    # A person from PAT answering in the chat (bot/staff/handoff.py): on when set; cards go to this
    # Telegram chat (a private staff group, or one staff member's own chat).
    staff_chat_id: Annotated[
        int | None, _allowed("a Telegram chat id (a number; a group's is negative)")
    ] = None
    handoff_days: Annotated[int, _allowed("a whole number of days from 1 to 90", ge=1, le=90)] = 7
    # The weekly digest to mail_to (bot/staff/digest.py): unset, none is sent.
    digest_weekday: Annotated[
        int | None,
        _allowed("a day: monday to sunday, lundi to dimanche, or 1 (Monday) to 7", ge=1, le=7),
    ] = None
    # The privacy notice (/privacy): what PAT must fill in (bot/app.py warns at start-up while
    # one is not set; the notice then says to ask pat@smes.be).
    controller_address: Annotated[str | None, _allowed("text, shown as it is")] = None
    privacy_contact: Annotated[str | None, _allowed("text, shown as it is")] = None
    # The processors (sous-traitants): who hosts the bot, who carries and keeps the e-mails.
    privacy_hosting: Annotated[str | None, _allowed("a name, shown as it is")] = None
    privacy_mail_provider: Annotated[str | None, _allowed("a name, shown as it is")] = None
    mailbox_retention_days: Annotated[  # how long PAT keeps request e-mails
        int | None, _allowed("a whole number of days from 1 to 3650", ge=1, le=3650)
    ] = None
    # A cap on the database's size, in pages of 4 KiB (a small disk; tests of a full disk).
    db_max_pages: Annotated[
        int | None, _allowed("a whole number of pages of 4 KiB, at least 1", ge=1)
    ] = None

    @field_validator("digest_weekday", mode="before")
    @classmethod
    def _weekday(cls, value: object) -> object:
        """``monday``, ``Lundi`` or ``1`` are the same day; empty means no digest."""
        if isinstance(value, str):
            name = value.strip().lower()
            if name and not name.isdigit() and name not in _WEEKDAYS:
                raise ValueError("not a day of the week")
            return _WEEKDAYS.get(name, name) or None
        return value

    @field_validator(
        "telegram_token",
        "telegram_webhook_url",
        "telegram_webhook_secret",
        "smtp_host",
        "smtp_port",
        "smtp_username",
        "smtp_password",
        "smtp_ca_file",
        "controller_address",
        "privacy_contact",
        "privacy_hosting",
        "privacy_mail_provider",
        "mailbox_retention_days",
        "db_max_pages",
        "locales_dir",
        "staff_chat_id",
        "web_port",
        "whatsapp_token",
        "whatsapp_phone_number_id",
        "whatsapp_app_secret",
        "whatsapp_verify_token",
        "whatsapp_template_delivered",
        mode="before",
    )
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        """``PAT_SMTP_HOST=`` (empty, as .env.example leaves them) means: not set."""
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("web_host", "telegram_webhook_listen", mode="before")
    @classmethod
    def _empty_is_default(cls, value: object, info: ValidationInfo) -> object:
        """``PAT_WEB_HOST=`` means: not set, the default address."""
        if isinstance(value, str) and not value.strip():
            return cls.model_fields[str(info.field_name)].default
        return value

    @field_validator("smtp_host", "web_host", "telegram_webhook_listen")
    @classmethod
    def _a_host(cls, value: str | None) -> str | None:
        if value is not None:
            checks.host(value)
        return value

    @field_validator("web_trusted_proxies")
    @classmethod
    def _proxies(cls, value: list[str]) -> list[str]:
        for proxy in value:
            checks.proxy(proxy)
        return value

    @field_validator("smtp_ca_file")
    @classmethod
    def _a_ca_file(cls, value: Path | None) -> Path | None:
        if value is not None:
            checks.ca_file(value)
        return value

    @field_validator("staff_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.replace(";", ",").split(",") if part.strip()]
        return value

    @field_validator("web_allowed_origins", "web_trusted_proxies", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip().rstrip("/") for part in value.split(",") if part.strip()]
        return value

    @field_validator("web_allowed_origins")
    @classmethod
    def _origins(cls, value: list[str]) -> list[str]:
        for origin in value:
            if not re.fullmatch(r"https?://[A-Za-z0-9.-]+(:\d{1,5})?", origin):
                raise ValueError(f"{origin!r} is not an origin")
        return value

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @field_validator("mail_to")
    @classmethod
    def _one_address(cls, value: str) -> str:
        checks.ascii_address(value)
        validate_email(value, check_deliverability=False)
        return value

    @field_validator("mail_from")
    @classmethod
    def _an_address(cls, value: str) -> str:
        name, address = parseaddr(value)
        if not address or "<" in name or value.count("<") > 1 or value.count(">") > 1:
            raise ValueError("not an address")
        checks.ascii_address(address)
        validate_email(address, check_deliverability=False)
        return value

    @field_validator("telegram_webhook_secret")
    @classmethod
    def _telegram_secret(cls, value: SecretStr | None) -> SecretStr | None:
        # What Telegram accepts as secret_token for setWebhook.
        if value is not None and not re.fullmatch(
            r"[A-Za-z0-9_-]{1,256}", value.get_secret_value()
        ):
            raise ValueError("Telegram would refuse it")
        return value

    @field_validator("whatsapp_verify_token")
    @classmethod
    def _whatsapp_all_or_none(
        cls, value: SecretStr | None, info: ValidationInfo
    ) -> SecretStr | None:
        """The four WhatsApp settings go together, and its webhook needs the web server."""
        if value is not None and not 8 <= len(value.get_secret_value()) <= 128:
            raise ValueError("8 to 128 characters")
        names = ("whatsapp_token", "whatsapp_phone_number_id", "whatsapp_app_secret")
        given = [n for n in names if info.data.get(n) is not None] + (["x"] if value else [])
        if 0 < len(given) < 4:
            missing = [
                f"PAT_{n.upper()}"
                for n in (*names, "whatsapp_verify_token")
                if (info.data.get(n) if n in names else value) is None
            ]
            raise ValueError(
                f"the four WhatsApp settings go together; missing {', '.join(missing)}"
            )
        if given and info.data.get("web_port") is None:
            raise ValueError(
                "WhatsApp's webhook is served by the web page's server: set PAT_WEB_PORT"
            )
        return value

    @field_validator("locales_dir")
    @classmethod
    def _a_catalog_folder(cls, value: Path | None) -> Path | None:
        if value is not None and not value.is_dir():
            raise ValueError("no such folder")
        return value

    @field_validator("data_dir")
    @classmethod
    def _a_folder(cls, value: Path) -> Path:
        if value.exists() and not value.is_dir():
            raise ValueError("a file, not a folder")
        return value

    @property
    def whatsapp(self) -> bool:
        """Whether the WhatsApp channel is set up (the validator sees to all four or none)."""
        return self.whatsapp_token is not None

    @property
    def db_path(self) -> Path:
        return self.data_dir / "pat.sqlite3"

    @property
    def outbox_dir(self) -> Path:
        return self.data_dir / "outbox"

    @property
    def heartbeat_path(self) -> Path:
        return self.data_dir / "heartbeat"


_SECRETS = {
    "telegram_token",
    "smtp_password",
    "telegram_webhook_secret",
    "whatsapp_token",
    "whatsapp_app_secret",
    "whatsapp_verify_token",
}


# Plain words for pydantic's error types (its own messages quote regular expressions).
_REASONS = {
    "greater_than": "too small",
    "greater_than_equal": "too small",
    "less_than": "too large",
    "less_than_equal": "too large",
    "int_parsing": "not a whole number",
    "int_from_float": "not a whole number",
    "float_parsing": "not a number",
    "literal_error": "not one of the choices",
    "string_pattern_mismatch": "not in the expected form",
}


def problem(error: ValidationError) -> str:
    """A refused setting in one line: which, what is wrong, what is allowed."""
    first = error.errors()[0]
    name = str(first["loc"][0]) if first["loc"] else ""
    field = Settings.model_fields.get(name)
    shown = "(hidden)" if name in _SECRETS else repr(first.get("input"))
    allowed = field.description if field is not None and field.description else ""
    reason = _REASONS.get(first["type"]) or str(first["msg"]).removeprefix("Value error, ")
    reason = reason.rstrip(".")
    line = f"PAT_{name.upper()}={shown} is refused: {reason}"
    return f"{line}. Allowed: {allowed}." if allowed else f"{line}."
