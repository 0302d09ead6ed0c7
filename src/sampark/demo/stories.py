"""How each demo ticket's history unfolds, replayed through the services at its real times.

A story is a generator: it yields the moment of its next step, and the :class:`Stage` resumes
it at that moment inside ``clock.replaying_at``, so every service stamps what it writes with
the story's time. The stage runs all stories side by side in time order, which means each
service call sees the database as it was at that moment: a returning customer finds the owner
they had then, and a contact merged last week is merged for every ticket that follows.
"""

from __future__ import annotations

import heapq
import itertools
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sampark.assignment.services import intake as assignment
from sampark.core import clock
from sampark.customers.models import Contact
from sampark.customers.services import RequesterDetails, find_or_create_contact
from sampark.tickets import services as tickets
from sampark.tickets.models import Channel, Ticket
from sampark.tickets.services import CallDirection
from sampark.workflows.contact_merge import merge_contacts
from sampark.workflows.intake import open_ticket_from_intake

from .content import NOTES, PHRASES, PRIORITY_REASONS, SIGNATURE, AssetSpec, Problem

if TYPE_CHECKING:
    from .cast import Cast

IST = ZoneInfo("Asia/Kolkata")
Story = Iterator[datetime]

# Minutes from a ticket's arrival to the owner's first touch, by priority.
FIRST_RESPONSE = {"P1": (3, 15), "P2": (10, 60), "P3": (20, 240), "P4": (45, 600)}
PRIORITY_CODES = ["P1", "P2", "P3", "P4"]
MINUTES_A_DAY = 24 * 60


class Stage:
    """Runs stories side by side, always resuming the one whose next step comes first."""

    def __init__(self) -> None:
        self._queue: list[tuple[datetime, int, Story]] = []
        self._order = itertools.count()

    def add(self, story: Story) -> None:
        """Queue a story; it yields its start before doing anything. Stories may add others
        (a ticket split in two goes on as two stories)."""
        start = next(story, None)
        if start is not None:
            heapq.heappush(self._queue, (start, next(self._order), story))

    def run(self, *, until: datetime) -> None:
        """Play every step up to ``until``; a story whose next step lies beyond it stops
        there, and its ticket stays as it is (still open, pending, on hold...)."""
        while self._queue:
            moment, order, story = heapq.heappop(self._queue)
            if moment > until:
                story.close()
                continue
            with clock.replaying_at(moment):
                following = next(story, None)
            if following is None:
                continue
            if following < moment:
                raise ValueError(f"a demo story went back in time: {following} < {moment}")
            heapq.heappush(self._queue, (following, order, story))


def _working_time(moment: datetime, rng: random.Random) -> datetime:
    """The moment itself if it falls in office hours (Monday to Saturday, 9:30 to 19:00 in
    India), else a little after the next opening."""
    local = moment.astimezone(IST)
    for _ in range(10):
        opening = datetime.combine(local.date(), time(9, 30), tzinfo=IST)
        closing = datetime.combine(local.date(), time(19, 0), tzinfo=IST)
        if local.weekday() == 6 or local >= closing:
            local = opening + timedelta(days=1, minutes=rng.uniform(0, 50))
        elif local < opening:
            local = opening + timedelta(minutes=rng.uniform(0, 50))
        else:
            return local
    return local


def _waking_time(moment: datetime, rng: random.Random) -> datetime:
    """Customers write any day, but not in the middle of the night."""
    local = moment.astimezone(IST)
    morning = datetime.combine(local.date(), time(7, 30), tzinfo=IST)
    night = datetime.combine(local.date(), time(22, 30), tzinfo=IST)
    if local < morning:
        return morning + timedelta(minutes=rng.uniform(0, 90))
    if local >= night:
        return morning + timedelta(days=1, minutes=rng.uniform(0, 90))
    return local


class Pace:
    """The clock of one ticket: every step comes after the one before."""

    def __init__(self, start: datetime, rng: random.Random):
        self.at = start
        self.rng = rng

    def _step(self, moment: datetime) -> datetime:
        self.at = max(moment, self.at + timedelta(seconds=20))
        return self.at

    def _after(self, low: float, high: float) -> datetime:
        return self.at + timedelta(minutes=self.rng.uniform(low, high))

    def soon(self, low: float = 0.5, high: float = 3) -> datetime:
        """A moment later, in the same sitting."""
        return self._step(self._after(low, high))

    def agent(self, low: float, high: float, *, any_hour: bool = False) -> datetime:
        """An agent acts ``low`` to ``high`` minutes later, in office hours unless urgent."""
        moment = self._after(low, high)
        return self._step(moment if any_hour else _working_time(moment, self.rng))

    def customer(self, low: float, high: float) -> datetime:
        return self._step(_waking_time(self._after(low, high), self.rng))


