"""Outgoing e-mail: SMTP when ``NEXO_SMTP_URL`` is set, otherwise the message is written to the log (development)."""

from __future__ import annotations

from dataclasses import dataclass
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit

import aiosmtplib
import structlog

from nexo.platform.settings import Settings

logger = structlog.get_logger("nexo.mail")


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    text: str
    html: str | None = None


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
