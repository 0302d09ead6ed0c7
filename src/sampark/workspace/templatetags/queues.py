"""The queues' template tags: the sidebar's queues with their counts and the SLA badge of a
row."""

from django import template
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.timesince import timesince, timeuntil
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
def sla_badge(ticket) -> str:
    """The nearest SLA due time as a badge: red when overdue, amber past the warning point,
    green on track, grey when every clock is paused; always with words ("At risk · in 2
    hours"), never colour alone. Built here rather than by an included template: it is drawn
    on every row of every queue page."""
    clock_row = getattr(ticket, "sla_clock", None)
    due = clock_row.sla_due if clock_row is not None else None
    if due is None:
        paused = clock_row is not None and any(
            state.get("paused") for state in (clock_row.clocks or {}).values()
        )
        if paused:
            return format_html('<span class="sla sla-paused">{}</span>', _("Paused"))
        return mark_safe('<span class="sla sla-none">—</span>')  # noqa: S308 - a constant
    now = clock.now()
    if due <= now:
        state, label = "breached", _("Overdue")
        when = _("%(time)s ago") % {"time": timesince(due, now, depth=1)}
    else:
        at_risk = clock_row.at_risk_from is not None and clock_row.at_risk_from <= now
        state, label = ("at_risk", _("At risk")) if at_risk else ("on_track", _("On track"))
        when = _("in %(time)s") % {"time": timeuntil(due, now, depth=1)}
    local = timezone.localtime(due)
    return format_html(
        '<time class="sla sla-{}" datetime="{}" title="{}">{} · {}</time>',
        state,
        local.isoformat(),
        date_format(local, "DATETIME_FORMAT"),
        label,
        when,
    )
