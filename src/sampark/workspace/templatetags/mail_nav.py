"""The sidebar's count of mail waiting for a person (supervisors and admins): one count on a
partial index, so it stays true and cheap on every page."""

from django import template

from sampark.mail.queries import attention_count

register = template.Library()


@register.simple_tag
def mail_attention_count() -> int:
    return attention_count()
