"""SLA clocks: matching a policy, recomputing a ticket's clocks from its log, and the sweep
that fires each warning, breach and update reminder exactly once."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Sum
from django.utils.translation import gettext as _

from sampark import clock
from sampark.calendars.hours import CALENDAR_TIME, ClosedCalendar, Schedule
from sampark.calendars.services import default_calendar, schedule_of
from sampark.errors import Conflict, InvalidInput
from sampark.notifications.services import notify
from sampark.team.models import AgentProfile
from sampark.tickets import services as tickets
from sampark.tickets.models import ACTIVE_STATUSES, Status, Ticket, TicketEvent

from . import clocks
from .models import SLAAlert, SLAPolicy, Target, TicketClock

logger = logging.getLogger(__name__)
Kind = TicketEvent.Kind

CLOCK_FUNCTIONS = {
    Target.FIRST_RESPONSE: clocks.first_response,
    Target.NEXT_RESPONSE: clocks.next_response,
    Target.RESOLUTION: clocks.resolution,
    Target.NEXT_UPDATE: clocks.next_update,
}
HISTORY_KINDS = (
    Kind.CREATED,
    Kind.STATUS,
    Kind.REOPENED,
    Kind.MERGED,
    Kind.MESSAGE_IN,
    Kind.MESSAGE_OUT,
    Kind.CALL,
    Kind.SPLIT_FROM,
)


# --- policies -----------------------------------------------------------------------------


_policy_cache: dict[tuple, list[SLAPolicy]] = {}


def active_policies() -> list[SLAPolicy]:
    """The active policies with their conditions, cached until any policy changes (every
    save bumps a revision), so matching a ticket costs one small aggregate query."""
    stamp = tuple(
        SLAPolicy.objects.aggregate(n=Count("id"), r=Sum("revision"), m=Max("id")).values()
    )
    policies = _policy_cache.get(stamp)
    if policies is None:
        policies = list(
            SLAPolicy.objects.filter(active=True).prefetch_related("priorities", "groups")
        )
        _policy_cache.clear()
        _policy_cache[stamp] = policies
    return policies


def match_policy(ticket: Ticket, policies: list[SLAPolicy] | None = None) -> SLAPolicy | None:
    """The first active policy, in position order, whose every condition the ticket meets."""
    if policies is None:
        policies = active_policies()
    tier = ticket.organization.tier if ticket.organization_id else None
    for policy in policies:
        priority_ids = {p.pk for p in policy.priorities.all()}
        group_ids = {g.pk for g in policy.groups.all()}
        if priority_ids and ticket.priority_id not in priority_ids:
            continue
        if group_ids and ticket.group_id not in group_ids:
            continue
        if policy.organization_tiers and tier not in policy.organization_tiers:
            continue
        if policy.channels and ticket.channel not in policy.channels:
            continue
        return policy
    return None


@transaction.atomic
def save_policy(
    policy: SLAPolicy | None = None, *, priorities=None, groups=None, **fields
) -> SLAPolicy:
    """Create or change a policy; active tickets are recomputed after commit."""
    for name in (
        "first_response_minutes",
        "next_response_minutes",
        "resolution_minutes",
        "update_interval_minutes",
    ):
        value = fields.get(name)
        if value is not None and (not isinstance(value, int) or value <= 0):
            raise InvalidInput(_("Targets must be a positive number of minutes."), field=name)
    if "warn_fraction" in fields and not 0 < fields["warn_fraction"] < 1:
        raise InvalidInput(
            _("The warning fraction must be between 0 and 1."), field="warn_fraction"
        )
    if "name" in fields:
        fields["name"] = (fields["name"] or "").strip()
        if not fields["name"]:
            raise InvalidInput(_("A policy needs a name."), field="name")
        clash = SLAPolicy.objects.filter(name=fields["name"])
        if policy is not None:
            clash = clash.exclude(pk=policy.pk)
        if clash.exists():
            raise Conflict(_("An SLA policy with this name already exists."))
    if policy is None:
        policy = SLAPolicy.objects.create(**fields)
    else:
        for name, value in fields.items():
            setattr(policy, name, value)
        policy.revision += 1
        policy.save(update_fields=[*fields, "revision"])
    if priorities is not None:
        policy.priorities.set(priorities)
    if groups is not None:
        policy.groups.set(groups)
    transaction.on_commit(lambda: recompute_active_later(reason="policy"))
    return policy


# --- recomputing a ticket's clocks --------------------------------------------------------


def history_of(ticket: Ticket, events: list[TicketEvent]) -> clocks.History:
    history = clocks.History(opened_at=ticket.created_at)
    history.statuses.append((ticket.created_at, Status.NEW))
    for event in events:
        if event.kind in (Kind.STATUS, Kind.REOPENED):
            history.statuses.append((event.created_at, event.data.get("to", Status.OPEN)))
        elif event.kind == Kind.MERGED:
            history.statuses.append((event.created_at, Status.CLOSED))
        elif event.kind == Kind.MESSAGE_IN:
            history.customer_messages.append(event.created_at)
        elif event.kind in (Kind.MESSAGE_OUT, Kind.CALL):
            history.responses.append(event.created_at)
    if history.status != ticket.status:
        # Rows loaded by bulk paths may lack a status event; trust the ticket's column.
        history.statuses.append((ticket.updated_at, ticket.status))
    return history


def _schedule_for(ticket: Ticket, business: bool) -> Schedule:
    if not business:
        return CALENDAR_TIME
    calendar = None
    if ticket.group_id and ticket.group.calendar_id:
        calendar = ticket.group.calendar
    calendar = calendar or default_calendar()
    return schedule_of(calendar) if calendar else CALENDAR_TIME


def compute(
    ticket: Ticket, policy: SLAPolicy | None, events: list[TicketEvent], now: dt.datetime
) -> dict[str, clocks.ClockState]:
    if policy is None:
        return {}
    history = history_of(ticket, events)
    paused = set()
    if policy.pause_when_pending:
        paused.add(Status.PENDING)
    if policy.pause_when_on_hold:
        paused.add(Status.ON_HOLD)
    states = {}
    schedules: dict[bool, Schedule] = {}
    for target, function in CLOCK_FUNCTIONS.items():
        minutes = policy.target_minutes(target)
        if not minutes:
            continue
        business = policy.counts_business_time(target)
        if business not in schedules:
            schedules[business] = _schedule_for(ticket, business)
        rules = clocks.ClockRules(
            target_seconds=minutes * 60,
            schedule=schedules[business],
            paused_statuses=frozenset(paused),
            warn_fraction=policy.warn_fraction,
        )
        try:
            states[target] = function(history, rules, now)
        except ClosedCalendar:
            logger.warning("ticket %s: calendar never opens; %s has no due time", ticket.pk, target)
    return states


def _next_deadline(states: dict[str, clocks.ClockState], fired: set[tuple]) -> dt.datetime | None:
    """The earliest warning or breach that has not fired yet."""
    upcoming = []
    for target, state in states.items():
        if (state.met_at is not None or state.paused) and not state.breached:
            continue
        if state.warn_at and (target, "warning", state.cycle) not in fired:
            upcoming.append(state.warn_at)
        if state.due and (target, "breach", state.cycle) not in fired:
            upcoming.append(state.due)
    return min(upcoming) if upcoming else None


def _fired(ticket_id: int) -> set[tuple]:
    return set(SLAAlert.objects.filter(ticket_id=ticket_id).values_list("target", "kind", "cycle"))


def _load(ticket_id: int) -> tuple[Ticket, list[TicketEvent]]:
    ticket = Ticket.objects.select_related("organization", "group", "group__calendar", "owner").get(
        pk=ticket_id
    )
    events = list(
        TicketEvent.objects.filter(ticket_id=ticket_id, kind__in=HISTORY_KINDS)
        .only("kind", "created_at", "data")
        .order_by("created_at", "id")
    )
    return ticket, events


def _store(ticket_id: int, policy, states, fired: set[tuple], now) -> TicketClock:
    row, _created = TicketClock.objects.update_or_create(
        ticket_id=ticket_id,
        defaults={
            "policy": policy,
            "clocks": {target: state.as_json() for target, state in states.items()},
            "next_deadline": _next_deadline(states, fired),
            "computed_at": now,
        },
    )
    return row


@transaction.atomic
def recompute(ticket_id: int, *, now: dt.datetime | None = None) -> TicketClock:
    """Rebuild the ticket's clocks from its log, policy and calendar; store them with the next
    deadline the sweep must act on."""
    now = now or clock.now()
    ticket, events = _load(ticket_id)
    policy = match_policy(ticket)
    states = compute(ticket, policy, events, now)
    return _store(ticket_id, policy, states, _fired(ticket_id), now)


def recompute_active_later(*, reason: str) -> None:
    """Recompute every active ticket in the background (a policy or calendar changed)."""
    from .tasks import recompute_active

    recompute_active.enqueue(reason=reason)


def recompute_active_now(batch: int = 500) -> int:
    ids = Ticket.objects.filter(status__in=ACTIVE_STATUSES).values_list("pk", flat=True)
    count = 0
    for ticket_id in ids.iterator(chunk_size=batch):
        recompute(ticket_id)
        count += 1
    return count


# --- the sweep ----------------------------------------------------------------------------


@dataclass
class SweepResult:
    tickets: int = 0
    warnings: int = 0
    breaches: int = 0
    reminders: int = 0
    failed: int = 0


def _supervisors(ticket: Ticket):
    if not ticket.group_id:
        return []
    return [
        profile.user
        for profile in AgentProfile.objects.select_related("user").filter(
            groups=ticket.group_id,
            role__in=[AgentProfile.Role.SUPERVISOR, AgentProfile.Role.ADMIN],
        )
    ]


def _fire(
    ticket: Ticket,
    policy: SLAPolicy,
    target: str,
    kind: str,
    cycle: str,
    due,
    now,
    result: SweepResult,
) -> None:
    try:
        with transaction.atomic():
            SLAAlert.objects.create(
                ticket=ticket, target=target, kind=kind, cycle=cycle, created_at=now
            )
    except IntegrityError:
        return  # another worker fired it first
    label = Target(target).label
    if target == Target.NEXT_UPDATE and kind == SLAAlert.Kind.BREACH:
        tickets.record_sla_event(
            ticket.pk, kind=Kind.FOLLOW_UP, target=target, due=due, cycle=cycle
        )
        notify(
            [ticket.owner] if ticket.owner else _supervisors(ticket),
            kind="follow_up",
            ticket=ticket,
            title=_("Customer update due on #%(n)s") % {"n": ticket.number},
            body=_("Call or message the customer with progress on “%(s)s”.")
            % {"s": ticket.subject},
        )
        result.reminders += 1
        return
    event_kind = Kind.SLA_WARNING if kind == SLAAlert.Kind.WARNING else Kind.SLA_BREACH
    tickets.record_sla_event(ticket.pk, kind=event_kind, target=target, due=due, cycle=cycle)
    if kind == SLAAlert.Kind.WARNING:
        result.warnings += 1
        notify(
            [ticket.owner] if ticket.owner else _supervisors(ticket),
            kind="sla_warning",
            ticket=ticket,
            title=_("%(target)s due soon on #%(n)s") % {"target": label, "n": ticket.number},
        )
        return
    result.breaches += 1
    if policy.notify_on_breach:
        notify(
            [ticket.owner, *_supervisors(ticket)],
            kind="sla_breach",
            ticket=ticket,
            title=_("%(target)s breached on #%(n)s") % {"target": label, "n": ticket.number},
        )
    reason = _("SLA breach: %(target)s") % {"target": label}
    if policy.raise_priority_on_breach:
        tickets.raise_priority(ticket.pk, reason=reason)
    if policy.escalate_on_breach:
        tickets.escalate_to_next_tier(ticket.pk, reason=reason)


def _sweep_one(ticket_id: int, now, result: SweepResult) -> None:
    ticket, events = _load(ticket_id)
    policy = match_policy(ticket)
    states = compute(ticket, policy, events, now)
    fired = _fired(ticket_id)
    acted = False
    for target, state in states.items():
        for kind, cycle, due in state.crossings:
            if (target, kind, cycle) not in fired:
                _fire(ticket, policy, target, kind, cycle, due, now, result)
                fired.add((target, kind, cycle))
                acted = True
    if acted and (policy.raise_priority_on_breach or policy.escalate_on_breach):
        recompute(ticket_id, now=now)  # the breach action changed the ticket: start afresh
    else:
        _store(ticket_id, policy, states, fired, now)
    result.tickets += 1


def sweep(
    *, now: dt.datetime | None = None, batch: int = 200, max_tickets: int = 100_000
) -> SweepResult:
    """Act on every ticket whose next deadline has passed. Reads only due tickets (the partial
    index on next_deadline); on PostgreSQL concurrent workers skip each other's rows."""
    now = now or clock.now()
    result = SweepResult()
    while result.tickets < max_tickets:
        with transaction.atomic():
            claimed = list(
                TicketClock.objects.select_for_update(skip_locked=True)
                .filter(next_deadline__lte=now)
                .order_by("next_deadline")
                .values_list("ticket_id", flat=True)[:batch]
            )
            for ticket_id in claimed:
                try:
                    with transaction.atomic():
                        _sweep_one(ticket_id, now, result)
                except Exception:
                    # One broken ticket must not hold back every other ticket's alerts.
                    logger.exception("SLA sweep failed on ticket %s", ticket_id)
                    result.failed += 1
        if len(claimed) < batch:
            break
    return result
