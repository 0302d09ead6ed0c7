"""Bilingual demo data: a support team, its customers and three months of tickets.

Everything is written through the same services the product uses (customers, team and tickets
services), and each ticket's history is replayed at its real times with
:func:`sampark.core.clock.replaying_at`, so the timelines, SLA clocks and reports read as if
the help desk had been running for ninety days.
"""

from __future__ import annotations

import random
import time

from django.db import transaction
from django.utils.translation import gettext as _

from sampark.core import clock
from sampark.core.errors import Conflict
from sampark.customers.models import Asset, Contact, Identity, Organization
from sampark.team.models import AgentProfile, Group
from sampark.tickets.models import ACTIVE_STATUSES, Ticket, TicketEvent

from .cast import build_cast, demo_emails, set_presence
from .content import ADMIN_EMAIL, ADMIN_PASSWORD, SAMPLE_AGENT_EMAIL, SAMPLE_SUPERVISOR_EMAIL
from .mail import MAIL_TICKETS, tell_mail_stories
from .plans import make_plans
from .rota import set_rota
from .stories import Run, Stage

__all__ = ["load_demo"]


def load_demo(*, if_empty: bool = False, tickets: int = 300, seed: int = 7) -> str:
    """Fill the database with the demo and return a short summary for the person who ran it.

    The same ``seed`` gives the same people, words and timelines (anchored to the current
    time). About fifteen scripted tickets always load, so that every rule shows up even in a
    small demo; random tickets fill up to ``tickets``. With ``if_empty``, a database that
    already has tickets is left alone.
    """
    if if_empty and (existing := Ticket.objects.count()):
        return _(
            "The demo is already loaded: this database has %(n)d tickets, so nothing was added."
        ) % {"n": existing}
    from django.contrib.auth import get_user_model

    if get_user_model().objects.filter(email__in=demo_emails()[1:]).exists():
        raise Conflict(
            _(
                "The demo team is already in this database. Use an empty SAMPARK_HOME, or run "
                "`sampark demo --if-empty`."
            )
        )

    started = time.monotonic()
    rng = random.Random(seed)
    now = clock.now().replace(second=0, microsecond=0)
    with transaction.atomic():
        stage = Stage()
        cast = build_cast(rng, stage)
        for plan in make_plans(cast, rng, now, max(tickets - MAIL_TICKETS, 0)):
            stage.add(Run(cast, plan).story())
        stage.run(until=now)
        tell_mail_stories(cast, now)
        set_presence(cast)
        set_rota(cast)
    return _summary(time.monotonic() - started)


def _summary(seconds: float) -> str:
    tickets = Ticket.objects.count()
    active = Ticket.objects.filter(status__in=ACTIVE_STATUSES).count()
    counts = {
        "seconds": seconds,
        "agents": AgentProfile.objects.exclude(role=AgentProfile.Role.ADMIN).count(),
        "groups": Group.objects.count(),
        "organizations": Organization.objects.count(),
        "contacts": Contact.objects.filter(merged_into__isnull=True).count(),
        "identities": Identity.objects.count(),
        "assets": Asset.objects.count(),
        "tickets": tickets,
        "active": active,
        "done": tickets - active,
        "events": TicketEvent.objects.count(),
    }
    return "\n".join(
        [
            _(
                "Loaded the Sampark demo in %(seconds).1f s: %(agents)d agents in %(groups)d "
                "groups, %(organizations)d organizations, %(contacts)d contacts with "
                "%(identities)d identities, %(assets)d assets, and %(tickets)d tickets "
                "(%(active)d active, %(done)d solved or closed) with %(events)d timeline events "
                "over the last 90 days."
            )
            % counts,
            _("Log in at /admin/ as %(email)s with the password %(password)s.")
            % {"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD},
            _(
                "Every demo agent signs in to the workspace at / with the same password, "
                "e.g. %(agent)s (an agent) or %(supervisor)s (a supervisor)."
            )
            % {"agent": SAMPLE_AGENT_EMAIL, "supervisor": SAMPLE_SUPERVISOR_EMAIL},
        ]
    )
