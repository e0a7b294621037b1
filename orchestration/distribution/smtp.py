"""The e-mail channel: SMTP with STARTTLS, the PDF attached.

Why it behaves as it does:

* **TLS before credentials.** With ``starttls=True`` (the default) a server that does not
  offer STARTTLS is refused outright rather than silently falling back to plain text; with
  ``starttls=False`` the channel still refuses to send a password over a plain connection
  unless ``allow_insecure_auth=True`` says so explicitly (a local relay on 127.0.0.1).
  Certificates are verified against ``ssl_context`` (default: the system trust store).
* **Deterministic Message-ID** per week (``<perp-fragility.2026-W47@sender-domain>``) and per
  alert: a retried or re-run delivery is recognisably the same message, and mail clients
  thread or de-duplicate it instead of showing near-identical copies.
* **Errors that retrying cannot fix** (authentication, 5xx replies, certificate problems,
  refused insecure login) are raised as :class:`PermanentDeliveryError` so :func:`deliver`
  gives up at once; a wrong password retried in a loop only locks the account.
* Error text goes through a :class:`Redactor` that knows the password.
"""

from __future__ import annotations

import hashlib
import smtplib
import ssl
from collections.abc import Sequence
from email.message import EmailMessage
from email.utils import formatdate, parseaddr
from pathlib import Path

from orchestration.distribution import _text
from orchestration.distribution._model import (
    Alert,
    DeliveryError,
    PermanentDeliveryError,
    Report,
    stable_name,
)
from orchestration.distribution._redact import Redactor

DEFAULT_MAX_ATTACHMENT_BYTES = 20_000_000  # common relay limits sit at 20-25 MB