@dataclass
class Plan:
    """What will happen on one ticket (and on the tickets it spawns)."""

    contact: str  # the contact's key in the cast
    problem: Problem
    asset_spec: AssetSpec | None  # the equipment it is about, recorded at intake
    register: str  # "en", "hi" or "hing"
    channel: str
    priority: str
    opened_at: datetime
    outcome: str  # new, open, pending, on_hold, solved or closed: where the story stops
    seed: int
    escalations: int = 0  # 1: to L2; 2: to L2, then to L3
    ask: bool = False  # the owner asks a question and sets the ticket pending
    hold: bool = False  # waits on hold for a part or a patch
    calls: int = 0  # outbound progress calls
    reopen: bool = False  # the customer writes back after it is solved
    priority_change: tuple[str, str] | None = None  # (new priority, reason)
    duplicate_channel: str = ""  # the customer also writes in on this channel
    split_off: Problem | None = None  # a second problem raised in the same thread
    split_asset: AssetSpec | None = None
    # A second, unrelated problem listed in the opening message: the ticket page suggests a
    # split, and nobody has split it yet.
    also: Problem | None = None
    also_asset: AssetSpec | None = None
    handover: bool = False  # a supervisor hands the ticket over during a leave
    quick_fix: bool = False  # solved in the first reply
    watch: bool = False  # a supervisor watches it (P1)
    via_email: str = ""  # written from an address we did not know yet
    merge_contact: bool = False  # ... and the two contact records are merged

    @property
    def ticket_count(self) -> int:
        return 1 + bool(self.duplicate_channel) + bool(self.split_off)


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return ""


class Lines:
    """The words of one ticket: the customer's in their register, the agent's in the closest
    register the agent speaks."""

    def __init__(self, cast: Cast, plan: Plan, rng: random.Random):
        self.cast = cast
        self.plan = plan
        self.rng = rng
        self.spec = cast.contact_specs[plan.contact]
        self.number = 0
        self.agent = None

    def agent_register(self, agent=None) -> str:
        languages = self.cast.spec_of(agent or self.agent).languages
        register = self.plan.register
        if register in ("hi", "hing") and "hi" not in languages:
            return "en"
        if register == "en" and "en" not in languages:
            return "hing"
        return register

    def values(self, register: str, asset: AssetSpec | None = None, **extra) -> _Blank:
        asset = asset or self.plan.asset_spec
        hindi = register == "hi"
        values = _Blank(first=self.spec.short_hi if hindi else self.spec.short, number=self.number)
        if asset is not None:
            site = asset.site_hi if hindi and asset.site_hi else asset.site
            if register == "hing" and site.startswith("the "):
                site = site[4:]
            values.update(
                site=site,
                asset=asset.name,
                model=asset.model,
                serial=asset.serial,
                licence=asset.licence,
                account=asset.account,
                location=asset.location,
            )
        if self.agent is not None:
            spec = self.cast.spec_of(self.agent)
            values["agent"] = spec.name_hi if hindi else spec.name.split()[0]
            values["agent_full"] = spec.name
        values.update(extra)
        return values

    def _choose(self, texts: str | list[str] | dict[str, str] | dict[str, list[str]], register):
        if isinstance(texts, dict):
            texts = texts[register]
        return texts if isinstance(texts, str) else self.rng.choice(texts)

    def customer(self, texts, *, asset: AssetSpec | None = None) -> str:
        """What the customer writes: a PHRASES key or a problem's texts by register."""
        if isinstance(texts, str):
            texts = PHRASES[texts]
        register = self.plan.register
        return self._choose(texts, register).format_map(self.values(register, asset))

    def agent_says(self, texts, *, signed: bool = False, **extra) -> str:
        if isinstance(texts, str):
            texts = PHRASES[texts]
        register = self.agent_register()
        values = self.values(register, **extra)
        body = self._choose(texts, register).format_map(values)
        if signed:
            body += SIGNATURE[register].format_map(values)
        return body

    def note(self, key: str, **extra) -> str:
        return self.rng.choice(NOTES[key]).format_map(self.values("en", **extra))


