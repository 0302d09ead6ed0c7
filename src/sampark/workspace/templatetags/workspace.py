"""Tags every workspace page may use: a record's name in the page's language, and the links
to a ticket's, a contact's and an organization's page."""

import functools

from django import template
from django.urls import reverse
from django.utils import translation
from django.utils.html import format_html

from sampark.core.language import HTML_LANG

register = template.Library()


@register.filter
def localised_name(record) -> str:
    """A group's or priority's name in the language of the page: ``name_hi`` on a Hindi page
    when it has one, else ``name``."""
    if translation.get_language() == "hi" and getattr(record, "name_hi", ""):
        return record.name_hi
    return record.name


@functools.cache
def _path(name: str) -> tuple[str, str]:
    """The path of the page ``name`` around its one id, read from the URL conf once:
    reversing it for every row costs 20 µs, 2 ms on a page of 100 links."""
    head, _id, tail = reverse(name, args=[0]).rpartition("0")
    return head, tail


def _url(name: str, pk) -> str:
    head, tail = _path(name)
    return f"{head}{pk}{tail}"


@register.simple_tag
def ticket_url(ticket) -> str:
    """The ticket page of ``ticket`` (``workspace:ticket``)."""
    return _url("workspace:ticket", ticket.pk)


@register.simple_tag
def contact_url(contact_id) -> str:
    """The page of the contact with this id (``workspace:contact``)."""
    return _url("workspace:contact", contact_id)


@register.simple_tag
def organization_url(organization_id) -> str:
    """The page of the organization with this id (``workspace:organization``)."""
    return _url("workspace:organization", organization_id)


@register.filter
def lang_attribute(language: str) -> str:
    """`` lang="hi"`` for a text written in ``language`` (a ticket's or a message's:
    ``hi-Latn`` for Hinglish), or nothing when it has none of its own (mixed, unknown)."""
    code = HTML_LANG.get(language or "", "")
    return format_html(' lang="{}"', code) if code else ""
