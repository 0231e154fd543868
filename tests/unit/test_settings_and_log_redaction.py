"""Secrets stay out of logs: token path segments are redacted on every line, and production refuses to start
without SMTP (otherwise reset and invitation links would be written to the log)."""

from __future__ import annotations

import dataclasses
import io
import json
from pathlib import Path

import pytest
import structlog

from nexo.platform.logging import configure_logging
from nexo.platform.settings import AppSettings, MailSettings, Settings, SettingsError

SECRET = "k3y-0123456789-abcdefghijklmnopqrstuvwxyz"


def production(smtp_url: str = "", env: str = "production") -> Settings:
    return Settings(app=AppSettings(env=env, secret_key=SECRET), mail=MailSettings(smtp_url=smtp_url))


@pytest.mark.parametrize("env", ["production", "staging"])
def test_production_refuses_to_start_without_smtp(env: str) -> None:
    with pytest.raises(SettingsError, match="NEXO_SMTP_URL"):
        production(env=env).validated()
    assert production("smtp://mail.example.com:587", env=env).validated().mail.smtp_url


def test_development_may_log_mail(tmp_path: Path) -> None:
    settings = Settings(app=AppSettings(env="development", data_dir=tmp_path))
    assert settings.validated().mail.smtp_url == ""


def test_token_segments_are_redacted_in_every_log_line(tmp_path: Path) -> None:
    buffer = io.StringIO()
    settings = Settings(app=AppSettings(env="test", data_dir=tmp_path, log_json=True))
    configure_logging(settings, file=buffer)
    try:
        logger = structlog.get_logger("test")
        logger.info("request", path="/password/reset/abc.DEF-123_tok", status=200)
        logger.info("request", path="/invitations/inv-secret-token", status=303)
        logger.info(
            "mail",
            body="Reset: http://127.0.0.1:8000/password/reset/abc.DEF-123_tok?x=1\nJoin: /invitations/inv-secret-token",
            nested={"links": ["/invitations/inv-secret-token/"]},
        )
        logger.info("request", path="/w/acme/directory/people", status=200)
    finally:
        configure_logging(dataclasses.replace(settings, app=dataclasses.replace(settings.app, log_json=False)))
    text = buffer.getvalue()
    assert "abc.DEF-123_tok" not in text and "inv-secret-token" not in text
    lines = [json.loads(line) for line in text.splitlines()]
    assert lines[0]["path"] == "/password/reset/[redacted]" and lines[1]["path"] == "/invitations/[redacted]"
    assert "/password/reset/[redacted]?x=1" in lines[2]["body"] and lines[2]["nested"]["links"] == [
        "/invitations/[redacted]/"
    ]
    assert lines[3]["path"] == "/w/acme/directory/people"
