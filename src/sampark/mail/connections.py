"""Connections to a mailbox's servers: IMAP for mail in, SMTP for mail out, and the checks the
mailbox screen runs before it saves settings.

A mailbox without its own SMTP server sends through the instance's (``SAMPARK_EMAIL_*``, or
the outbox folder of the embedded install)."""

from __future__ import annotations

import contextlib
import smtplib
import ssl

from django.conf import settings
from django.core.mail import get_connection
from django.utils.translation import gettext as _
from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError

from . import secrets
from .models import Mailbox, Security

TIMEOUT_SECONDS = 20
IMAP_PORTS = {Security.TLS: 993, Security.STARTTLS: 143, Security.NONE: 143}
SMTP_PORTS = {Security.TLS: 465, Security.STARTTLS: 587, Security.NONE: 25}


class ConnectionProblem(Exception):
    """A server could not be reached or refused us; the message says why, in words."""


def _password(stored: str, server: str) -> str:
    password = secrets.unseal(stored)
    if password is None:
        raise ConnectionProblem(
            _(
                "The stored %(server)s password cannot be read (the secret key changed); "
                "enter it again."
            )
            % {"server": server}
        )
    return password


def tls_context() -> ssl.SSLContext:
    """Certificates are checked against the system's store; ``SAMPARK_MAIL_CA_FILE`` names a
    private authority instead (a company's own mail server, a test server)."""
    return ssl.create_default_context(cafile=settings.SAMPARK_MAIL_CA_FILE or None)


def open_imap(mailbox: Mailbox) -> IMAPClient:
    """A logged-in IMAP connection to the mailbox's server (the caller logs out)."""
    if not mailbox.imap_host:
        raise ConnectionProblem(_("This mailbox has no IMAP server."))
    security = mailbox.imap_security
    port = mailbox.imap_port or IMAP_PORTS[security]
    try:
        client = IMAPClient(
            mailbox.imap_host,
            port=port,
            ssl=security == Security.TLS,
            ssl_context=tls_context(),
            timeout=TIMEOUT_SECONDS,
        )
        if security == Security.STARTTLS:
            client.starttls(tls_context())
        client.login(mailbox.imap_username, _password(mailbox.imap_password, "IMAP"))
    except (OSError, IMAPClientError, ssl.SSLError) as error:
        raise ConnectionProblem(
            _("IMAP %(host)s:%(port)s: %(error)s")
            % {"host": mailbox.imap_host, "port": port, "error": error}
        ) from error
    return client


def check_imap(mailbox: Mailbox) -> str | None:
    """None when the mailbox's IMAP settings work (log in, open the folder), else the
    problem in words."""
    try:
        client = open_imap(mailbox)
    except ConnectionProblem as problem:
        return str(problem)
    try:
        client.select_folder(mailbox.imap_folder or "INBOX", readonly=True)
        if mailbox.imap_done_folder and not client.folder_exists(mailbox.imap_done_folder):
            return _("The folder “%(folder)s” does not exist on the server.") % {
                "folder": mailbox.imap_done_folder
            }
    except (OSError, IMAPClientError) as error:
        return _("IMAP folder “%(folder)s”: %(error)s") % {
            "folder": mailbox.imap_folder,
            "error": error,
        }
    finally:
        with contextlib.suppress(OSError, IMAPClientError):
            client.logout()
    return None


def smtp_connection(mailbox: Mailbox | None):
    """A Django email backend that sends as ``mailbox``: its own SMTP server when it has one,
    else the instance's backend."""
    if mailbox is None or not mailbox.smtp_host:
        return get_connection(fail_silently=False)
    security = mailbox.smtp_security
    backend = get_connection(
        "django.core.mail.backends.smtp.EmailBackend",
        host=mailbox.smtp_host,
        port=mailbox.smtp_port or SMTP_PORTS[security],
        username=mailbox.smtp_username or None,
        password=_password(mailbox.smtp_password, "SMTP") or None,
        use_tls=security == Security.STARTTLS,
        use_ssl=security == Security.TLS,
        timeout=TIMEOUT_SECONDS,
        fail_silently=False,
    )
    backend.ssl_context = tls_context()  # the backend's own ignores SAMPARK_MAIL_CA_FILE
    return backend


def check_smtp(mailbox: Mailbox) -> str | None:
    """None when the mailbox's SMTP settings work (connect, TLS, log in), else the problem in
    words. Sends nothing."""
    if not mailbox.smtp_host:
        return None  # the instance's own settings, which the admin set at install
    try:
        connection = smtp_connection(mailbox)
        connection.open()
        connection.close()
    except ConnectionProblem as problem:
        return str(problem)
    except (TimeoutError, OSError, smtplib.SMTPException) as error:
        return _("SMTP %(host)s: %(error)s") % {"host": mailbox.smtp_host, "error": error}
    return None
