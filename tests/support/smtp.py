"""A real SMTP server on 127.0.0.1 for testing the e-mail channel and the alert sensors offline.

:class:`LoopbackSmtp` is an aiosmtpd server with STARTTLS (certificate from a throwaway
``trustme`` CA) and AUTH that only works after TLS, recording every message. It is a context
manager that always shuts its server down. (Webhook fakes are pytest-httpserver: see
``tests/support/webhook.py``.)
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any


@dataclass
class ReceivedMail:
    """One message the loopback SMTP server accepted."""

    mail_from: str
    rcpt_tos: list[str]
    data: bytes
    login: str | None
    tls: bool

    @property
    def message(self) -> EmailMessage:
        parsed = message_from_bytes(self.data, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed


@dataclass
class _Handler:
    received: list[ReceivedMail] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        auth = session.auth_data  # a LoginPassword after a successful AUTH
        login = auth.login.decode() if hasattr(auth, "login") else None
        self.received.append(
            ReceivedMail(
                mail_from=envelope.mail_from,
                rcpt_tos=list(envelope.rcpt_tos),
                data=envelope.original_content or envelope.content,
                login=login,
                tls=session.ssl is not None,
            )
        )
        return "250 Message accepted for delivery"


class LoopbackSmtp:
    """An SMTP server on ``127.0.0.1:<free port>`` requiring STARTTLS, with AUTH after TLS.

    ``client_context()`` trusts the throwaway CA, as a real client would trust a real one;
    a client without it fails certificate verification."""

    def __init__(self, username: str = "reports", password: str = "s3cret-Pa55", tls: bool = True):
        import trustme

        self.tls = tls  # False: a plain server offering no STARTTLS (to test refusal)
        self.username = username
        self.password = password
        self.ca = trustme.CA()
        self._cert = self.ca.issue_cert("127.0.0.1", "localhost")
        self.handler = _Handler()
        self._controller: Any = None

    @property
    def received(self) -> list[ReceivedMail]:
        return self.handler.received

    def client_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context()
        self.ca.configure_trust(context)
        return context

    def ca_pem(self) -> bytes:
        return self.ca.cert_pem.bytes()

    def _authenticator(
        self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
    ) -> Any:
        from aiosmtpd.smtp import AuthResult, LoginPassword

        ok = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login == self.username.encode()
            and auth_data.password == self.password.encode()
        )
        return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)

    def __enter__(self) -> LoopbackSmtp:
        from aiosmtpd.controller import Controller

        class _FreePortController(Controller):
            # aiosmtpd's Controller pokes host:port to start; with port 0 it must first learn
            # the port the OS picked
            def _trigger_server(self) -> None:
                assert self.server is not None
                self.port = self.server.sockets[0].getsockname()[1]
                super()._trigger_server()

        tls = None
        if self.tls:
            tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            self._cert.configure_cert(tls)
        self._controller = _FreePortController(
            self.handler,
            hostname="127.0.0.1",
            port=0,
            tls_context=tls,
            require_starttls=self.tls,
            auth_require_tls=True,
            authenticator=self._authenticator,
            ready_timeout=10.0,
        )
        self._controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._controller is not None:
            self._controller.stop()

    @property
    def port(self) -> int:
        assert self._controller is not None, "server not started"
        return int(self._controller.port)
