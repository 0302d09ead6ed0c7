"""Which tickets the demo tells: a handful of scripted cases that show every rule of the SOP
at least once, then random tickets drawn from the problem catalogue."""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta

from sampark.tickets.models import Channel

from .cast import Cast
from .content import PROBLEMS, PROBLEMS_BY_KEY, SECOND_ADDRESSES, Problem
from .stories import IST, Plan, shift_priority

# Where random stories stop, in percent: about 30% stay active.
OUTCOMES = {"new": 4, "open": 12, "pending": 7, "on_hold": 5, "solved": 17, "closed": 55}
# How many days ago a ticket with that outcome was opened.
AGE_IN_DAYS = {
    "new": (0, 0.8),
    "open": (0, 6),
    "pending": (1, 9),
    "on_hold": (2, 20),
    "solved": (0.5, 8),
    "closed": (6, 90),
}
ORG_CHANNELS = {
    Channel.EMAIL: 40,
    Channel.PHONE: 30,
    Channel.WEB: 15,
    Channel.CHAT: 5,
    Channel.MESSAGING: 10,
}
CONSUMER_CHANNELS = {
    Channel.EMAIL: 25,
    Channel.PHONE: 25,
    Channel.WEB: 15,
    Channel.CHAT: 15,
    Channel.MESSAGING: 20,
}
BILLING_PROBLEMS = [p for p in PROBLEMS if p.group == "billing"]
# The share of random tickets from people who have never been in touch before.
WALK_INS = 0.22


