"""The workspace's own writes for the queues: saved views, bulk changes and the agent's
workspace settings. Ticket changes made from
the workspace go through ``sampark.tickets.services``."""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext as _

from sampark.core import clock
from sampark.core.errors import DomainError, InvalidInput, NotFound, StaleVersion
from sampark.team.models import Group
from sampark.tickets import access
from sampark.tickets import services as tickets
from sampark.tickets.models import Ticket

from .. import queues
from ..models import SavedView, WorkspaceSettings

MAX_VIEWS = 50


def _check(owner, name: str, shared_with: Group | None, order: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise InvalidInput(_("A view needs a name."), field="name")
    if len(name) > 80:
        raise InvalidInput(_("A view's name has at most 80 characters."), field="name")
    if order not in queues.ORDERS:
        raise InvalidInput(_("Unknown sort."), field="order")
    if shared_with is not None and shared_with.pk not in queues.my_group_ids(owner):
        raise InvalidInput(
            _("You can share a view only with one of your groups."), field="shared_with"
        )
    return name


@transaction.atomic
def create_view(
    owner,
    *,
    name: str,
    filters: queues.QueueFilters,
    order: str = "sla",
    shared_with: Group | None = None,
) -> SavedView:
    """A new saved view of ``owner``: private, or shared with one of the owner's groups."""
    name = _check(owner, name, shared_with, order)
    if SavedView.objects.filter(owner=owner).count() >= MAX_VIEWS:
        raise InvalidInput(_("You have too many saved views; delete one first."), field="name")
    now = clock.now()
    return SavedView.objects.create(
        owner=owner,
        name=name,
        filters=filters.as_json(),
        order=order,
        shared_with=shared_with,
        created_at=now,
        updated_at=now,
    )


def _own_view(owner, view_id: int) -> SavedView:
    """The view, locked; a view of someone else is as missing as one that never was."""
    view = SavedView.objects.select_for_update().filter(pk=view_id, owner=owner).first()
    if view is None:
        raise queues.view_not_found()
    return view


@transaction.atomic
def change_view(
    owner,
    view_id: int,
    *,
    name: str,
    filters: queues.QueueFilters,
    order: str,
    shared_with: Group | None,
) -> SavedView:
    """Rename a view, or change its filters, sort or sharing: only its owner may."""
    view = _own_view(owner, view_id)
    view.name = _check(owner, name, shared_with, order)
    view.filters = filters.as_json()
    view.order = order
    view.shared_with = shared_with
    view.updated_at = clock.now()
    view.save(update_fields=["name", "filters", "order", "shared_with", "updated_at"])
    return view


@transaction.atomic
def delete_view(owner, view_id: int) -> None:
    _own_view(owner, view_id).delete()


@transaction.atomic
def set_keyboard_shortcuts(user, enabled: bool) -> WorkspaceSettings:
    """Turn the queue's keyboard shortcuts on or off for this agent."""
    settings, _created = WorkspaceSettings.objects.update_or_create(
        user=user, defaults={"keyboard_shortcuts": enabled}
    )
    return settings


@dataclass
class BulkOutcome:
    """What a bulk action did to one ticket: done, or refused and why."""

    ticket_id: int
    number: int | None
    done: bool
    reason: str = ""


def _bulk_one(actor, action: str, ticket_id: int, version: int, value, reason: str):
    if action == "merge":
        if value is None:
            raise InvalidInput(_("No ticket has this number."), field="into")
        return tickets.merge_tickets(
            ticket_id, into_id=value, actor=actor, expected_version=version
        )
    if action == "tag":
        current = access.visible_ticket(actor, ticket_id)
        names = [*current.tags.values_list("name", flat=True), value]
        return tickets.update_ticket(ticket_id, actor=actor, expected_version=version, tags=names)
    fields = {
        "owner": {"owner": value},
        "status": {"status": value},
        "priority": {"priority": value, "priority_reason": reason},
    }[action]
    return tickets.update_ticket(ticket_id, actor=actor, expected_version=version, **fields)


def _merge_target(actor, number: int) -> int | None:
    """The id of the ticket with this number, if it exists for ``actor``."""
    rows = access.visible(actor, Ticket.objects.filter(number=number))
    return rows.values_list("pk", flat=True).first()


def bulk_change(actor, action: str, selected: list[tuple[int, int]], *, value, reason: str = ""):
    """Apply one action to each selected ticket (id, version as the agent saw it), one ticket
    at a time, each through the ticket services in its own transaction: a ticket changed
    since it was shown, or one the agent may not change, is refused and the others go on."""
    if action == "merge":
        value = _merge_target(actor, value)
    elif action == "owner":
        value = get_user_model().objects.filter(pk=value).first()
    outcomes = []
    for ticket_id, version in selected:
        number = Ticket.objects.filter(pk=ticket_id).values_list("number", flat=True).first()
        try:
            with transaction.atomic():
                _bulk_one(actor, action, ticket_id, version, value, reason)
        except StaleVersion:
            outcomes.append(
                BulkOutcome(
                    ticket_id, number, False, _("Changed by someone else since you saw it.")
                )
            )
        except NotFound:
            outcomes.append(BulkOutcome(ticket_id, None, False, _("Ticket not found.")))
        except DomainError as error:
            outcomes.append(BulkOutcome(ticket_id, number, False, error.message))
        else:
            outcomes.append(BulkOutcome(ticket_id, number, True))
    return outcomes
