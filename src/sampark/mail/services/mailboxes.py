"""Writing mailboxes. Every door (the workspace's mailbox screen, the API, the Django admin)
goes through :func:`save_mailbox` and :func:`delete_mailbox`, which check the mailbox as it
would stand after the change and refuse with the field to fix.

The rules:

- an address is a valid email address, kept in lower case, and names one mailbox only;
- exactly one mailbox is the default (mail to an address no mailbox names lands there):
  making a mailbox the default takes the mark from the one that had it, a mailbox stops being
  the default only by another taking its place, and the first mailbox is the default;
- the default mailbox and the last one cannot be deleted;
- passwords are write-only: given in clear, kept sealed (:mod:`sampark.mail.secrets`); a
  blank or missing password on a change keeps the stored one; clearing a server clears its
  password too;
- ports are 1–65535 (blank: the usual port for the security chosen), and a port that only
  speaks implicit TLS is not paired with STARTTLS or plain text, nor the other way round;
- a different IMAP server, user or folder is another mailbox on the server: polling starts
  again from its first unseen message (the stored UID and UIDVALIDITY are forgotten).

Whether the servers answer is not a rule of saving: the screens test them first with
:mod:`sampark.mail.connections`, because an admin may well configure a server before it is up.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from sampark.core.errors import Conflict, InvalidInput, NotFound
from sampark.team.models import Group

from .. import secrets
from ..connections import check_imap, check_smtp
from ..models import Mailbox, Security

FIELDS = (
    "name",
    "address",
    "display_name",
    "group",
    "auto_reply",
    "is_default",
    "active",
    "undo_seconds",
    "imap_host",
    "imap_port",
    "imap_security",
    "imap_username",
    "imap_password",
    "imap_folder",
    "imap_done_folder",
    "smtp_host",
    "smtp_port",
    "smtp_security",
    "smtp_username",
    "smtp_password",
)
PASSWORDS = ("imap_password", "smtp_password")
# Changing one of these points polling at another folder: its UIDs mean nothing here.
IMAP_IDENTITY = ("imap_host", "imap_username", "imap_folder")
MAX_UNDO_SECONDS = 600
MAX_PASSWORD = 1000
TEXT_LIMITS = {
    "name": 100,
    "display_name": 100,
    "imap_host": 255,
    "imap_username": 255,
    "imap_folder": 255,
    "imap_done_folder": 255,
    "smtp_host": 255,
    "smtp_username": 255,
}
# Ports that speak TLS from the first byte, and ports that start in plain text.
IMPLICIT_TLS_PORTS = {"imap": {993}, "smtp": {465}}
PLAIN_START_PORTS = {"imap": {143}, "smtp": {25, 587}}


def _text(fields: dict, name: str) -> None:
    if name not in fields:
        return
    value = fields[name]
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise InvalidInput(_("This must be text."), field=name)
    value = value.strip()
    if "\x00" in value or len(value) > TEXT_LIMITS[name]:
        raise InvalidInput(
            _("At most %(n)d characters, without NUL characters.") % {"n": TEXT_LIMITS[name]},
            field=name,
        )
    fields[name] = value


def _address(fields: dict, mailbox: Mailbox | None) -> None:
    if "address" not in fields:
        if mailbox is None:
            raise InvalidInput(_("A mailbox needs an email address."), field="address")
        return
    address = (fields["address"] or "").strip().lower()
    if not address:
        raise InvalidInput(_("A mailbox needs an email address."), field="address")
    try:
        validate_email(address)
    except ValidationError:
        raise InvalidInput(_("This is not a valid email address."), field="address") from None
    if len(address) > 254:
        raise InvalidInput(_("This is not a valid email address."), field="address")
    clash = Mailbox.objects.filter(address__iexact=address)
    if mailbox is not None:
        clash = clash.exclude(pk=mailbox.pk)
    if clash.exists():
        raise Conflict(_("Another mailbox has this address."), field="address")
    fields["address"] = address


def _port(fields: dict, name: str) -> None:
    if name not in fields:
        return
    port = fields[name]
    if port in (None, ""):
        fields[name] = None
        return
    if isinstance(port, bool) or not isinstance(port, int) or not 1 <= port <= 65535:
        raise InvalidInput(_("A port is a number from 1 to 65535."), field=name)


def _security(fields: dict, name: str) -> None:
    if name in fields and fields[name] not in Security.values:
        raise InvalidInput(
            _("Choose one of: %(choices)s.") % {"choices": ", ".join(Security.values)},
            field=name,
        )


def _password(fields: dict, name: str) -> None:
    """A new password in clear becomes its sealed form; blank means "keep the stored one"."""
    if name not in fields:
        return
    password = fields.pop(name)
    if password in (None, ""):
        return
    if not isinstance(password, str) or len(password) > MAX_PASSWORD or "\x00" in password:
        raise InvalidInput(
            _("A password is text of at most %(n)d characters.") % {"n": MAX_PASSWORD},
            field=name,
        )
    fields[name] = secrets.seal(password)


def _after(mailbox: Mailbox | None, fields: dict, name: str):
    """The value ``name`` will have once the change is made."""
    if name in fields:
        return fields[name]
    if mailbox is not None:
        return getattr(mailbox, name)
    return Mailbox._meta.get_field(name).get_default()


def _server(mailbox: Mailbox | None, fields: dict, kind: str) -> None:
    """The IMAP or SMTP settings as a whole: a user or password needs a server, IMAP needs
    a user, a password needs a user, and the port matches the security."""
    host = _after(mailbox, fields, f"{kind}_host")
    username = _after(mailbox, fields, f"{kind}_username")
    if not host:
        if fields.get(f"{kind}_username") or fields.get(f"{kind}_password"):
            raise InvalidInput(
                _("Give the server first: a user name or password needs one."),
                field=f"{kind}_host",
            )
        if mailbox is not None and f"{kind}_host" in fields:
            # The server is cleared: its credentials go with it.
            fields[f"{kind}_username"] = ""
            fields[f"{kind}_password"] = ""
        return
    if kind == "imap" and not username:
        raise InvalidInput(_("IMAP needs a user name to log in."), field="imap_username")
    if _after(mailbox, fields, f"{kind}_password") and not username:
        raise InvalidInput(
            _("A password needs a user name to log in with."), field=f"{kind}_username"
        )
    port = _after(mailbox, fields, f"{kind}_port")
    security = _after(mailbox, fields, f"{kind}_security")
    if port in IMPLICIT_TLS_PORTS[kind] and security != Security.TLS:
        raise InvalidInput(
            _("Port %(port)d expects TLS from the start: choose TLS, or another port.")
            % {"port": port},
            field=f"{kind}_security",
        )
    if port in PLAIN_START_PORTS[kind] and security == Security.TLS:
        raise InvalidInput(
            _("Port %(port)d starts without TLS: choose STARTTLS, or another port.")
            % {"port": port},
            field=f"{kind}_security",
        )


def clean_mailbox(fields: dict, mailbox: Mailbox | None = None) -> dict:
    """``fields`` checked and normalised, passwords sealed; raises InvalidInput or Conflict
    naming the field to fix. ``mailbox`` is the one being changed, None for a new one."""
    if unknown := set(fields) - set(FIELDS):
        raise InvalidInput(_("Unknown mailbox fields: %(f)s") % {"f": ", ".join(sorted(unknown))})
    fields = dict(fields)
    for name in TEXT_LIMITS:
        _text(fields, name)
    _address(fields, mailbox)
    if ("name" in fields or mailbox is None) and not fields.get("name"):
        fields["name"] = (
            _after(mailbox, fields, "display_name") or _after(mailbox, fields, "address")
        )[:100]
    if "imap_folder" in fields and not fields["imap_folder"]:
        fields["imap_folder"] = "INBOX"
    for kind in ("imap", "smtp"):
        _port(fields, f"{kind}_port")
        _security(fields, f"{kind}_security")
        _password(fields, f"{kind}_password")
    for name in ("auto_reply", "is_default", "active"):
        if name in fields and not isinstance(fields[name], bool):
            raise InvalidInput(_("This must be true or false."), field=name)
    if "undo_seconds" in fields:
        undo = fields["undo_seconds"]
        if isinstance(undo, bool) or not isinstance(undo, int) or not 0 <= undo <= MAX_UNDO_SECONDS:
            raise InvalidInput(
                _("The undo window is 0 to %(n)d seconds.") % {"n": MAX_UNDO_SECONDS},
                field="undo_seconds",
            )
    if "group" in fields and fields["group"] is not None and not isinstance(fields["group"], Group):
        raise InvalidInput(_("No such group."), field="group")
    for kind in ("imap", "smtp"):
        _server(mailbox, fields, kind)
    return fields


@transaction.atomic
def save_mailbox(mailbox: Mailbox | None = None, **fields) -> Mailbox:
    """Add a mailbox (``mailbox`` None) or change one; only the fields given change. See the
    module's docstring for the rules."""
    if mailbox is not None:
        mailbox = Mailbox.objects.select_for_update().filter(pk=mailbox.pk).first()
        if mailbox is None:
            raise NotFound(_("Mailbox not found."))
    fields = clean_mailbox(fields, mailbox)
    first = not Mailbox.objects.exists()
    if mailbox is None and first:
        fields["is_default"] = True
    if mailbox is not None and mailbox.is_default and fields.get("is_default") is False:
        raise Conflict(
            _("Exactly one mailbox is the default: make another one the default instead."),
            field="is_default",
        )
    if fields.get("is_default"):
        others = Mailbox.objects.filter(is_default=True)
        if mailbox is not None:
            others = others.exclude(pk=mailbox.pk)
        others.update(is_default=False)
    if mailbox is None:
        return Mailbox.objects.create(**fields)
    if any(name in fields and fields[name] != getattr(mailbox, name) for name in IMAP_IDENTITY):
        fields.update(imap_last_uid=0, imap_uidvalidity=None)
    changed = [name for name, value in fields.items() if getattr(mailbox, name) != value]
    if any(name.startswith(("imap_", "smtp_")) for name in changed):
        fields["last_error"] = ""  # the old error was about the old settings
        changed.append("last_error")
    for name in changed:
        setattr(mailbox, name, fields[name])
    if changed:
        mailbox.save(update_fields=changed)
    return mailbox


