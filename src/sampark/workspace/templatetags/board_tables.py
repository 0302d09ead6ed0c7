"""The coordinator board's tables (``workspace.board``), drawn in Python: a board has a couple
of hundred numbers and a row per agent, and the template's loops over them were a quarter of
the board's page (as with the queues' rows, ``workspace.ticket_rows``)."""

from html import escape

from django import template
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from sampark.team.models import AgentProfile

register = template.Library()
OVER = ' class="over"'


def _cells(numbers, total) -> str:
    cells = "".join(f'<td class="number">{number.link}</td>' for number in numbers)
    if total is not None:
        cells += f'<td class="number total">{total.link}</td>'
    return cells


@register.simple_tag
def board_table(table) -> SafeString:
    """A table of numbers: a row per place (a group, or the tickets without one), a column
    per count, the totals at the foot, and a total per row and of all when the columns split
    the rows' tickets between them. Each number is its link (``Number.link``)."""
    group, total, every = escape(_("Group")), escape(_("Total")), escape(_("All"))
    head = "".join(
        f'<th scope="col" class="number">{escape(str(column.label))}</th>'
        for column in table.columns
    )
    if table.total is not None:
        head += f'<th scope="col" class="number">{every}</th>'
    rows = "\n".join(
        f'<tr><th scope="row">{escape(row.place.label)}</th>{_cells(row.numbers, row.total)}</tr>'
        for row in table.rows
    )
    return mark_safe(  # noqa: S308 - labels are escaped, links built by Number.link
        '<div class="table-wrap">\n<table class="list board-table">\n'
        f'<thead><tr><th scope="col">{group}</th>{head}</tr></thead>\n'
        f"<tbody>\n{rows}\n</tbody>\n"
        f'<tfoot><tr><th scope="row">{total}</th>'
        f"{_cells(table.totals, table.total)}</tr></tfoot>\n</table>\n</div>"
    )


@register.simple_tag
def agent_loads(agents) -> SafeString:
    """The agents' rows: name, presence (in words beside its dot), the active tickets they
    own here as a link to them, marked when over their capacity, and the capacity."""
    if not agents:
        nobody = escape(_("No agents in these groups."))
        return mark_safe(f'<tr><td colspan="4">{nobody}</td></tr>')  # noqa: S308 - escaped
    presence = {value: escape(str(label)) for value, label in AgentProfile.Presence.choices}
    over_capacity = escape(_("over capacity"))
    over = f' <span class="over-label">{over_capacity}</span>'
    rows = []
    for member in agents:
        profile, user = member.profile, member.profile.user
        name = escape(user.get_full_name() or user.email)
        busy = member.over_capacity
        rows.append(
            f'<tr{OVER if busy else ""}><th scope="row">{name}</th>'
            f'<td class="presence-{escape(profile.presence)}"><span class="dot" '
            f'aria-hidden="true"></span>{presence.get(profile.presence, "")}</td>'
            f'<td class="number">{member.load.link}{over if busy else ""}</td>'
            f'<td class="number">{profile.capacity}</td></tr>'
        )
    return mark_safe("\n".join(rows))  # noqa: S308 - every value is escaped above
