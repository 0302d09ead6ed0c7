"""How the ticket page says things: each timeline event as one row of words (what it was, who
did it, on which channel, when, in the agent's time zone), a system event in words ("Priority
P3 → P2"), and a status by its name in the page's language. Worked out in Python once per
event rather than by template conditionals: the timeline is most of the page's cost."""

from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from sampark.core.language import TextLanguage
from sampark.formats import date_text
from sampark.sla.models import Target
from sampark.tickets.models import Channel, Status, TicketEvent

Kind = TicketEvent.Kind

# Why the conversation moved a ticket's status, as the event's data records it.
REASONS = {
    "first_response": gettext_lazy("after the first reply"),
    "customer_reply": gettext_lazy("the customer replied"),
    "agent": gettext_lazy("reopened by an agent"),
    "merge": gettext_lazy("a ticket was merged into it"),
    "first_reply": gettext_lazy("took it by replying"),
    "manual": "",
    "sla_breach": gettext_lazy("SLA breached"),
    "contact_merge": gettext_lazy("the customers' records were merged"),
    "escalation": gettext_lazy("handed off with the escalation"),
    "deescalation": gettext_lazy("handed back when the escalation closed"),
    "take_next": gettext_lazy("taken with Take next"),
    "spoc_back": gettext_lazy("the SPOC is back"),
    "wait_over": gettext_lazy("the wait for the SPOC is over"),
    "handover": gettext_lazy("handed over for leave"),
    "leave_return": gettext_lazy("back from leave"),
}


def _status(value) -> str:
    try:
        return str(Status(value).label)
    except ValueError:
        return str(value or "—")


def _name(ref) -> str:
    if not ref:
        return _("nobody")
    return ref.get("name") or ref.get("email") or "—"


def _target(value) -> str:
    try:
        return str(Target(value).label)
    except ValueError:
        return str(value or "")


def _ticket_link(pk, number):
    if not pk:
        return format_html("#{}", number)
    return format_html('<a href="{}">#{}</a>', reverse("workspace:ticket", args=[pk]), number)


def _reason(data) -> str:
    return str(REASONS.get(data.get("reason") or "", ""))


def event_words(event: TicketEvent):
    """A system event in words. Messages, notes and calls show their own text instead."""
    data = event.data or {}
    kind = event.kind
    if kind == Kind.CREATED:
        return _("Opened the ticket")
    if kind in (Kind.STATUS, Kind.REOPENED):
        words = _("Status %(from)s → %(to)s") % {
            "from": _status(data.get("from")),
            "to": _status(data.get("to")),
        }
        reason = _reason(data)
        return f"{words} ({reason})" if reason else words
    if kind == Kind.PRIORITY:
        words = _("Priority %(from)s → %(to)s") % {"from": data.get("from"), "to": data.get("to")}
        return f"{words} ({_reason(data)})" if data.get("reason") else words
    if kind == Kind.ASSIGNED:
        words = _("Owner %(from)s → %(to)s") % {
            "from": _name(data.get("from")),
            "to": _name(data.get("to")),
        }
        reason = _reason(data)
        return f"{words} ({reason})" if reason else words
    if kind in (Kind.GROUP, Kind.ESCALATED, Kind.DEESCALATED):
        template_ = _("Escalated %(from)s (%(from_tier)s) → %(to)s (%(to_tier)s)")
        if kind == Kind.GROUP:
            template_ = _("Group %(from)s (%(from_tier)s) → %(to)s (%(to_tier)s)")
        elif kind == Kind.DEESCALATED:
            template_ = _("De-escalated %(from)s (%(from_tier)s) → %(to)s (%(to_tier)s)")
        return template_ % {
            "from": data.get("from") or "—",
            "to": data.get("to") or "—",
            "from_tier": data.get("from_tier") or "—",
            "to_tier": data.get("to_tier") or "—",
        }
    if kind == Kind.ESCALATION_ASSIGNED:
        if not data.get("to"):
            return _("Escalation work left to the whole group")
        return _("Escalation work assigned to %(name)s") % {"name": _name(data.get("to"))}
    if kind in (Kind.ESCALATION_WARNING, Kind.ESCALATION_OVERDUE):
        template_ = _("Escalation to %(group)s (%(tier)s) is due soon")
        if kind == Kind.ESCALATION_OVERDUE:
            template_ = _("Escalation to %(group)s (%(tier)s) is overdue")
        return template_ % {"group": data.get("group") or "—", "tier": data.get("tier") or "—"}
    if kind == Kind.SWARM_REQUESTED:
        names = ", ".join(_name(agent) for agent in (data.get("agents") or [])[:5])
        more = len(data.get("agents") or []) - 5
        if more > 0:
            names = _("%(names)s and %(count)d more") % {"names": names, "count": more}
        return _("Help asked of %(names)s") % {"names": names}
    if kind == Kind.SWARM_JOINED:
        return _("%(name)s joined to help") % {"name": _name(data.get("agent"))}
    if kind == Kind.SWARM_DECLINED:
        return _("%(name)s declined to help") % {"name": _name(data.get("agent"))}
    if kind == Kind.SWARM_CLOSED:
        return _("Request for help closed")
    if kind == Kind.COLLABORATOR_ADDED:
        return _("Collaborator added: %(name)s") % {"name": _name(data.get("agent"))}
    if kind == Kind.COLLABORATOR_REMOVED:
        return _("Collaborator removed: %(name)s") % {"name": _name(data.get("agent"))}
    if kind == Kind.SPLIT:
        link = _ticket_link(data.get("ticket"), data.get("number"))
        return format_html(_("Messages split off into {}"), link)
    if kind == Kind.SPLIT_FROM:
        link = _ticket_link(data.get("ticket"), data.get("number"))
        return format_html(_("Split off from {}"), link)
    if kind == Kind.MERGED:
        link = _ticket_link(data.get("into"), data.get("number"))
        return format_html(_("Merged into {}"), link)
    if kind == Kind.MERGED_FROM:
        link = _ticket_link(data.get("ticket"), data.get("number"))
        return format_html(_("{} merged into this ticket"), link)
    if kind == Kind.REQUESTER:
        return _("Requester %(from)s → %(to)s") % {
            "from": _name(data.get("from")),
            "to": _name(data.get("to")),
        }
    if kind == Kind.SLA_WARNING:
        return _("SLA warning: %(target)s is due soon") % {"target": _target(data.get("target"))}
    if kind == Kind.SLA_BREACH:
        return _("SLA breached: %(target)s") % {"target": _target(data.get("target"))}
    if kind == Kind.FOLLOW_UP:
        return _("A customer update is due")
    if kind == Kind.FIELDS:
        return _("Changed: %(fields)s") % {"fields": ", ".join(sorted(data))}
    return event.get_kind_display()


