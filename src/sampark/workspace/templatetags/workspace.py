from django import template
from django.utils import translation

register = template.Library()


@register.filter
def localised_name(record) -> str:
    """A group's or priority's name in the language of the page: ``name_hi`` on a Hindi page
    when it has one, else ``name``."""
    if translation.get_language() == "hi" and getattr(record, "name_hi", ""):
        return record.name_hi
    return record.name