def _nth(key: str, index: int) -> dict[str, str]:
    """The ``index``-th variant of a phrase in every register (to pair a question with its
    answer)."""
    return {register: texts[index] for register, texts in PHRASES[key].items()}


def _version(ticket_id: int) -> int:
    return Ticket.objects.values_list("version", flat=True).get(pk=ticket_id)


def _requester(ticket_id: int) -> Contact:
    return Contact.objects.get(tickets__pk=ticket_id)


def _first_name(cast: Cast, user) -> str:
    return cast.spec_of(user).name.split()[0]


class Run:
    """One ticket's story, from the customer's first message to its closing."""

    def __init__(self, cast: Cast, plan: Plan, *, start: datetime | None = None):
        self.cast = cast
        self.plan = plan
        self.rng = random.Random(plan.seed)
        # Time jitter draws from its own stream, so that the words and choices of a story do
        # not depend on which weekday the demo happens to be loaded.
        self.pace = Pace(start or plan.opened_at, random.Random(plan.seed + 1))
        self.lines = Lines(cast, plan, self.rng)
        self.urgent = plan.priority == "P1"
        self.ticket_id = 0
        self.owner = None
        self.blank_category = False

    # --- the service calls, as the people involved make them ------------------------------

    @property
    def reply_channel(self) -> str:
        channel = self.plan.channel
        if channel == Channel.WEB:
            return Channel.EMAIL
        if channel == Channel.PHONE:
            return Channel.EMAIL if self.lines.spec.emails else Channel.MESSAGING
        return channel

    def say(self, texts, **extra) -> None:
        """The owner's public reply to the customer."""
        signed = self.reply_channel == Channel.EMAIL
        self.lines.agent = self.owner
        tickets.add_message(
            self.ticket_id,
            body=self.lines.agent_says(texts, signed=signed, **extra),
            agent=self.owner,
            channel=self.reply_channel,
            time_spent=self.rng.randint(2, 15) * 60,
        )

    def customer_says(self, texts, *, asset: AssetSpec | None = None):
        return tickets.add_message(
            self.ticket_id,
            body=self.lines.customer(texts, asset=asset),
            contact=_requester(self.ticket_id),
            channel=self.reply_channel,
        )

    def note(self, agent, body: str, *, ticket_id: int | None = None) -> None:
        tickets.add_message(
            ticket_id or self.ticket_id,
            body=body,
            public=False,
            agent=agent,
            time_spent=self.rng.randint(1, 10) * 60,
        )

    def update(self, actor, *, ticket_id: int | None = None, **changes) -> None:
        ticket_id = ticket_id or self.ticket_id
        tickets.update_ticket(
            ticket_id, actor=actor, expected_version=_version(ticket_id), **changes
        )

    def call(self, summary: str, *, direction: str = CallDirection.OUTBOUND) -> None:
        tickets.log_call(
            self.ticket_id,
            agent=self.owner,
            direction=direction,
            duration_seconds=self.rng.randint(60, 540),
            summary=summary,
        )

    def requester_details(self, channel: str) -> RequesterDetails:
        spec = self.lines.spec
        email = phone = ""
        if channel in (Channel.MESSAGING, Channel.PHONE) or not spec.emails:
            phone = self.cast.dialled(self.plan.contact, self.rng)
        elif self.plan.via_email:
            email = self.plan.via_email
        else:
            email = self.rng.choice(spec.emails)
        return RequesterDetails(name=spec.name, email=email, phone=phone, language=spec.language)

    def asset_details(self) -> dict | None:
        spec = self.plan.asset_spec
        if spec is None or self.plan.via_email:
            return None
        return {
            "name": spec.name,
            "model_number": spec.model,
            "serial_number": spec.serial,
            "licence": spec.licence,
            "account_number": spec.account,
            "location": spec.location,
        }

    def custom_fields(self) -> dict:
        """What the intake form or the owner records in the custom fields."""
        problem, spec = self.plan.problem, self.plan.asset_spec
        fields = {}
        if problem.warranty and spec is not None and spec.cover:
            fields["warranty"] = spec.cover
        if problem.site_visit:
            fields["site_visit_needed"] = True
            visit = self.pace.at.astimezone(IST).date() + timedelta(days=self.rng.randint(1, 3))
            fields["visit_date"] = visit.isoformat()
        elif problem.warranty:
            fields["site_visit_needed"] = False
        if problem.extra.get("invoice") and self.rng.random() < 0.7:
            year = self.pace.at.astimezone(IST).year % 100
            fields["invoice_number"] = f"SAH/{year}-{year + 1}/{self.rng.randint(100, 9999):05d}"
        return fields

    # --- the story ------------------------------------------------------------------------

    def story(self) -> Story:
        plan = self.plan
        yield self.pace.at
        yield from self.open()
        if plan.outcome == "new":
            return
        yield from self.first_touch()
        if plan.merge_contact:
            yield from self.merge_contact()
        if plan.duplicate_channel:
            yield from self.duplicate()
        if plan.split_off:
            yield from self.split()
        if plan.handover:
            yield from self.handover()
        if not plan.quick_fix:
            if plan.ask or plan.outcome == "pending":
                stopped = yield from self.ask()
                if stopped:
                    return
            if plan.escalations:
                yield from self.escalate()
            yield from self.progress_calls()
            if plan.outcome == "open":
                return
            if plan.hold or plan.outcome == "on_hold":
                stopped = yield from self.hold()
                if stopped:
                    return
            yield from self.resolve()
        yield from self.finish()

    def open(self) -> Story:
        plan, cast, rng = self.plan, self.cast, self.rng
        problem = plan.problem
        # Half the web forms arrive without a category; the owner sets it at triage.
        self.blank_category = plan.channel == Channel.WEB and rng.random() < 0.5
        description = self.lines.customer(problem.opening)
        if plan.also is not None:
            also = self.lines.customer(plan.also.opening, asset=plan.also_asset)
            description = f"{self.lines.customer('two_problems')}\n1. {description}\n2. {also}"
        # No language: the intake reads it from what the customer wrote.
        fields = {
            "subject": self.lines.customer(problem.subject),
            "description": description,
            "channel": plan.channel,
            "priority": plan.priority,
            "group": cast.groups[problem.group],
            "ticket_type": problem.type,
            "category": "" if self.blank_category else problem.category,
            "tags": list(problem.tags),
            "custom_fields": self.custom_fields() if plan.channel == Channel.WEB else None,
        }
        if plan.channel == Channel.PHONE:
            # Caller ID finds the customer, and the phone system puts a known customer
            # through to their owner (the SPOC); anyone else reaches the front desk.
            details = self.requester_details(plan.channel)
            contact, _created = find_or_create_contact(details)
            owner, _reason = assignment.sticky_owner(contact)
            taker = owner or cast.pick("front", plan.register, rng)
            # Whoever takes the call is the customer's first contact, and so the owner.
            ticket = open_ticket_from_intake(
                requester=details,
                asset_details=self.asset_details(),
                actor=taker,
                owner=taker,
                **fields,
            )
            self.ticket_id, self.owner = ticket.pk, taker
            self.lines.number = ticket.number
            self.lines.agent = taker
            yield self.pace.soon(3, 9)
            subject = problem.subject["en"].format_map(self.lines.values("en"))
            self.call(self.lines.note("inbound_call", subject=subject), direction="inbound")
        else:
            ticket = open_ticket_from_intake(
                requester=self.requester_details(plan.channel),
                asset_details=self.asset_details(),
                **fields,
            )
            self.ticket_id, self.owner = ticket.pk, ticket.owner
            self.lines.number = ticket.number

    def first_touch(self) -> Story:
        plan, rng = self.plan, self.rng
        yield self.pace.agent(*FIRST_RESPONSE[plan.priority], any_hour=self.urgent)
        if self.owner is None:
            self.owner = self.cast.pick(plan.problem.group, plan.register, rng)
        self.lines.agent = self.owner
        if plan.watch:
            self.note(
                self.cast.supervisor,
                self.lines.note("watch", owner=_first_name(self.cast, self.owner)),
            )
            yield self.pace.soon()
        if plan.quick_fix:
            self.say(plan.problem.fix)
            yield self.pace.soon(1, 5)
        elif plan.channel != Channel.PHONE:
            self.say("ack")
            yield self.pace.soon(1, 5)
        changes = {}
        if self.blank_category:
            changes["category"] = plan.problem.category
        if plan.channel != Channel.WEB and rng.random() < 0.8 and (fields := self.custom_fields()):
            changes["custom_fields"] = fields
        if plan.priority_change:
            changes["priority"], changes["priority_reason"] = plan.priority_change
        if changes:
            self.update(self.owner, **changes)
            yield self.pace.soon()
        if plan.escalations or rng.random() < 0.6:
            self.note(self.owner, plan.problem.note.format_map(self.lines.values("en")))
            yield self.pace.soon()

    def merge_contact(self) -> Story:
        """The customer wrote from an address we did not know: a second contact record was
        made for them. The owner spots it and a supervisor merges the two."""
        self.note(self.owner, self.lines.note("same_person"))
        yield self.pace.agent(20, 180)
        supervisor = self.cast.supervisor
        source = _requester(self.ticket_id)
        target = Contact.objects.get(pk=self.cast.contacts[self.plan.contact].pk)
        merge_contacts(source, target, actor=supervisor)
        yield self.pace.soon()
        self.note(supervisor, self.lines.note("merged_contacts"))

    def duplicate(self) -> Story:
        """The customer writes in again about the same problem on another channel; the owner
        merges the duplicate into this ticket."""
        plan = self.plan
        yield self.pace.customer(15, 180)
        duplicate = open_ticket_from_intake(
            requester=self.requester_details(plan.duplicate_channel),
            subject=self.lines.customer(plan.problem.subject),
            description=self.lines.customer("chase")
            + "\n\n"
            + self.lines.customer(plan.problem.opening),
            channel=plan.duplicate_channel,
            priority=plan.priority,
            group=self.cast.groups[plan.problem.group],
            ticket_type=plan.problem.type,
        )
        yield self.pace.agent(10, 90, any_hour=self.urgent)
        original = self.lines.number
        self.note(self.owner, self.lines.note("duplicate", other=original), ticket_id=duplicate.pk)
        yield self.pace.soon()
        tickets.merge_tickets(
            duplicate.pk,
            into_id=self.ticket_id,
            actor=self.owner,
            expected_version=_version(duplicate.pk),
        )
        yield self.pace.soon()
        self.say("merged_duplicate")

    def split(self) -> Story:
        """One problem, one ticket: the customer's second problem moves to its own ticket,
        which is routed to its own group and goes on as its own story."""
        plan, cast = self.plan, self.cast
        second = plan.split_off
        second_spec = plan.split_asset
        yield self.pace.customer(20, 300)
        body = self.lines.customer("one_more_thing") + self.lines.customer(
            second.opening, asset=second_spec
        )
        message = tickets.add_message(
            self.ticket_id,
            body=body,
            contact=_requester(self.ticket_id),
            channel=self.reply_channel,
        )
        yield self.pace.agent(15, 120)
        self.note(self.owner, self.lines.note("split"))
        yield self.pace.soon()
        child = tickets.split_ticket(
            self.ticket_id,
            actor=self.owner,
            event_ids=[message.pk],
            subject=self.lines.customer(second.subject, asset=second_spec),
            expected_version=_version(self.ticket_id),
        )
        yield self.pace.soon()
        self.update(
            self.owner,
            ticket_id=child.pk,
            group=cast.groups[second.group],
            category=second.category,
            ticket_type=second.type,
            tags=list(second.tags),
        )
        yield self.pace.soon()
        self.say("split_reply", other=child.number)
        cast.stage.add(SplitRun(self, child).story())

    def handover(self) -> Story:
        """The owner goes on leave; a supervisor hands the ticket to a colleague, who picks
        it up from the timeline without asking the customer to repeat anything."""
        supervisor = self.cast.supervisor
        yield self.pace.agent(20 * 60, 30 * 60)
        previous = self.owner
        successor = self.cast.pick(
            self.plan.problem.group, self.plan.register, self.rng, exclude={previous.pk}
        )
        self.update(supervisor, owner=successor)
        yield self.pace.soon()
        self.note(
            supervisor,
            self.lines.note(
                "supervisor_handover",
                old=_first_name(self.cast, previous),
                new=_first_name(self.cast, successor),
            ),
        )
        yield self.pace.agent(10, 90)
        self.owner = successor
        self.lines.agent = successor
        hindi = self.lines.agent_register() == "hi"
        old = self.cast.spec_of(previous).name_hi if hindi else _first_name(self.cast, previous)
        self.say("handover", old=old)

    def ask(self) -> Story:
        """The owner asks a question and waits; the customer's answer reopens the ticket."""
        at_a_site = self.cast.organization_of[self.plan.contact] is not None
        question = self.rng.randrange(len(PHRASES["ask"]["en"]) - (0 if at_a_site else 1))
        yield self.pace.agent(20, 180, any_hour=self.urgent)
        self.say(_nth("ask", question))
        yield self.pace.soon()
        self.update(self.owner, status="pending")
        if self.plan.outcome == "pending":
            return True
        yield self.pace.customer(45, 1800)
        self.customer_says(_nth("details", question))
        return False

    def escalate(self) -> Story:
        """Intelligent swarming: the work climbs to L2 (and L3) as escalation work items that
        specialists take, the owner sometimes asks a colleague for help, and the owner stays
        the customer's one contact. Work that stops at L2 is often de-escalated once fixed."""
        plan, cast, rng = self.plan, self.cast, self.rng
        problem = plan.problem
        quick = self.urgent or plan.priority == "P2"
        yield self.pace.agent(*(10, 45) if quick else (15, 120), any_hour=self.urgent)
        team = cast.groups[problem.escalate[0]]
        item = tickets.escalate_ticket(
            self.ticket_id,
            actor=self.owner,
            group=team,
            reason=problem.escalation[0],
            expected_version=_version(self.ticket_id),
        )
        yield self.pace.soon()
        specialist = cast.pick(problem.escalate[0], "en", rng, exclude={self.owner.pk})
        tickets.assign_escalation(item.pk, assignee=specialist, actor=specialist)
        if rng.random() < 0.4 and not self.urgent:
            yield self.pace.customer(30, 300)
            self.customer_says("chase")
        if rng.random() < 0.35 and not self.urgent:
            yield from self.swarm(problem.escalate[0], exclude={self.owner.pk, specialist.pk})
        yield self.pace.agent(*(15, 75) if quick else (20, 240), any_hour=self.urgent)
        if plan.escalations >= 2 and len(problem.escalate) > 1:
            tickets.add_escalation_note(
                item.pk, actor=specialist, body=self.lines.note("l2_findings")
            )
            yield self.pace.soon(5, 30)
            team = cast.groups[problem.escalate[1]]
            tickets.escalate_ticket(
                self.ticket_id,
                actor=specialist,
                group=team,
                reason=problem.escalation[1],
                expected_version=_version(self.ticket_id),
            )
            yield self.pace.soon()
            engineer = cast.pick(problem.escalate[1], "en", rng, exclude={self.owner.pk})
            tickets.add_collaborator(self.ticket_id, agent=engineer, actor=specialist)
            yield self.pace.agent(*(45, 180) if quick else (60, 600), any_hour=self.urgent)
            specialist = engineer
        self.note(specialist, problem.specialist)
        yield self.pace.soon(2, 20)
        self.say("progress", team=team.name, team_hi=team.name_hi)
        if plan.escalations == 1 and rng.random() < 0.5:
            yield self.pace.soon(5, 60)
            tickets.deescalate_ticket(
                self.ticket_id,
                actor=specialist,
                reason=self.lines.note("deescalate"),
                expected_version=_version(self.ticket_id),
            )

    def swarm(self, group: str, exclude) -> Story:
        """The owner asks two colleagues for help without handing the ticket over; one joins
        and answers in the swarm; the owner often closes it with a summary, and otherwise the
        other colleague still has the request waiting under "Swarm requests for me"."""
        helper = self.cast.pick(group, "en", self.rng, exclude=exclude)
        second = self.cast.pick(group, "en", self.rng, exclude={*exclude, helper.pk})
        asked = [agent for agent in {helper.pk: helper, second.pk: second}.values()]
        asked = [agent for agent in asked if agent.pk not in exclude]
        if not asked:
            return
        swarm = tickets.request_swarm(
            self.ticket_id, actor=self.owner, message=self.lines.note("swarm_ask"), agents=asked
        )
        yield self.pace.agent(5, 60, any_hour=self.urgent)
        tickets.join_swarm(swarm.pk, agent=asked[0])
        yield self.pace.soon(2, 20)
        tickets.add_swarm_note(swarm.pk, actor=asked[0], body=self.lines.note("swarm_answer"))
        if self.rng.random() < 0.6:
            yield self.pace.soon(5, 40)
            summary = self.lines.note("swarm_summary")
            tickets.close_swarm(swarm.pk, actor=self.owner, summary=summary)

    def progress_calls(self) -> Story:
        """Regular progress calls to the customer, each recorded on the ticket."""
        generic = self.rng.sample(NOTES["outbound_call"], len(NOTES["outbound_call"]))
        summaries = [self.plan.problem.call] if self.plan.problem.call else []
        summaries += generic
        for turn in range(self.plan.calls):
            gap = (40, 75) if self.urgent else (90, 600)
            yield self.pace.agent(*gap, any_hour=self.urgent)
            summary = summaries[turn % len(summaries)]
            self.call(summary.format_map(self.lines.values("en")))

    def hold(self) -> Story:
        kind = self.plan.problem.hold or "part"
        yield self.pace.agent(30, 240)
        self.say(f"hold_{kind}")
        yield self.pace.soon()
        self.update(self.owner, status="on_hold")
        if self.plan.outcome == "on_hold":
            return True
        yield self.pace.agent(MINUTES_A_DAY, 4 * MINUTES_A_DAY)
        self.note(self.owner, self.lines.note(f"resume_{kind}"))
        yield self.pace.soon()
        self.update(self.owner, status="open")
        return False

    def resolve(self) -> Story:
        wait = (20, 180) if self.urgent else (30, MINUTES_A_DAY)
        yield self.pace.agent(*wait, any_hour=self.urgent)
        self.say(self.plan.problem.fix)

    def finish(self) -> Story:
        """The customer confirms, the owner solves; some come back; later it is closed."""
        rng = self.rng
        if rng.random() < 0.5:
            yield self.pace.customer(10, 600)
            self.customer_says("thanks")
        yield self.pace.agent(2, 90)
        solved = {"status": "solved"}
        if self.plan.problem.site_visit and rng.random() < 0.5:
            solved["tags"] = [*self.plan.problem.tags, "site-visit-done"]
        self.update(self.owner, **solved)
        if self.plan.reopen:
            yield self.pace.customer(20 * 60, 3 * MINUTES_A_DAY)
            self.customer_says("broken_again")
            yield self.pace.agent(30, 300)
            self.say("fixed_again")
            yield self.pace.customer(60, MINUTES_A_DAY)
            self.customer_says("thanks")
            yield self.pace.agent(5, 120)
            self.update(self.owner, status="solved")
        if self.plan.outcome == "solved":
            return
        yield self.pace.agent(3 * MINUTES_A_DAY, 6 * MINUTES_A_DAY)
        self.update(self.owner, status="closed")


