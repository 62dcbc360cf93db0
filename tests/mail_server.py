"""A real SMTP server on 127.0.0.1 for the email tests (aiosmtpd), keeping every message it accepted.

It can offer SMTPUTF8 (addresses beyond ASCII), require a login, offer STARTTLS or speak TLS from the start (with a self-signed certificate
made on the spot), refuse recipients, drop the connection at a given command or in the middle of a
message's text, and hold a command
until the test lets it go (so a test can kill the sending process at a known point).
"""
from __future__ import annotations

import asyncio
import datetime as dt
import email
import email.policy
import ipaddress
import socket
import ssl
import threading
from dataclasses import dataclass, field
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


def make_certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 / localhost: (certificate file, key file)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"),
                                                    x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "server-cert.pem", folder / "server-key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes

    @property
    def message(self) -> email.message.EmailMessage:
        return email.message_from_bytes(self.data, policy=email.policy.default)

    @property
    def text(self) -> str:
        return self.message.get_body(("plain",)).get_content().replace("\r\n", "\n")  # CRLF on the wire

    @property
    def html(self) -> str:
        return self.message.get_body(("html",)).get_content().replace("\r\n", "\n")


@dataclass
class Handler:
    reject: set[str] = field(default_factory=set)
    reject_reply: str | None = None  # the text of a rejection, instead of the usual "User unknown"
    drop: dict[str, set[int]] = field(default_factory=dict)  # command -> which (1-based) occurrences to drop at
    drop_in_data: set[int] = field(default_factory=set)  # which DATA commands to hang up on after 354
    hold: tuple[str, int] | None = None  # (command, occurrence) to hold until released
    on_hold: object = None  # called (in the server thread) when the hold is reached, before waiting
    received: list[Received] = field(default_factory=list)
    logins: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    reached: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)

    async def _step(self, command: str, server) -> bool:
        """Count the command; hold it if asked; True when the connection must be dropped here."""
        count = self.counts[command] = self.counts.get(command, 0) + 1
        if self.hold == (command, count):
            if callable(self.on_hold):
                self.on_hold()
            self.reached.set()
            await asyncio.get_running_loop().run_in_executor(None, self.release.wait)
        if count in self.drop.get(command, ()):
            server.transport.close()
            return True
        return False

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        await self._step("EHLO", server)
        return responses

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if await self._step("MAIL", server):
            return "421 4.3.0 closing"
        envelope.mail_from = address
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.reject:
            return self.reject_reply or f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        # The message is complete: the server has it, whatever happens to the connection now.
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
        if await self._step("DATA", server):
            return "451 lost"
        return f"250 2.0.0 Ok: queued as {len(self.received)}"


class _SMTP(SMTP):
    """aiosmtpd's server, able to close the connection in the middle of a message's text."""

    async def smtp_DATA(self, arg: str) -> None:
        handler = self.event_handler
        count = handler.counts["DATA-text"] = handler.counts.get("DATA-text", 0) + 1
        if count in handler.drop_in_data and self.envelope is not None and self.envelope.rcpt_tos and not arg:
            # 354 and the end of the connection in one TCP segment (corked until the FIN): whatever the client
            # sends next, no dot is ever read, and the client sees the close as soon as it sees the 354
            sock = self.transport.get_extra_info("socket")
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_CORK, 1)
            self.transport.write(b"354 End data with <CR><LF>.<CR><LF>\r\n")
            sock.shutdown(socket.SHUT_WR)
            self.transport.close()
            return
        await super().smtp_DATA(arg)


class _Controller(Controller):
    def factory(self):
        return _SMTP(self.handler, **self.SMTP_kwargs)

    def _trigger_server(self):
        self.port = self.server.sockets[0].getsockname()[1]  # port=0: learn the port the system picked
        super()._trigger_server()


class MailServer:
    """`with MailServer(...) as server:` then `server.port`, `server.received`."""

    def __init__(self, *, tls: str | None = None, cert: tuple[Path, Path] | None = None,
                 users: dict[str, str] | None = None, smtputf8: bool = False, **handler_options):
        self.handler = Handler(**handler_options)
        self.tls, self.cert, self.users, self.smtputf8 = tls, cert, users, smtputf8
        self.controller: _Controller | None = None

    def _authenticate(self, server, session, envelope, mechanism, auth_data):
        if isinstance(auth_data, LoginPassword):
            login, password = auth_data.login.decode(), auth_data.password.decode()
            if self.users and self.users.get(login) == password:
                self.handler.logins.append(login)
                return AuthResult(success=True)
        return AuthResult(success=False, handled=False)

    def start(self) -> "MailServer":
        options: dict = {"hostname": "127.0.0.1", "port": 0, "server_hostname": "mail.test", "ident": "test",
                         "enable_SMTPUTF8": self.smtputf8}  # off: as many servers, it offers no SMTPUTF8
        if self.tls:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*map(str, self.cert))
            options["ssl_context" if self.tls == "ssl" else "tls_context"] = context
            if self.tls == "starttls":
                options["require_starttls"] = True
        if self.users is not None:
            # aiosmtpd only counts STARTTLS as TLS; on an implicit-TLS port the whole session is encrypted anyway
            options.update(authenticator=self._authenticate, auth_required=True,
                           auth_require_tls=self.tls == "starttls")
        self.controller = _Controller(self.handler, **options)
        self.controller.start()
        return self

    def stop(self) -> None:
        self.handler.release.set()
        if self.controller is not None:
            self.controller.stop()

    @property
    def port(self) -> int:
        return self.controller.port

    @property
    def received(self) -> list[Received]:
        return self.handler.received

    def to(self, address: str) -> list[Received]:
        return [r for r in self.received if address in r.rcpt_tos]

    def __enter__(self) -> "MailServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
