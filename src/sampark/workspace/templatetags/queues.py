"""The queues' template tags: the sidebar's queues, and a row's SLA badge and escalation due
time."""

from urllib.parse import quote

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from sampark.core import clock

from .. import queues
from ..ticket_queries import duration_words
from ..views import COUNTS_COOKIE

register = template.Library()


@register.inclusion_tag("workspace/queues/sidebar.html", takes_context=True)
def queue_sidebar(context):
    """Every workspace page's named queues and the agent's saved views. Their counts come
    after the page, from :func:`sampark.workspace.queue_views.queue_counts` (see
    ``views.COUNTS_COOKIE``): a page does not wait for them, and the browser reuses them for
    a while as the agent moves from page to page."""
    request = context["request"]
    agent = context.get("agent")
    if agent is None or not request.user.is_authenticated:
        return {"show": False}
    match = request.resolver_match
    here = (
        (match.url_name, match.kwargs.get("name") or match.kwargs.get("view_id")) if match else None
    )
    version = request.COOKIES.get(COUNTS_COOKIE, "")
    return {
        "show": True,
        "queues": queues.NAMED_QUEUES.values(),
        "counts_url": reverse("workspace:queue_counts")
        + (f"?v={quote(version)}" if version else ""),
        "views": queues.sidebar_views(request.user, queues.my_group_ids(request.user)),
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
    return _due_badge(
        due, clock_row.at_risk_from, (_("Overdue"), _("At risk"), _("On track")), "sla"
    )


@register.simple_tag
def escalation_due_marker(escalation_due, ticket) -> str:
    """In "Escalated to my group", the due time of the row's escalation to the agent's groups
    (``escalation_queries.escalations_due``), as the SLA badge shows a due time: "Escalation
    overdue · 2 hours ago", "Escalation due soon · in 40 minutes". Nothing for a row without
    one."""
    item = escalation_due.get(ticket.pk)
    if item is None or item.due_at is None:
        return ""
    labels = (_("Escalation overdue"), _("Escalation due soon"), _("Escalation due"))
    return _due_badge(item.due_at, item.warn_at, labels, "sla escalation-due")


def _due_badge(due, soon_from, labels, css: str) -> str:
    """A due time in words and colour: ``labels`` says past due, past ``soon_from`` (at risk)
    and on track."""
    now = clock.now()
    if due <= now:
        state, label = "breached", labels[0]
        when = _("%(time)s ago") % {"time": duration_words((now - due).total_seconds())}
    else:
        at_risk = soon_from is not None and soon_from <= now
        state, label = ("at_risk", labels[1]) if at_risk else ("on_track", labels[2])
        when = _("in %(time)s") % {"time": duration_words((due - now).total_seconds())}
    local = timezone.localtime(due)
    return format_html(
        '<time class="{} sla-{}" datetime="{}" title="{}">{} · {}</time>',
        css,
        state,
        local.isoformat(),
        date_format(local, "DATETIME_FORMAT"),
        label,
        when,
    )


@register.simple_tag
def on_ticket_marker(on_ticket, ticket) -> str:
    """Who else has this row's ticket open, from :func:`workspace.ticket_queries.who_is_on`:
    "Priya is replying" (in a stronger badge, since a second reply would cross hers) or
    "Priya is viewing"; with several, the first and how many more. Nothing when nobody is."""
    here = on_ticket.get(ticket.pk)
    if not here:
        return ""
    user, state = here[0]
    name = user.first_name or user.get_full_name() or user.email
    if state == "replying":
        words = _("%(name)s is replying") % {"name": name}
    else:
        words = _("%(name)s is viewing") % {"name": name}
    if len(here) > 1:
        words = _("%(who)s, and %(count)d more") % {"who": words, "count": len(here) - 1}
    return format_html('<span class="on-ticket on-ticket-{}">{}</span>', state, words)
