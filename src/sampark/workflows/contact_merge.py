"""A contact merge: two contacts found to be one person become one.

The duplicate's tickets move to the contact that stays (each moved ticket's timeline records
it), then the duplicate is folded into it (identities, assets, organization) and the merge is
recorded with the tickets that moved. The tickets move first so that the merge record can
name them; both steps run in one transaction.
"""

from __future__ import annotations

from django.db import transaction

from sampark.customers import services as customers
from sampark.customers.models import Contact, ContactMerge
from sampark.tickets import services as tickets


@transaction.atomic
def merge_contacts(source: Contact, target: Contact, *, actor=None) -> ContactMerge:
    """Fold ``source`` into ``target``: tickets, identities and assets move, the source is
    marked as merged, and the merge is recorded (also on each moved ticket's timeline)."""
    customers.check_merge(source, target)
    moved = tickets.transfer_requester(source, target, actor=actor)
    return customers.fold_contact(source, target, actor=actor, moved_ticket_ids=moved)
