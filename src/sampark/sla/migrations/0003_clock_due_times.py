"""The due times the queues sort and count by, read from each stored clock (see
sampark.sla.clocks.DueTimes), with the ticket's group and owner; the SLA services keep them in
step from now on."""

import datetime as dt

from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def _due_times(stored: dict) -> tuple:
    """A frozen copy of DueTimes.of, as it was when this migration was written."""
    dues, risks, update_due = [], [], None
    for target, state in stored.items():
        if not state.get("due") or state.get("met_at") or state.get("paused"):
            continue
        due = dt.datetime.fromisoformat(state["due"])
        dues.append(due)
        risks.append(dt.datetime.fromisoformat(state["warn_at"]) if state.get("warn_at") else due)
        if target == "next_update":
            update_due = due
    return min(dues, default=None), min(risks, default=None), update_due


def fill_due_times(apps, schema_editor):
    TicketClock = apps.get_model("sla", "TicketClock")
    Ticket = apps.get_model("tickets", "Ticket")
    of_ticket = Ticket.objects.filter(pk=OuterRef("ticket_id"))
    TicketClock.objects.update(
        ticket_group=Subquery(of_ticket.values("group_id")[:1]),
        ticket_owner=Subquery(of_ticket.values("owner_id")[:1]),
    )
    after = 0
    while True:
        rows = list(
            TicketClock.objects.filter(ticket_id__gt=after)
            .order_by("ticket_id")
            .values_list("ticket_id", "clocks")[:2000]
        )
        if not rows:
            return
        for ticket_id, stored in rows:
            sla_due, at_risk_from, update_due = _due_times(stored or {})
            if sla_due or update_due:
                TicketClock.objects.filter(ticket_id=ticket_id).update(
                    sla_due=sla_due, at_risk_from=at_risk_from, update_due=update_due
                )
        after = rows[-1][0]


class Migration(migrations.Migration):

    dependencies = [
        ('sla', '0002_seed_policies'),
        ('tickets', '0008_ticket_scope_indexes'),
    ]

    operations = [
        migrations.AddField(
            model_name='ticketclock',
            name='at_risk_from',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='ticketclock',
            name='sla_due',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='ticketclock',
            name='ticket_group',
            field=models.PositiveIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='ticketclock',
            name='ticket_owner',
            field=models.PositiveIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='ticketclock',
            name='update_due',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddIndex(
            model_name='ticketclock',
            index=models.Index(condition=models.Q(('sla_due__isnull', False)), fields=['sla_due', 'ticket'], name='clock_sla_due'),
        ),
        migrations.AddIndex(
            model_name='ticketclock',
            index=models.Index(condition=models.Q(('sla_due__isnull', False)), fields=['ticket_group', 'sla_due', 'ticket'], name='clock_group_sla_due'),
        ),
        migrations.AddIndex(
            model_name='ticketclock',
            index=models.Index(condition=models.Q(('sla_due__isnull', False)), fields=['ticket_owner', 'sla_due', 'ticket'], name='clock_owner_sla_due'),
        ),
        migrations.AddIndex(
            model_name='ticketclock',
            index=models.Index(condition=models.Q(('at_risk_from__isnull', False)), fields=['at_risk_from', 'ticket_group', 'ticket_owner'], name='clock_at_risk_from'),
        ),
        migrations.AddIndex(
            model_name='ticketclock',
            index=models.Index(condition=models.Q(('update_due__isnull', False)), fields=['update_due', 'ticket_group', 'ticket_owner'], name='clock_update_due'),
        ),
        # Filled after the indexes exist: on PostgreSQL the UPDATEs queue the new foreign
        # keys' deferred checks, and an index cannot be built while checks are pending.
        migrations.RunPython(fill_due_times, migrations.RunPython.noop, elidable=True),
    ]