@transaction.atomic
def delete_mailbox(mailbox: Mailbox) -> None:
    """Delete a mailbox that is neither the default nor the last. The mail it received and
    sent stays, without its mailbox."""
    mailbox = Mailbox.objects.select_for_update().filter(pk=mailbox.pk).first()
    if mailbox is None:
        raise NotFound(_("Mailbox not found."))
    if mailbox.is_default:
        raise Conflict(
            _("The default mailbox cannot be deleted: make another one the default first.")
        )
    if not Mailbox.objects.exclude(pk=mailbox.pk).exists():
        raise Conflict(_("The last mailbox cannot be deleted."))
    mailbox.delete()


def draft(mailbox: Mailbox | None, fields: dict) -> Mailbox:
    """The mailbox as it would stand after the change, unsaved: what the screens test before
    they save. ``fields`` as :func:`clean_mailbox` returns them (passwords sealed)."""
    copy = Mailbox() if mailbox is None else Mailbox.objects.get(pk=mailbox.pk)
    for name, value in fields.items():
        setattr(copy, name, value)
    return copy


def check_servers(mailbox: Mailbox, only=("imap", "smtp")) -> dict[str, str | None]:
    """What the mailbox's servers (of ``only``) answer, as ``{"imap": ..., "smtp": ...}``: None
    when the settings work, the problem in words when they do not, and no key for a server the
    mailbox does not have. Slow I/O: never call it inside a transaction."""
    results = {}
    if "imap" in only and mailbox.imap_host:
        results["imap"] = check_imap(mailbox)
    if "smtp" in only and mailbox.smtp_host:
        results["smtp"] = check_smtp(mailbox)
    return results