def _weighted(rng: random.Random, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _at(now: datetime, days: int, hour: int, minute: int) -> datetime:
    day = now.astimezone(IST).date() - timedelta(days=days)
    return datetime.combine(day, time(hour, minute), tzinfo=IST)


def _equipment_for(cast: Cast, contact: str, problem: Problem, rng: random.Random):
    """One of the contact's assets that can have this problem; None for a problem about no
    equipment."""
    fitting = [spec for spec in cast.equipment[contact] if set(spec.kinds) & set(problem.assets)]
    return rng.choice(fitting) if fitting else None


def _fits(cast: Cast, contact: str, problem: Problem) -> bool:
    in_org = cast.organization_of[contact] is not None
    if problem.audience == "org" and not in_org:
        return False
    if problem.audience == "consumer" and in_org:
        return False
    if not problem.assets:
        return True
    kinds = {kind for spec in cast.equipment[contact] for kind in spec.kinds}
    return bool(kinds & set(problem.assets))


def _weight(cast: Cast, contact: str) -> int:
    organization = cast.organization_of[contact]
    return 2 if organization is not None and organization.manager else 3


def _register_for(language: str, rng: random.Random) -> str:
    if language == "hi":
        return "hi" if rng.random() < 0.55 else "hing"
    return "en" if rng.random() < 0.75 else "hing"


def _opened_at(now: datetime, outcome: str, in_org: bool, urgent: bool, rng) -> datetime:
    """When the customer first got in touch: organizations mostly in office hours on working
    days, consumers from morning to late evening on any day."""
    low, high = AGE_IN_DAYS[outcome]
    moment = now - timedelta(days=rng.uniform(low, high))
    if urgent:
        return moment
    local = moment.astimezone(IST)
    if in_org:
        if local.weekday() == 6:
            local -= timedelta(days=1)
        minutes = rng.uniform(9 * 60 + 15, 18 * 60 + 30)
    else:
        minutes = rng.uniform(8 * 60, 22 * 60)
    moment = datetime.combine(local.date(), time(0, 0), tzinfo=IST) + timedelta(minutes=minutes)
    return moment if moment <= now else moment - timedelta(days=1)


def random_plan(cast: Cast, rng: random.Random, now: datetime, room: int) -> Plan:
    """One ticket (two when ``room`` allows a duplicate or a split) of a random customer."""
    if rng.random() < WALK_INS:
        contact = cast.walk_in(rng)
    else:
        # An account manager owns every ticket of their accounts, so those accounts write
        # in a little less often than the rest, or the managers would own most of the desk.
        keys = list(cast.contacts)
        weights = [_weight(cast, key) for key in keys]
        contact = rng.choices(keys, weights=weights)[0]
    spec = cast.contact_specs[contact]
    in_org = cast.organization_of[contact] is not None
    problems = [p for p in PROBLEMS if _fits(cast, contact, p)]
    problem = rng.choices(problems, weights=[p.weight for p in problems])[0]
    asset_spec = _equipment_for(cast, contact, problem, rng)

    channels = dict(ORG_CHANNELS if in_org else CONSUMER_CHANNELS)
    if not spec.emails:
        channels = {Channel.PHONE: 1, Channel.MESSAGING: 1}
    channel = _weighted(rng, channels)
    priority = _weighted(rng, problem.priorities)
    outcome = _weighted(rng, OUTCOMES)
    done = outcome in ("solved", "closed")

    plan = Plan(
        contact=contact,
        problem=problem,
        asset_spec=asset_spec,
        register=_register_for(spec.language, rng),
        channel=channel,
        priority=priority,
        opened_at=_opened_at(now, outcome, in_org, priority == "P1", rng),
        outcome=outcome,
        seed=rng.getrandbits(32),
        watch=priority == "P1",
    )
    if problem.escalate and rng.random() < 0.35:
        plan.escalations = 2 if len(problem.escalate) > 1 and rng.random() < 0.4 else 1
    plan.quick_fix = (
        done
        and not plan.escalations
        and ((problem.type == "question" and rng.random() < 0.6) or rng.random() < 0.08)
    )
    asks = problem.type in ("incident", "problem")
    plan.ask = asks and not plan.quick_fix and rng.random() < 0.35
    plan.hold = bool(problem.hold) and not plan.quick_fix and rng.random() < 0.15
    plan.calls = 0 if plan.quick_fix else rng.choices([0, 1, 2], weights=[6, 3, 1])[0]
    if priority == "P1":
        plan.calls = max(plan.calls, 2)
    plan.reopen = done and rng.random() < 0.06
    if rng.random() < 0.08:
        plan.priority_change = shift_priority(priority, rng.choice(["up", "down"]), rng)
    plan.handover = not plan.quick_fix and rng.random() < 0.02
    if room >= 2 and outcome != "new" and rng.random() < 0.04:
        plan.duplicate_channel = (
            Channel.MESSAGING
            if channel != Channel.MESSAGING
            else (Channel.EMAIL if spec.emails else "")
        )
    elif room >= 2 and done and not plan.quick_fix and problem.group != "billing":
        seconds = [p for p in BILLING_PROBLEMS if _fits(cast, contact, p)]
        if seconds and rng.random() < 0.06:
            plan.split_off = rng.choice(seconds)
            plan.split_asset = _equipment_for(cast, contact, plan.split_off, rng)
    return plan


def scripted_plans(cast: Cast, rng: random.Random, now: datetime) -> list[Plan]:
    """The cases every demo shows, whatever its size: a P1 outage swarmed and updated every
    hour, a defect climbing L1 → L2 → L3, one thread split in two, one message with two
    problems waiting for its owner to split it, a duplicate merged, two contacts merged and one
    still to merge, a reopened ticket, priority changes, a handover and active work."""

    def plan(contact, problem, register, channel, priority, opened_at, outcome, **extra):
        problem = PROBLEMS_BY_KEY[problem]
        made = Plan(
            contact=contact,
            problem=problem,
            asset_spec=_equipment_for(cast, contact, problem, rng),
            register=register,
            channel=channel,
            priority=priority,
            opened_at=opened_at,
            outcome=outcome,
            seed=rng.getrandbits(32),
        )
        for name, value in extra.items():
            setattr(made, name, value)
        if made.split_off:
            made.split_asset = _equipment_for(cast, contact, made.split_off, rng)
        if made.also:
            made.also_asset = _equipment_for(cast, contact, made.also, rng)
        return made

    return [
        plan(
            "manoj",
            "link_down",
            "hing",
            Channel.PHONE,
            "P1",
            _at(now, 12, 7, 50),
            "closed",
            escalations=1,
            calls=3,
            watch=True,
            ask=False,
        ),
        plan(
            "deepa",
            "gst_irn",
            "hi",
            Channel.EMAIL,
            "P2",
            _at(now, 26, 10, 40),
            "closed",
            escalations=2,
            hold=True,
            calls=1,
        ),
        plan(
            "ritu",
            "print_faded",
            "hing",
            Channel.EMAIL,
            "P3",
            _at(now, 18, 11, 5),
            "closed",
            split_off=PROBLEMS_BY_KEY["add_users"],
        ),
        plan(
            "nandini",
            "laptop_charging",
            "en",
            Channel.EMAIL,
            "P3",
            _at(now, 9, 20, 15),
            "solved",
            duplicate_channel=Channel.MESSAGING,
        ),
        plan(
            "sunita",
            "printer_jam",
            "hi",
            Channel.WEB,
            "P3",
            _at(now, 35, 13, 20),
            "closed",
            via_email=SECOND_ADDRESSES["sunita"],
            merge_contact=True,
        ),
        plan(
            "sunita",
            "wifi_slow",
            "hing",
            Channel.EMAIL,
            "P3",
            _at(now, 20, 12, 10),
            "closed",
            via_email=SECOND_ADDRESSES["sunita"],
        ),
        plan(
            "tarun",
            "laptop_charging",
            "en",
            Channel.EMAIL,
            "P3",
            _at(now, 15, 19, 40),
            "closed",
            via_email=SECOND_ADDRESSES["tarun"],
            merge_contact=True,
            ask=True,
        ),
        plan(
            "zoya",
            "laptop_charging",
            "en",
            Channel.EMAIL,
            "P3",
            _at(now, 2, 18, 30),
            "open",
            via_email=SECOND_ADDRESSES["zoya"],
        ),
        plan(
            "anuradha",
            "passbook",
            "hi",
            Channel.PHONE,
            "P2",
            _at(now, 40, 10, 5),
            "closed",
            reopen=True,
            calls=1,
        ),
        plan(
            "pankaj",
            "link_down",
            "hi",
            Channel.EMAIL,
            "P3",
            _at(now, 7, 10, 35),
            "solved",
            priority_change=(
                "P2",
                "The customer confirms the whole branch is down, not one counter.",
            ),
            escalations=1,
            calls=1,
        ),
        plan(
            "gaurav",
            "pc_install",
            "en",
            Channel.WEB,
            "P2",
            _at(now, 22, 15, 0),
            "closed",
            priority_change=("P4", "A planned installation next week, not an outage."),
        ),
        plan(
            "mahendra",
            "ups_backup",
            "hi",
            Channel.PHONE,
            "P3",
            _at(now, 30, 11, 30),
            "closed",
            handover=True,
            hold=True,
        ),
        plan(
            "nitin",
            "ups_backup",
            "en",
            Channel.EMAIL,
            "P2",
            _at(now, 5, 9, 45),
            "on_hold",
            hold=True,
            calls=1,
        ),
        plan(
            "sandeep",
            "wifi_slow",
            "hing",
            Channel.CHAT,
            "P3",
            _at(now, 2, 12, 20),
            "pending",
            ask=True,
        ),
        plan(
            "alok",
            "his_reports",
            "en",
            Channel.EMAIL,
            "P2",
            _at(now, 1, 9, 50),
            "open",
            escalations=2,
        ),
        plan(
            "savita", "print_faded", "hi", Channel.MESSAGING, "P4", now - timedelta(hours=3), "new"
        ),
        plan(
            "sunita",
            "pc_slow",
            "hi",
            Channel.EMAIL,
            "P3",
            now - timedelta(hours=5),
            "open",
            also=PROBLEMS_BY_KEY["laptop_charging"],
        ),
    ]


def make_plans(cast: Cast, rng: random.Random, now: datetime, tickets: int) -> list[Plan]:
    plans = scripted_plans(cast, rng, now)
    count = sum(plan.ticket_count for plan in plans)
    while count < tickets:
        plan = random_plan(cast, rng, now, room=tickets - count)
        plans.append(plan)
        count += plan.ticket_count
    return plans