def status_name(value) -> str:
    return _status(value)


def person(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.email


def minutes(seconds) -> int:
    return round((seconds or 0) / 60)


CONVERSATION = {Kind.MESSAGE_IN, Kind.MESSAGE_OUT, Kind.NOTE, Kind.CALL}
SPLITTABLE = set(TicketEvent.MESSAGE_KINDS)


def _label(event: TicketEvent, names: dict) -> str:
    if event.kind == Kind.CALL:
        length = minutes(event.data.get("duration_seconds"))
        direction = names["inbound" if event.data.get("direction") == "inbound" else "outbound"]
        return direction + " · " + ngettext("%(n)s minute", "%(n)s minutes", length) % {"n": length}
    return names.get(event.kind, "")


def as_rows(events, ticket=None) -> list[TicketEvent]:
    """The events with what their row shows: ``label`` (a message's kind, a call's direction
    and length; empty for a system event), ``words`` (a system event in words),
    ``body_label`` (what a system event's text is: a reason, a handover note, a request's
    message, a summary), ``who``, ``channel_name``, ``when`` (in the active time zone),
    ``spent`` (minutes, not for calls), ``merged`` (from a ticket merged into this one),
    ``splittable``, and for a customer
    message the ``language`` it is written in and its ``language_name``. Without ``ticket`` the
    events are a customer's, across their tickets: none is merged or splittable."""
    # Translated once per page, not once per event: gettext is most of a row's cost.
    names = {
        Kind.NOTE: _("Internal note"),
        Kind.MESSAGE_IN: _("Customer message"),
        Kind.MESSAGE_OUT: _("Public reply"),
        "reason": _("Reason"),
        "handover": _("Handover note"),
        "inbound": _("Inbound call"),
        "outbound": _("Outbound call"),
    }
    channels = {value: str(label) for value, label in Channel.choices}
    languages = {value: str(label) for value, label in TextLanguage.choices}
    body_labels = {
        Kind.SWARM_REQUESTED: _("Message"),
        Kind.SWARM_CLOSED: _("Summary"),
    }
    for event in events:
        event.conversation = event.kind in CONVERSATION
        event.label = _label(event, names)
        event.words = "" if event.conversation else event_words(event)
        handover = event.kind == Kind.ASSIGNED and (event.data or {}).get("reason") == "handover"
        event.body_label = (
            body_labels.get(event.kind) or names["handover" if handover else "reason"]
        )
        if event.actor_id:
            event.who = person(event.actor)
        else:
            event.who = event.contact.name if event.contact_id else "Sampark"
        event.channel_name = channels.get(event.channel, event.channel)
        event.when = date_text(timezone.localtime(event.created_at))
        event.spent = minutes(event.time_spent) if event.kind != Kind.CALL else 0
        event.merged = ticket is not None and event.ticket_id != ticket.pk
        event.splittable = ticket is not None and event.kind in SPLITTABLE and not event.merged
        event.language = event.data.get("language", "") if event.kind == Kind.MESSAGE_IN else ""
        event.language_name = languages.get(event.language, "")
    return events
