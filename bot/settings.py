"""All settings, from PAT_* environment variables or a git-ignored .env file.

Read once in the composition root (bot/app.py) and passed down. Secrets are SecretStr, so they
never show in a repr or a log line.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from flows.locales import Locale

REPO_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """Settings of the PAT front door. Every field reads ``PAT_<NAME>``."""

    model_config = SettingsConfigDict(
        env_prefix="PAT_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    data_dir: Path = Path("data")
    mail_to: str = "pat@smes.be"
    mail_from: str = "Robot PAT <noreply@smes.be>"
    default_locale: Locale = "fr"
    locales_dir: Path = REPO_ROOT / "locales"
    log_level: str = "INFO"
    telegram_token: SecretStr | None = None
    telegram_api_url: str = "https://api.telegram.org/bot"
    telegram_file_url: str = "https://api.telegram.org/file/bot"
    # Webhook mode when a public URL is set; long polling otherwise.
    telegram_webhook_url: str | None = None
    telegram_webhook_listen: str = "127.0.0.1"
    telegram_webhook_port: int = 8443
    telegram_webhook_path: str = "telegram"
    telegram_webhook_secret: SecretStr | None = None
    # Telegram user ids of PAT staff (comma-separated): alerts when a request cannot be sent.
    staff_ids: Annotated[list[int], NoDecode] = []

    # SMTP delivery; without a host, requests are written as .eml files in the outbox folder.
    smtp_host: str | None = None
    smtp_port: int | None = None
    smtp_security: Literal["none", "starttls", "tls"] = "starttls"
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_timeout: float = 20.0
    smtp_ca_file: Path | None = None
    # Retention: a delivered request is anonymised after retention_days; a conversation left
    # unfinished is deleted after abandoned_days.
    retention_days: int = 30
    abandoned_days: int = 7
    # Flood and spam: messages per person per minute, requests per person per day.
    rate_limit_per_minute: int = 30
    max_requests_per_day: int = 3
    delivery_max_attempts: int = 8
    delivery_base_delay: float = 30.0
    # The privacy notice (/privacy): what PAT must fill in; each line is shown only when set.
    controller_address: str | None = None  # Smes's postal address
    privacy_contact: str | None = None  # how to reach Smes's data-protection contact
    mailbox_retention_days: int | None = None  # how long PAT keeps request e-mails

    @field_validator("staff_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            return [int(part) for part in value.replace(";", ",").split(",") if part.strip()]
        return value

    @property
    def db_path(self) -> Path:
        return self.data_dir / "pat.sqlite3"

    @property
    def outbox_dir(self) -> Path:
        return self.data_dir / "outbox"

    @property
    def heartbeat_path(self) -> Path:
        return self.data_dir / "heartbeat"
