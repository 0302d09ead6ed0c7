"""SLA clocks follow every ticket change: the services publish, these recompute after commit."""

from sampark.core import events

from .services import recompute, start_clocks
from .tasks import recompute_active_later

# A new ticket's clocks start in its own transaction (start_clocks); these changes recompute
# after commit.
TICKET_EVENTS = ("ticket_message", "ticket_updated", "ticket_escalated")


def _recompute(ticket_id: int, **_payload) -> None:
    recompute(ticket_id)


def _start(ticket, *, history=None, **_payload) -> None:
    start_clocks(ticket, history=history)


def _recompute_merged(ticket_id: int, into_id: int, **_payload) -> None:
    recompute(ticket_id)
    recompute(into_id)


def _policy_changed(policy_id: int, **_payload) -> None:
    recompute_active_later(reason="policy")


def _calendar_changed(calendar_id: int, **_payload) -> None:
    recompute_active_later(reason="calendar")


def _by_ticket(ticket_id: int, **_payload) -> int:
    return ticket_id


def connect() -> None:
    # Recomputing rebuilds the clocks from the log, so one run per ticket and transaction is
    # exact, however many changes the transaction made. A new ticket's clocks are one upsert
    # after the policy match and the due times: no savepoint around them.
    events.subscribe_in_transaction("ticket_opened", _start, recover=_recompute, one_statement=True)
    for name in TICKET_EVENTS:
        events.subscribe(name, _recompute, coalesce=_by_ticket)
    events.subscribe("ticket_merged", _recompute_merged)
    events.subscribe("sla_policy_changed", _policy_changed)
    events.subscribe("calendar_changed", _calendar_changed)
