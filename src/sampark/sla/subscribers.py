"""SLA clocks follow every ticket change: the services publish, these recompute after commit."""

from sampark.core import events

# A new ticket's clocks start in its own transaction (start_clocks); these changes recompute
# after commit.
TICKET_EVENTS = ("ticket_message", "ticket_updated", "ticket_escalated")


def _recompute(ticket_id: int, **_payload) -> None:
    from .services import recompute

    recompute(ticket_id)


def _plan(ticket, *, history, **_detail):
    from .services import plan_clocks

    return plan_clocks(ticket, history)


def _start(ticket, *, history=None, prepared=None, **_payload) -> None:
    from .services import start_clocks

    start_clocks(ticket, history=history, planned=prepared)


def _recompute_merged(ticket_id: int, into_id: int, **_payload) -> None:
    from .services import recompute

    recompute(ticket_id)
    recompute(into_id)


def _calendar_changed(calendar_id: int, **_payload) -> None:
    from .services import recompute_active_later

    recompute_active_later(reason="calendar")


def _by_ticket(ticket_id: int, **_payload) -> int:
    return ticket_id


def connect() -> None:
    # Recomputing rebuilds the clocks from the log, so one run per ticket and transaction is
    # exact, however many changes the transaction made.
    events.subscribe_in_transaction("ticket_opened", _start, recover=_recompute, prepare=_plan)
    for name in TICKET_EVENTS:
        events.subscribe(name, _recompute, coalesce=_by_ticket)
    events.subscribe("ticket_merged", _recompute_merged)
    events.subscribe("calendar_changed", _calendar_changed)
