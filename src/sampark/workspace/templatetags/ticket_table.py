"""The ticket table's rows (``sampark.workspace.ticket_rows``)."""

from django import template

from ..ticket_rows import ticket_rows as rows_of

register = template.Library()


@register.simple_tag
def ticket_rows(
    tickets,
    on_ticket=None,
    escalation_due=None,
    history=False,
    selectable=False,
    no_requester=False,
):
    return rows_of(
        tickets,
        on_ticket=on_ticket,
        escalation_due=escalation_due,
        history=history,
        selectable=selectable,
        no_requester=no_requester,
    )
