from django import template
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


@register.filter
def lang_attribute(language: str) -> str:
    """`` lang="hi"`` for a text written in ``language`` (a ticket's or a message's:
    ``hi-Latn`` for Hinglish), or nothing when it has none of its own (mixed, unknown)."""
    code = HTML_LANG.get(language or "", "")
    return format_html(' lang="{}"', code) if code else ""
