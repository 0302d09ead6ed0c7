"""The queues' template tags: the sidebar's queues with their counts, the link to a ticket and
the SLA badge of a row."""

from django import template
from django.utils import timezone
from django.utils.translation import gettext as _

from sampark.core import clock
from sampark.tickets import access

from .. import queues

register = template.Library()


@register.inclusion_tag("workspace/queues/sidebar.html", takes_context=True)
def queue_sidebar(context):
    """Every workspace page's named queues, their counts and the agent's saved views."""
    request = context["request"]
    agent = context.get("agent")
    if agent is None or not request.user.is_authenticated:
        return {"show": False}
    access.attach_scope(request.user)  # worked out once for the sidebar's queries
    group_ids = queues.my_group_ids(request.user)
    counts = queues.queue_counts(request.user, group_ids, agent.time_zone)
    match = request.resolver_match
    here = (
        (match.url_name, match.kwargs.get("name") or match.kwargs.get("view_id")) if match else None
    )
    return {
        "show": True,
        "queues": [(q, counts[q.name]) for q in queues.NAMED_QUEUES.values()],
        "views": queues.sidebar_views(request.user, group_ids),
        "here": here,
    }


@register.simple_tag
def ticket_url(ticket) -> str:
    """The ticket page of ``ticket``: one place to switch to ``{% url 'workspace:ticket' %}``
    once that page exists."""
    return f"/tickets/{ticket.pk}/"


@register.inclusion_tag("workspace/queues/sla_badge.html")
def sla_badge(ticket):
    """The nearest SLA due time as a badge: red when breached, amber past the warning point,
    green on track, grey when every clock is paused; always with words, never colour alone."""
    clock_row = getattr(ticket, "sla_clock", None)
    if clock_row is None:
        return {"state": None}
    now = clock.now()
    due = clock_row.sla_due
    if due is None:
        paused = any(c.get("paused") for c in (clock_row.clocks or {}).values())
        return {"state": "paused" if paused else None, "label": _("Paused")}
    if due <= now:
        state, label = "breached", _("Overdue")
    elif clock_row.at_risk_from and clock_row.at_risk_from <= now:
        state, label = "at_risk", _("At risk")
    else:
        state, label = "on_track", _("On track")
    return {"state": state, "label": label, "due": timezone.localtime(due), "now": now}
