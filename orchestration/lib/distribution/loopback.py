"""Real servers on 127.0.0.1 for testing the channels (and the alert sensors) offline.

* :class:`LoopbackWebhook` - an ``http.server`` in a thread on port 0 that records every POST
  and answers from a script (``[500, 200]``: fail once, then accept);
* :class:`LoopbackSmtp` - an aiosmtpd server with STARTTLS (certificate from a throwaway
  ``trustme`` CA) and AUTH that only works after TLS, recording every message.

Both are context managers that always shut their server down. ``aiosmtpd`` and ``trustme``
are development dependencies, imported only when an SMTP server is started.
"""

from __future__ import annotations

import json
import ssl
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class RecordedRequest:
    """One POST the loopback webhook received."""

    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


class LoopbackWebhook:
    """A webhook receiver on ``127.0.0.1:<free port>``.

    ``statuses`` is consumed one per request (then 200): ``[500, 200]`` fails the first
    delivery and accepts the retry; ``[404] * 10`` is a permanently bad URL."""

    def __init__(self, statuses: Iterable[int] = ()):
        self.statuses = list(statuses)
        self.requests: list[RecordedRequest] = []
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                with hook._lock:
                    hook.requests.append(RecordedRequest(self.path, dict(self.headers), body))
                    status = hook.statuses.pop(0) if hook.statuses else 200
                reply = b"ok" if status < 300 else b"server said no"
                self.send_response(status)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, format: str, *args: object) -> None:  # keep test output clean
                pass

        return Handler

    def __enter__(self) -> LoopbackWebhook:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    @property
    def port(self) -> int:
        assert self._server is not None, "server not started"
        return self._server.server_address[1]

    def url(self, path: str = "/services/T000/B000/hook-token") -> str:
        return f"http://127.0.0.1:{self.port}{path}"


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
