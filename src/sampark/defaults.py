"""The defaults a new help desk starts with: the P1–P4 priority scheme with Hindi names, the
impact × urgency matrix, the ticket counter, the front-desk group, Indian office hours and a
24×7 calendar, and an SLA policy per priority.

The data migrations seed them once; :func:`ensure_defaults` runs after every ``migrate`` (and
after a database flush, which test runs do) and fills in only what is missing, so an empty
table never leaves the desk without a priority scheme, a queue or a calendar.
"""

import datetime as dt
import os

PRIORITIES = [
    (
        "P1",
        "Enterprise failure",
        "एंटरप्राइज़ विफलता",
        1,
        "A customer's business is down or a whole site cannot work.",
    ),
    (
        "P2",
        "Critical situation",
        "गंभीर स्थिति",
        2,
        "A critical function is failing for many users; no workaround.",
    ),
    (
        "P3",
        "Routine service",
        "सामान्य सेवा",
        3,
        "Routine scheduled service, a question or a problem with a workaround.",
    ),
    (
        "P4",
        "Planned event",
        "नियोजित कार्य",
        4,
        "Planned work: an installation, a move or a scheduled change.",
    ),
]
MATRIX = {
    ("high", "high"): "P1",
    ("high", "medium"): "P2",
    ("medium", "high"): "P2",
    ("high", "low"): "P3",
    ("medium", "medium"): "P3",
    ("low", "high"): "P3",
    ("medium", "low"): "P4",
    ("low", "medium"): "P4",
    ("low", "low"): "P4",
}
# (priority, name, first response, next response, resolution, update interval) in minutes;
# business time except for P1, which runs round the clock.
POLICIES = [
    ("P1", "P1 Enterprise failure: round the clock", 30, 60, 8 * 60, 2 * 60, False),
    ("P2", "P2 Critical situation", 2 * 60, 4 * 60, 18 * 60, 4 * 60, True),
    ("P3", "P3 Routine service", 9 * 60, 18 * 60, 45 * 60, 27 * 60, True),
    ("P4", "P4 Planned event", 18 * 60, 27 * 60, 90 * 60, 3 * 9 * 60, True),
]


def ensure_defaults() -> None:
    from sampark.calendars.models import BusinessCalendar, WorkingHours
    from sampark.mail.models import Mailbox
    from sampark.sla.models import SLAPolicy
    from sampark.team.models import Group
    from sampark.tickets.models import Counter, Priority, PriorityMatrixCell

    if not Priority.objects.exists():
        Priority.objects.bulk_create(
            Priority(
                code=code,
                name=name,
                name_hi=name_hi,
                rank=rank,
                description=text,
                is_default=code == "P3",
            )
            for code, name, name_hi, rank, text in PRIORITIES
        )
    Counter.objects.get_or_create(name="ticket", defaults={"value": 0})
    by_code = {p.code: p for p in Priority.objects.all()}
    if not PriorityMatrixCell.objects.exists():
        PriorityMatrixCell.objects.bulk_create(
            PriorityMatrixCell(impact=impact, urgency=urgency, priority=by_code[code])
            for (impact, urgency), code in MATRIX.items()
            if code in by_code
        )
    if not Group.objects.exists():
        Group.objects.create(
            name="Front desk",
            name_hi="फ्रंट डेस्क",
            tier="L1",
            is_default=True,
            description="First-level support: every new ticket without a group lands here.",
        )
    if not Mailbox.objects.exists():
        # Mail to any address that no other mailbox names comes here; its address is set on
        # the mailbox screen (SAMPARK_SUPPORT_ADDRESS names it from the start).
        Mailbox.objects.create(
            name="Support",
            address=os.environ.get("SAMPARK_SUPPORT_ADDRESS", "support@sampark.localhost"),
            display_name="Sampark Support",
            group=Group.objects.filter(is_default=True).first(),
            is_default=True,
        )
    if not BusinessCalendar.objects.exists():
        office = BusinessCalendar.objects.create(
            name="India office hours", time_zone="Asia/Kolkata", country="IN", is_default=True
        )
        shifts = [(day, dt.time(9, 30), dt.time(18, 30)) for day in range(5)]
        shifts.append((5, dt.time(9, 30), dt.time(14, 0)))
        WorkingHours.objects.bulk_create(
            WorkingHours(calendar=office, weekday=d, start=s, end=e) for d, s, e in shifts
        )
        BusinessCalendar.objects.create(
            name="24×7", time_zone="Asia/Kolkata", always_open=True, country=""
        )
    if not SLAPolicy.objects.exists():
        for position, (code, name, first, nxt, resolution, update, business) in enumerate(POLICIES):
            policy = SLAPolicy.objects.create(
                name=name,
                position=(position + 1) * 10,
                first_response_minutes=first,
                next_response_minutes=nxt,
                resolution_minutes=resolution,
                update_interval_minutes=update,
                first_response_business=business,
                next_response_business=business,
                resolution_business=business,
                update_business=business,
                escalate_on_breach=code == "P1",
            )
            if code in by_code:
                policy.priorities.add(by_code[code])


def after_migrate(sender, using="default", **kwargs) -> None:
    from django.db import transaction

    with transaction.atomic(using=using):
        ensure_defaults()
