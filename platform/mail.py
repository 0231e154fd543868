"""Outgoing e-mail: SMTP when ``NEXO_SMTP_URL`` is set, otherwise the message is written to the log (development)."""

from __future__ import annotations

from dataclasses import dataclass
from email.message import EmailMessage
from functools import cache
from typing import Any
from urllib.parse import unquote, urlsplit

import aiosmtplib
import structlog
from jinja2 import Environment, FileSystemLoader, select_autoescape

from nexo.platform.i18n import jinja as i18n_jinja
from nexo.platform.i18n.catalog import use_language
from nexo.platform.settings import REPO_ROOT, Settings

logger = structlog.get_logger("nexo.mail")


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    text: str
    html: str | None = None


@cache
def _mail_templates() -> Environment:
    """Mail bodies: ``templates/mail/<name>.txt`` (plain) and ``.html`` (escaped), with the i18n extension."""
    environment = Environment(
        loader=FileSystemLoader(REPO_ROOT / "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    i18n_jinja.install(environment)
    return environment


def render_mail(to: str, subject: str, name: str, language: str | None, **context: Any) -> Mail:
    """A two-part mail from ``templates/mail/<name>.txt|.html``, written in ``language`` (the recipient's).

    ``subject`` is an English msgid (marked with ``N_``), translated here; ``context`` values are not translated.
    """
    from nexo.platform.i18n.catalog import gettext

    environment = _mail_templates()
    with use_language(language):
        translated = gettext(subject, **context) if context else gettext(subject)
        text = environment.get_template(f"mail/{name}.txt").render(**context)
        html = environment.get_template(f"mail/{name}.html").render(subject=translated, **context)
    return Mail(to=to, subject=translated, text=text, html=html)


def build_message(settings: Settings, mail: Mail) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.mail.from_address
    message["To"] = mail.to
    message["Subject"] = mail.subject
    message.set_content(mail.text)
    if mail.html:
        message.add_alternative(mail.html, subtype="html")
    return message


async def send_mail(settings: Settings, mail: Mail) -> None:
    """Send ``mail`` now. Callers that must not wait on SMTP defer ``nexo.mail.send`` on the job queue instead."""
    if not settings.mail.smtp_url:
        logger.info("mail (no NEXO_SMTP_URL: logged, not sent)", to=mail.to, subject=mail.subject, body=mail.text)
        return
    url = urlsplit(settings.mail.smtp_url)
    await aiosmtplib.send(
        build_message(settings, mail),
        hostname=url.hostname or "localhost",
        port=url.port or (465 if url.scheme == "smtps" else 25),
        username=unquote(url.username) if url.username else None,
        password=unquote(url.password) if url.password else None,
        use_tls=url.scheme == "smtps",
        start_tls=None if url.scheme == "smtps" else False if url.hostname in {"127.0.0.1", "localhost"} else None,
        timeout=30,
    )
