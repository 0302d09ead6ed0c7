"""REST endpoints for mailboxes: admins list, add, change, delete and test them.

Passwords are write-only: a request may set one, no answer carries one (``imap_password_set``
and ``smtp_password_set`` say whether one is stored). Saving does not test the servers, so
that a mailbox can be configured before its server is up; ``POST /mailboxes/{id}/test`` does,
and the workspace's mailbox screen tests before it saves."""

from datetime import datetime
from typing import Literal

from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from sampark.api.schema import Id, Input, PathId, Text, changed_fields, referenced
from sampark.core.errors import NotFound
from sampark.team.api import require_admin
from sampark.team.models import Group

from . import queries
from .models import Mailbox
from .services import mailboxes as services

router = Router(tags=["mailboxes"])

SecurityName = Literal["tls", "starttls", "none"]


class MailboxIn(Input):
    address: Text(254, 1)
    name: Text(100) = ""
    display_name: Text(100) = ""
    group: Id | None = None
    auto_reply: bool = True
    is_default: bool = False
    active: bool = True
    undo_seconds: int = Field(10, ge=0, le=services.MAX_UNDO_SECONDS)
    imap_host: Text(255) = ""
    imap_port: int | None = Field(None, ge=1, le=65535)
    imap_security: SecurityName = "tls"
    imap_username: Text(255) = ""
    imap_password: Text(services.MAX_PASSWORD) = ""
    imap_folder: Text(255) = "INBOX"
    imap_done_folder: Text(255) = ""
    smtp_host: Text(255) = ""
    smtp_port: int | None = Field(None, ge=1, le=65535)
    smtp_security: SecurityName = "starttls"
    smtp_username: Text(255) = ""
    smtp_password: Text(services.MAX_PASSWORD) = ""


class MailboxPatchIn(Input):
    address: Text(254, 1) | None = None
    name: Text(100) | None = None
    display_name: Text(100) | None = None
    group: Id | None = None
    auto_reply: bool | None = None
    is_default: bool | None = None
    active: bool | None = None
    undo_seconds: int | None = Field(None, ge=0, le=services.MAX_UNDO_SECONDS)
    imap_host: Text(255) | None = None
    imap_port: int | None = Field(None, ge=1, le=65535)
    imap_security: SecurityName | None = None
    imap_username: Text(255) | None = None
    imap_password: Text(services.MAX_PASSWORD) | None = None
    imap_folder: Text(255) | None = None
    imap_done_folder: Text(255) | None = None
    smtp_host: Text(255) | None = None
    smtp_port: int | None = Field(None, ge=1, le=65535)
    smtp_security: SecurityName | None = None
    smtp_username: Text(255) | None = None
    smtp_password: Text(services.MAX_PASSWORD) | None = None


# Cleared by an explicit null in a PATCH: the group (no default group) and the ports (the
# usual port for the security chosen).
NULLABLE = ("group", "imap_port", "smtp_port")


class MailboxOut(Schema):
    id: int
    name: str
    address: str
    display_name: str
    group: int | None
    auto_reply: bool
    is_default: bool
    active: bool
    undo_seconds: int
    imap_host: str
    imap_port: int | None
    imap_security: str
    imap_username: str
    imap_password_set: bool
    imap_folder: str
    imap_done_folder: str
    smtp_host: str
    smtp_port: int | None
    smtp_security: str
    smtp_username: str
    smtp_password_set: bool
    last_polled_at: datetime | None
    last_error: str
    created_at: datetime


class ServerCheckOut(Schema):
    ok: bool
    error: str


class MailboxCheckOut(Schema):
    """Each server the mailbox has, tested now; null for a server it does not have (SMTP:
    mail goes out through the instance's own server)."""

    imap: ServerCheckOut | None
    smtp: ServerCheckOut | None


def mailbox_out(mailbox: Mailbox) -> dict:
    data = {
        name: getattr(mailbox, name)
        for name in MailboxOut.model_fields
        if name not in ("id", "group") and not name.endswith("_password_set")
    }
    data.update(
        id=mailbox.pk,
        group=mailbox.group_id,
        imap_password_set=bool(mailbox.imap_password),
        smtp_password_set=bool(mailbox.smtp_password),
    )
    return data


def _mailbox(mailbox_id: int) -> Mailbox:
    mailbox = queries.mailbox_by_id(mailbox_id)
    if mailbox is None:
        raise NotFound(_("Mailbox not found."))
    return mailbox


def _resolved(fields: dict) -> dict:
    if "group" in fields:
        fields["group"] = referenced(Group, fields["group"], field="group")
    return fields


@router.get("/mailboxes", response=list[MailboxOut], summary="Mailboxes, the default first")
def list_mailboxes(request):
    require_admin(request.auth)
    return [mailbox_out(mailbox) for mailbox in queries.mailboxes()]


@router.post("/mailboxes", response={201: MailboxOut}, summary="Add a mailbox")
def create_mailbox(request, payload: MailboxIn):
    """Its servers are not tested: ``POST /mailboxes/{id}/test`` does that."""
    require_admin(request.auth)
    mailbox = services.save_mailbox(**_resolved(payload.dict()))
    return Status(201, mailbox_out(mailbox))


@router.get("/mailboxes/{mailbox_id}", response=MailboxOut, summary="A mailbox")
def get_mailbox(request, mailbox_id: PathId):
    require_admin(request.auth)
    return mailbox_out(_mailbox(mailbox_id))


@router.patch("/mailboxes/{mailbox_id}", response=MailboxOut, summary="Change a mailbox")
def patch_mailbox(request, mailbox_id: PathId, payload: MailboxPatchIn):
    """Only the fields given change; ``group`` and the ports are cleared by an explicit null.
    A password left out (or blank) stays as stored; clearing a server's host clears its user
    name and password. A new IMAP server, user or folder starts polling afresh."""
    require_admin(request.auth)
    fields = changed_fields(payload)
    given = payload.dict(exclude_unset=True)
    fields.update({name: given[name] for name in NULLABLE if name in given})
    mailbox = services.save_mailbox(_mailbox(mailbox_id), **_resolved(fields))
    return mailbox_out(mailbox)


@router.delete("/mailboxes/{mailbox_id}", response={204: None}, summary="Delete a mailbox")
def delete_mailbox(request, mailbox_id: PathId):
    """The default mailbox and the last one cannot be deleted (409). Mail received and sent
    through it stays."""
    require_admin(request.auth)
    services.delete_mailbox(_mailbox(mailbox_id))
    return Status(204, None)


@router.post("/mailboxes/{mailbox_id}/test", response=MailboxCheckOut, summary="Test a mailbox")
def check_mailbox(request, mailbox_id: PathId):
    """Log in to the mailbox's IMAP server and open its folder, and connect and log in to its
    SMTP server (nothing is sent), with the stored settings. A failing server is not an error
    of the request: the answer is 200 with ``ok: false`` and the server's words."""
    require_admin(request.auth)
    results = services.check_servers(_mailbox(mailbox_id))
    return {
        kind: {"ok": results[kind] is None, "error": results[kind] or ""}
        if kind in results
        else None
        for kind in ("imap", "smtp")
    }
