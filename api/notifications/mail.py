"""Mail out: a rendered message as an email, and the SMTP server that takes it.

``OMS_SMTP_URL`` names the server: ``smtp://host:587`` (STARTTLS when the server offers it),
``smtp://host:25?starttls=false`` (plain, a relay on the same machine), ``smtps://host:465``
(TLS from the first byte); a user and password in the URL log in. Each connection is kept
open and reused while mail keeps coming, and opened again after an error.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Protocol
from urllib.parse import parse_qs, unquote, urlsplit

import aiosmtplib

from api.dbtypes import utcnow
from api.settings import Settings


@dataclass(frozen=True)
class Outgoing:
    message_id: int
    recipient: str
    subject: str
    text_body: str
    html_body: str
    transactional: bool
    unsubscribe_url: str | None
    created_at_iso: str


class Refused(Exception):
    """The server did not take the mail: ``code`` its reply (None when none came).
    ``about_the_mail``: the refusal answered this mail (its address, its content), not the
    connection or the login, which fail every mail alike and are the operator's to mend."""

    def __init__(
        self, reason: str, code: int | None = None, *, about_the_mail: bool = False
    ) -> None:
        super().__init__(reason)
        self.code = code
        self.about_the_mail = about_the_mail


class MailTransport(Protocol):
    async def send(self, mail: EmailMessage) -> int:
        """Hands ``mail`` over; the server's reply code. Raises ``Refused``."""

    async def close(self) -> None: ...


def message_id_header(message_id: int, created_at_iso: str, domain: str) -> str:
    """The same Message-ID on every attempt of one message, so a receiving server can tell a
    mail sent again after a lost answer from a new one."""
    stamp = hashlib.sha256(f"{message_id}:{created_at_iso}".encode()).hexdigest()[:16]
    return f"<oms.{message_id}.{stamp}@{domain}>"


def email_of(outgoing: Outgoing, settings: Settings) -> EmailMessage:
    mail = EmailMessage()
    sender = settings.mail_from
    mail["From"] = sender
    mail["To"] = outgoing.recipient
    mail["Subject"] = outgoing.subject
    mail["Date"] = format_datetime(utcnow())
    domain = sender.rsplit("@", 1)[-1].strip("> ") or "localhost"
    mail["Message-ID"] = message_id_header(outgoing.message_id, outgoing.created_at_iso, domain)
    mail["Auto-Submitted"] = "auto-generated"
    if outgoing.unsubscribe_url:
        mail["List-Unsubscribe"] = f"<{outgoing.unsubscribe_url}>"
        mail["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    mail.set_content(outgoing.text_body)
    mail.add_alternative(outgoing.html_body, subtype="html")
    return mail


@dataclass(frozen=True)
class SmtpServer:
    hostname: str
    port: int
    use_tls: bool
    start_tls: bool | None
    """None: when the server offers it."""
    username: str | None
    password: str | None

    @classmethod
    def parse(cls, url: str) -> SmtpServer:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ValueError("OMS_SMTP_URL is smtp://[user:password@]host[:port] or smtps://...")
        options = parse_qs(parts.query)
        starttls = options.get("starttls", [""])[0].lower()
        return cls(
            hostname=parts.hostname,
            port=parts.port or (465 if parts.scheme == "smtps" else 587),
            use_tls=parts.scheme == "smtps",
            start_tls=None if starttls == "" else starttls in ("1", "true", "yes"),
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
        )


class SmtpTransport:
    def __init__(self, server: SmtpServer, timeout: float, ca_file: Path | None = None) -> None:
        self.server = server
        self.timeout = timeout
        self.ca_file = ca_file
        self._client: aiosmtplib.SMTP | None = None

    async def _connected(self) -> aiosmtplib.SMTP:
        if self._client is not None and self._client.is_connected:
            return self._client
        server = self.server
        client = aiosmtplib.SMTP(
            hostname=server.hostname,
            port=server.port,
            use_tls=server.use_tls,
            start_tls=server.start_tls,
            username=server.username,
            password=server.password,
            timeout=self.timeout,
            cert_bundle=str(self.ca_file) if self.ca_file else None,
        )
        try:
            await client.connect()
        except aiosmtplib.SMTPResponseException as refusal:
            raise Refused(f"{refusal.code} {refusal.message}"[:500], refusal.code) from refusal
        except (aiosmtplib.SMTPException, OSError) as failure:
            raise Refused(f"{type(failure).__name__}: {failure}"[:500]) from failure
        self._client = client
        return client

    async def send(self, mail: EmailMessage) -> int:
        client = await self._connected()
        try:
            refused, _ = await client.send_message(mail)
        except aiosmtplib.SMTPRecipientsRefused as refusal:
            first = refusal.recipients[0]
            raise Refused(
                f"{first.code} {first.message}"[:500], first.code, about_the_mail=True
            ) from refusal
        except aiosmtplib.SMTPResponseException as refusal:
            await self._drop()
            raise Refused(
                f"{refusal.code} {refusal.message}"[:500], refusal.code, about_the_mail=True
            ) from refusal
        except (aiosmtplib.SMTPException, OSError) as failure:
            await self._drop()
            raise Refused(f"{type(failure).__name__}: {failure}"[:500]) from failure
        if refused:
            answer = next(iter(refused.values()))
            raise Refused(f"{answer.code} {answer.message}"[:500], answer.code, about_the_mail=True)
        return 250

    async def _drop(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            client.close()

    async def close(self) -> None:
        client, self._client = self._client, None
        if client is not None and client.is_connected:
            try:
                await client.quit()
            except (aiosmtplib.SMTPException, OSError):
                client.close()


def transports_for(settings: Settings) -> list[MailTransport]:
    """``OMS_SMTP_CONNECTIONS`` connections to the SMTP server the settings name; none when
    they name none (mail is kept, not sent)."""
    if not settings.smtp_url:
        return []
    server = SmtpServer.parse(settings.smtp_url)
    return [
        SmtpTransport(server, settings.smtp_timeout_seconds, settings.smtp_ca_file)
        for _ in range(settings.smtp_connections)
    ]
