"""The ticket page's filters (a person's name and a status in the page's language) and its
timeline's rows."""

from django import template
from django.template.defaultfilters import linebreaksbr, truncatechars
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .. import ticket_queries, ticket_words
from .workspace import lang_attribute, ticket_url

register = template.Library()
register.filter("status_name", ticket_words.status_name)
register.filter("person", ticket_words.person)


@register.simple_tag
def agent_options(selected=None, leave_out=None) -> str:
    """The active agents as ``<option>`` elements, ``selected`` marked and ``leave_out`` left
    out. A ticket page has up to four such lists, each as long as the team: drawn here from
    the names escaped once per configuration generation, not by tags per option."""
    return mark_safe(  # noqa: S308 (the names are escaped, the ids are integers)
        "".join(
            f'<option value="{pk}"{" selected" if pk == selected else ""}>{name}</option>'
            for pk, name in ticket_queries.agent_choices()
            if pk != leave_out
        )
    )


def _include(context, name: str, **values) -> str:
    """What ``{% include name with values %}`` renders, in the page's context."""
    template = context.template.engine.get_template(name)
    with context.push(**values):
        return template.render(context)


@register.simple_tag(takes_context=True)
def timeline_event(context, event) -> str:
    """One event of a timeline (``ticket_words.as_rows`` gave it its words): its meta line and
    body, with an email's, a notice's, a file list's and a delivery's own templates for those
    parts. Built here rather than by a partial: a ticket page draws fifty, and the partial's
    tags and filters were a third of the page's time. ``across`` in the context: the events are
    a customer's, each naming its ticket and shortening a long message."""
    across = context.get("across", False)
    may = context.get("may") or {}
    notice, mail = getattr(event, "notice", None), getattr(event, "mail", None)
    files, delivery = getattr(event, "files", None), getattr(event, "delivery", None)
    kind = event.kind
    note = kind == "note"
    parts = [
        format_html(
            '<li class="event event-{}{}" id="event-{}">\n',
            kind,
            " is-note" if note else "",
            event.pk,
        )
    ]
    if across:
        ticket = event.ticket
        parts.append(
            format_html(
                '  <div class="event-ticket"><a href="{}">#{}</a> <span{}>{}</span> · {}</div>\n',
                ticket_url(ticket),
                ticket.number,
                lang_attribute(ticket.language),
                truncatechars(ticket.subject, 80),
                ticket.get_status_display(),
            )
        )
    if event.conversation:
        label = format_html(
            "<strong{}>{}</strong>", mark_safe(' class="note-label"') if note else "", event.label
        )
    else:
        label = format_html('<span class="system-label">{}</span>', _("System"))
    language = format_html(" · {}", event.language_name) if event.language_name else ""
    parts.append(
        format_html(
            '  <div class="event-meta">\n    {}\n    · {} · {}{} · <time datetime="{}">{}</time>\n',
            label,
            event.who,
            event.channel_name,
            language,
            timezone.localtime(event.created_at).isoformat(),
            event.when,
        )
    )
    if event.merged:
        parts.append(format_html("    · {}\n", _("from a merged ticket")))
    if may.get("split") and event.splittable:
        parts.append(
            format_html(
                '    <label class="split-pick"><input type="checkbox" name="event_ids" value="{}"'
                ' form="split-form"> {}</label>\n',
                event.pk,
                _("split off"),
            )
        )
    parts.append("  </div>\n  ")
    if notice:
        parts.append(_include(context, "workspace/ticket/_notice.html", event=event))
    elif mail and not across:
        parts.append(_include(context, "workspace/ticket/_email.html", event=event))
    elif event.conversation:
        body = truncatechars(event.body, 400) if across else event.body
        parts.append(
            format_html(
                '<div class="event-body" dir="auto"{}>{}</div>',
                lang_attribute(event.language),
                linebreaksbr(body, autoescape=True),
            )
        )
        if files:
            parts.append(_include(context, "workspace/ticket/_files.html", files=files))
    else:
        body = format_html(" — {}: {}", event.body_label, event.body) if event.body else ""
        parts.append(format_html('<div class="event-body system">{}{}</div>', event.words, body))
    if delivery:
        parts.append(_include(context, "workspace/ticket/_delivery.html", delivery=delivery))
    if event.spent:
        spent = ngettext("%(counter)s minute spent", "%(counter)s minutes spent", event.spent) % {
            "counter": event.spent
        }
        parts.append(format_html('\n  <div class="muted">{}</div>', spent))
    parts.append("\n</li>\n")
    return mark_safe("".join(parts))  # noqa: S308 - every part is escaped above
