"""Settings: every value checked at start-up, named in one line, and documented in
docs/deploy.md (the operator's page)."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from bot.settings import Settings, problem
from tests.helpers import REPO_ROOT


def readme_rows() -> dict[str, str]:
    rows = {}
    for line in (REPO_ROOT / "docs" / "deploy.md").read_text(encoding="utf-8").splitlines():
        if line.startswith("| `PAT_"):
            name = line.split("`")[1]
            rows[name] = line
    return rows


def test_every_setting_has_a_readme_row_with_what_is_allowed() -> None:
    rows = readme_rows()
    for name, field in Settings.model_fields.items():
        variable = f"PAT_{name.upper()}"
        assert variable in rows, f"{variable} is missing from docs/deploy.md's settings table"
        assert field.description, f"{name} does not say what is allowed"
        assert field.description in rows[variable], variable
    assert set(rows) == {f"PAT_{name.upper()}" for name in Settings.model_fields}


def test_defaults_are_valid_and_empty_values_mean_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAT_SMTP_HOST", "")
    monkeypatch.setenv("PAT_SMTP_PORT", " ")
    monkeypatch.setenv("PAT_LOG_LEVEL", "debug")
    monkeypatch.setenv("PAT_STAFF_IDS", "12, 34;56")
    settings = Settings(_env_file=None)
    assert settings.smtp_host is None and settings.smtp_port is None
    assert settings.log_level == "DEBUG"
    assert settings.staff_ids == [12, 34, 56]


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("smtp_password", "x\ny", None),  # any text is a password
        ("telegram_webhook_secret", "has space", "PAT_TELEGRAM_WEBHOOK_SECRET=(hidden)"),
        ("telegram_api_url", "ftp://x", "PAT_TELEGRAM_API_URL='ftp://x' is refused"),
        ("retention_days", "3651", "too large. Allowed: a whole number of days from 1 to 3650."),
    ],
)
def test_a_refused_value_is_one_plain_line_and_secrets_stay_hidden(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, expected: str | None
) -> None:
    monkeypatch.setenv(f"PAT_{name.upper()}", value)
    if expected is None:
        Settings(_env_file=None)
        return
    with pytest.raises(ValidationError) as caught:
        Settings(_env_file=None)
    line = problem(caught.value)
    assert expected in line and "\n" not in line
    assert value not in line or name != "telegram_webhook_secret"
    assert "^" not in line  # no regular expression shown to a person


def test_a_data_dir_that_is_a_file_is_refused(tmp_path: Path) -> None:
    afile = tmp_path / "f"
    afile.write_text("x")
    with pytest.raises(ValidationError) as caught:
        Settings(data_dir=afile, _env_file=None)
    assert "a file, not a folder" in problem(caught.value)


@pytest.mark.parametrize(
    "host", ["smtp.example.be", "localhost", "smtp_relay", "smtp.exämple.be", "10.0.0.5", "::1"]
)
def test_host_names_and_ip_addresses_are_taken(host: str) -> None:
    settings = Settings(smtp_host=host, web_host=host, telegram_webhook_listen=host, _env_file=None)
    assert settings.smtp_host == host


@pytest.mark.parametrize(
    "host", ["bad host name!", "999.1.1.1", "-smtp.be", "a..b", "[::1]", "smtp.be:25", "x" * 64]
)
def test_what_is_no_host_is_refused(monkeypatch: pytest.MonkeyPatch, host: str) -> None:
    for name in ("smtp_host", "web_host", "telegram_webhook_listen"):
        monkeypatch.setenv(f"PAT_{name.upper()}", host)
        with pytest.raises(ValidationError) as caught:
            Settings(_env_file=None)
        monkeypatch.delenv(f"PAT_{name.upper()}")
        assert "not a host name or an IP address" in problem(caught.value)


def test_empty_listening_hosts_mean_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAT_WEB_HOST", "")
    monkeypatch.setenv("PAT_TELEGRAM_WEBHOOK_LISTEN", " ")
    settings = Settings(_env_file=None)
    assert settings.web_host == settings.telegram_webhook_listen == "127.0.0.1"


def test_trusted_proxies_are_addresses_or_networks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAT_WEB_TRUSTED_PROXIES", "10.9.9.9, 172.16.0.0/12,::1,fd00::/8")
    settings = Settings(_env_file=None)
    assert settings.web_trusted_proxies == ["10.9.9.9", "172.16.0.0/12", "::1", "fd00::/8"]
    for bad in ("foo", "*", "10.0.0.1/8", "10.0.0.1:80"):
        monkeypatch.setenv("PAT_WEB_TRUSTED_PROXIES", f"127.0.0.1,{bad}")
        with pytest.raises(ValidationError) as caught:
            Settings(_env_file=None)
        assert problem(caught.value).startswith("PAT_WEB_TRUSTED_PROXIES=")


def test_addresses_that_would_need_smtputf8_are_refused_with_their_ascii_form() -> None:
    with pytest.raises(ValidationError) as caught:
        Settings(mail_to="pat@smés.be", _env_file=None)
    assert "write it pat@xn--sms-cma.be" in problem(caught.value)
    with pytest.raises(ValidationError) as caught:
        Settings(mail_to="pät@smes.be", _env_file=None)
    assert "need SMTPUTF8" in problem(caught.value)
    # A name with accents is fine: it is encoded in the header; the address is what SMTP sees.
    assert Settings(mail_from="Robot PAT — Smes <noreply@smes.be>", _env_file=None)
