"""A real SMTP server for the tests (aiosmtpd, on a free port, in its own thread): it keeps what
it accepts, and can refuse for a while, refuse an address for good, or be slow to answer."""

from __future__ import annotations

import asyncio
import json
import ssl
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from tests.servers import free_port


@dataclass
class Received:
    sender: str
    recipients: list[str]
    message: EmailMessage

    @property
    def text(self) -> str:
        body = self.message.get_body(("plain",))
        return "" if body is None else str(body.get_content())  # type: ignore[attr-defined]

    @property
    def html(self) -> str:
        body = self.message.get_body(("html",))
        return "" if body is None else str(body.get_content())  # type: ignore[attr-defined]


@dataclass
class Mailbox:
    """What the server has taken, and how it behaves next."""

    received: list[Received] = field(default_factory=list)
    refusals_left: int = 0
    """DATA answered 451 (try again later) this many times more."""
    folder: Path | None = None
    """Where each mail taken is also written, as JSON (for the browser scenarios, which open
    the links customers are sent)."""
    unknown: set[str] = field(default_factory=set)
    """Addresses refused for good (550 at RCPT)."""
    answer_delay_seconds: float = 0.0
    """How long the server waits to answer a mail it has already taken (as a server whose
    answer is lost does)."""

    def wait_for(self, count: int, timeout: float = 20.0) -> list[Received]:
        deadline = time.monotonic() + timeout
        while len(self.received) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"{len(self.received)} mails arrived, not {count}")
            time.sleep(0.02)
        return list(self.received)

    def to(self, address: str) -> list[Received]:
        return [mail for mail in self.received if address in mail.recipients]


class _Handler:
    def __init__(self, mailbox: Mailbox) -> None:
        self.mailbox = mailbox
        self._lock = threading.Lock()

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address in self.mailbox.unknown:
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self._lock:
            if self.mailbox.refusals_left > 0:
                self.mailbox.refusals_left -= 1
                return "451 4.3.0 try again later"
        message = message_from_bytes(envelope.content, policy=policy.default)
        received = Received(envelope.mail_from, list(envelope.rcpt_tos), message)  # type: ignore[arg-type]
        self.mailbox.received.append(received)
        if self.mailbox.folder is not None:
            written = {"to": received.recipients, "subject": message["Subject"],
                       "messageId": message["Message-ID"], "text": received.text,
                       "html": received.html}  # fmt: skip
            path = self.mailbox.folder / f"{len(self.mailbox.received):05d}.json"
            path.write_text(json.dumps(written))
        if self.mailbox.answer_delay_seconds:
            await asyncio.sleep(self.mailbox.answer_delay_seconds)
        return "250 OK queued"


@contextmanager
def mail_server(folder: Path | None = None) -> Iterator[tuple[str, Mailbox]]:
    """An SMTP server on 127.0.0.1: its ``OMS_SMTP_URL`` and its mailbox."""
    mailbox = Mailbox(folder=folder)
    port = free_port()
    controller = Controller(_Handler(mailbox), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield f"smtp://127.0.0.1:{port}?starttls=false", mailbox
    finally:
        controller.stop()


@dataclass(frozen=True)
class SecureServer:
    host_and_port: str
    certificate: Path
    """The server's self-signed certificate, for the client to trust (OMS_SMTP_CA_FILE)."""
    user: str
    password: str


@contextmanager
def secure_mail_server(folder: Path) -> Iterator[tuple[SecureServer, Mailbox]]:
    """An SMTP server that takes mail only over STARTTLS and after a login, with a certificate
    of its own (made by openssl for 127.0.0.1)."""
    certificate, key = folder / "smtp.pem", folder / "smtp.key"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", str(key), "-out", str(certificate)],
        check=True, capture_output=True,
    )  # fmt: skip
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(certificate, key)
    server = SecureServer("", certificate, "shop", "s3cret-mail-password")

    def authenticate(_server: Any, _session: Any, _envelope: Any, _mechanism: str,
                     login: Any) -> AuthResult:  # fmt: skip
        known = login.login == server.user.encode() and login.password == server.password.encode()
        return AuthResult(success=known, handled=False)

    mailbox = Mailbox()
    port = free_port()
    controller = Controller(
        _Handler(mailbox), hostname="127.0.0.1", port=port, tls_context=context,
        require_starttls=True, auth_required=True, authenticator=authenticate,
    )  # fmt: skip
    controller.start()
    try:
        yield replace(server, host_and_port=f"127.0.0.1:{port}"), mailbox
    finally:
        controller.stop()
