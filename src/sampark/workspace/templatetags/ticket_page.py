"""The ticket page's filters: a person's name and a status in the page's language."""

from django import template

from .. import ticket_words

register = template.Library()
register.filter("status_name", ticket_words.status_name)
register.filter("person", ticket_words.person)