class EmailChannel:
    """Sends reports (PDF attached) and alerts by SMTP."""

    name = "email"

    def __init__(
        self,
        host: str,
        port: int = 587,
        username: str | None = None,
        password: str | None = None,
        sender: str = "",
        recipients: Sequence[str] = (),
        starttls: bool = True,
        ssl_context: ssl.SSLContext | None = None,
        timeout: float = 30.0,
        *,
        allow_insecure_auth: bool = False,
        max_attachment_bytes: int = DEFAULT_MAX_ATTACHMENT_BYTES,
    ):
        if not host:
            raise ValueError("EmailChannel needs an SMTP host")
        if not sender or "@" not in parseaddr(sender)[1]:
            raise ValueError("EmailChannel needs a sender address (user@domain)")
        recipients = tuple(r.strip() for r in recipients if r and r.strip())
        if not recipients:
            raise ValueError("EmailChannel needs at least one recipient")
        if bool(username) != bool(password):
            raise ValueError("set both the SMTP user and password, or neither")
        self.host = host
        self.port = int(port)
        self.username = username or None
        self._password = password or None
        self.sender = sender
        self.recipients = recipients
        self.starttls = starttls
        self.ssl_context = ssl_context
        self.timeout = timeout
        self.allow_insecure_auth = allow_insecure_auth
        self.max_attachment_bytes = max_attachment_bytes
        auth_blob = f"\0{username}\0{password}" if password else None
        self._redact = Redactor(secrets=[password, auth_blob])

    def redact(self, text: str) -> str:
        """``text`` with this channel's secrets masked."""
        return self._redact(text)

    def __repr__(self) -> str:  # never shows the password
        return (
            f"EmailChannel(host={self.host!r}, port={self.port}, user={self.username!r}, "
            f"starttls={self.starttls}, recipients={len(self.recipients)})"
        )

    @property
    def domain(self) -> str:
        address = parseaddr(self.sender)[1]
        return address.rpartition("@")[2] or "perp-fragility.invalid"

    # -- messages -------------------------------------------------------------------------

    def _message(self, subject: str, plain: str, html: str, message_id: str) -> EmailMessage:
        msg = EmailMessage()
        msg["From"] = self.sender
        msg["To"] = ", ".join(self.recipients)
        msg["Subject"] = subject
        msg["Date"] = formatdate(usegmt=True)
        msg["Message-ID"] = message_id
        msg.set_content(plain)
        msg.add_alternative(html, subtype="html")
        return msg

    def report_message(self, report: Report) -> EmailMessage:
        """The e-mail for ``report``: text + HTML body, the PDF as ``application/pdf``."""
        size = Path(report.path).stat().st_size
        if size > self.max_attachment_bytes:
            raise PermanentDeliveryError(
                f"PDF is {size:,} bytes, above the {self.max_attachment_bytes:,}-byte limit"
            )
        msg = self._message(
            report.title,
            _text.report_email_plain(report),
            _text.report_email_html(report),
            f"<perp-fragility.{report.week}@{self.domain}>",
        )
        msg["X-Perp-Fragility-Week"] = report.week
        msg.add_attachment(
            Path(report.path).read_bytes(),
            maintype="application",
            subtype="pdf",
            filename=stable_name(report.week),
        )
        return msg

    def alert_message(self, alert: Alert) -> EmailMessage:
        digest = hashlib.sha256(alert.dedup_key.encode()).hexdigest()[:24]
        return self._message(
            f"[perp-fragility] {alert.title}",
            _text.alert_plain(alert),
            _text.alert_email_html(alert),
            f"<perp-fragility.alert.{digest}@{self.domain}>",
        )

    # -- channel API ----------------------------------------------------------------------

    def send_report(self, report: Report) -> str:
        return self._send(self.report_message(report))

    def send_alert(self, alert: Alert) -> str:
        return self._send(self.alert_message(alert))

    def _send(self, msg: EmailMessage) -> str:
        if self.username and not self.starttls and not self.allow_insecure_auth:
            raise PermanentDeliveryError(
                "refusing to send SMTP credentials without TLS "
                "(enable STARTTLS, or set allow_insecure_auth for a trusted local relay)"
            )
        try:
            refused = self._transmit(msg)
        except DeliveryError as exc:
            raise type(exc)(self._redact(str(exc))) from None
        except smtplib.SMTPAuthenticationError as exc:
            raise PermanentDeliveryError(
                f"SMTP authentication failed for user {self.username!r}: "
                + self._redact(self._smtp_reply(exc))
            ) from None
        except smtplib.SMTPResponseException as exc:
            text = f"SMTP server replied {self._redact(self._smtp_reply(exc))}"
            error = PermanentDeliveryError if 500 <= exc.smtp_code < 600 else DeliveryError
            raise error(text) from None
        except smtplib.SMTPNotSupportedError as exc:
            raise PermanentDeliveryError(self._redact.error_text(exc)) from None
        except smtplib.SMTPRecipientsRefused as exc:
            raise PermanentDeliveryError(
                f"all recipients refused: {sorted(exc.recipients)}"
            ) from None
        except ssl.SSLCertVerificationError as exc:
            raise PermanentDeliveryError(
                f"TLS certificate of {self.host} not trusted: {self._redact(str(exc))}"
            ) from None
        except (smtplib.SMTPException, OSError) as exc:
            raise DeliveryError(self._redact.error_text(exc)) from None
        where = f"{len(self.recipients) - len(refused)} recipient(s) via {self.host}:{self.port}"
        if refused:
            where += f" (refused: {', '.join(sorted(refused))})"
        return where

    def _transmit(self, msg: EmailMessage) -> dict[str, tuple[int, bytes]]:
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
            smtp.ehlo()
            if self.starttls:
                if not smtp.has_extn("starttls"):
                    raise PermanentDeliveryError(
                        f"{self.host}:{self.port} does not offer STARTTLS; not sending in clear"
                    )
                context = self.ssl_context or ssl.create_default_context()
                smtp.starttls(context=context)
                smtp.ehlo()
            if self.username and self._password:
                smtp.login(self.username, self._password)
            return smtp.send_message(msg, from_addr=self.sender, to_addrs=list(self.recipients))

    @staticmethod
    def _smtp_reply(exc: smtplib.SMTPResponseException) -> str:
        reply = exc.smtp_error
        text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
        return f"{exc.smtp_code} {text}".strip()