class SplitRun(Run):
    """The ticket split off another: billing works it with the same owner."""

    def __init__(self, parent: Run, child: Ticket):
        plan = Plan(
            contact=parent.plan.contact,
            problem=parent.plan.split_off,
            asset_spec=parent.plan.split_asset,
            register=parent.plan.register,
            channel=parent.plan.channel,
            priority=parent.plan.priority,
            opened_at=parent.pace.at,
            outcome="closed" if parent.plan.outcome == "closed" else "solved",
            seed=parent.rng.getrandbits(32),
        )
        super().__init__(parent.cast, plan, start=parent.pace.at)
        self.ticket_id = child.pk
        self.owner = parent.owner
        self.lines.number = child.number
        self.lines.agent = parent.owner

    def story(self) -> Story:
        yield self.pace.at
        problem = self.plan.problem
        helper = self.cast.pick(problem.group, "en", self.rng, exclude={self.owner.pk})
        yield self.pace.agent(10, 120)
        tickets.add_collaborator(self.ticket_id, agent=helper, actor=self.owner)
        yield self.pace.agent(30, 600)
        self.note(helper, NOTES["billing_help"][0])
        yield self.pace.agent(MINUTES_A_DAY, 2 * MINUTES_A_DAY)
        self.note(helper, NOTES["billing_help"][1])
        yield self.pace.agent(10, 120)
        self.say(problem.fix)
        yield from self.finish()


def shift_priority(code: str, direction: str, rng: random.Random) -> tuple[str, str] | None:
    """One level up or down the priority scheme, with the reason an agent would give."""
    index = PRIORITY_CODES.index(code) + (-1 if direction == "up" else 1)
    if not 0 <= index < len(PRIORITY_CODES):
        return None
    return PRIORITY_CODES[index], rng.choice(PRIORITY_REASONS[direction])
