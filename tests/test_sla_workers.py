"""Several worker processes sweeping one database fire every SLA warning and breach once, and
notice every escalation's due time once.

The tickets are opened (with time-machine) hours before the real present, so they are already
overdue when the worker processes, which run on the real clock, sweep them. On PostgreSQL the
workers reach the test database through SAMPARK_DATABASE_URL; on SQLite through a SAMPARK_HOME
whose sampark.sqlite3 is the test database file, so that they open it with the embedded
settings (WAL, IMMEDIATE transactions, a busy timeout) as a real second worker would.
"""

import datetime as dt
import json
import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from urllib.parse import quote

import pytest
import time_machine
from django.db import connection

from sampark.notifications.models import Notification
from sampark.sla import services as sla
from sampark.sla.models import SLAAlert
from sampark.team.services import save_group
from sampark.tickets import services as tickets
from sampark.tickets.models import Escalation, TicketEvent

pytestmark = pytest.mark.slow

SAMPARK = Path(sys.executable).with_name("sampark")
TICKETS = 12
WORKERS = 2
shared_database = pytest.mark.django_db(transaction=True)


def postgres_url() -> str:
    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    host = quote(db["HOST"] or "localhost", safe="")  # a socket directory is percent-encoded
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgres://{credentials}@{host}{port}/{quote(db['NAME'], safe='')}"


def worker_environment(tmp_path) -> dict:
    """The environment of a worker process that shares this test's database."""
    env = {**os.environ, "SAMPARK_HOME": str(tmp_path), "SAMPARK_LOG_LEVEL": "WARNING"}
    env["DJANGO_SETTINGS_MODULE"] = "sampark.settings"
    if connection.vendor == "postgresql":
        env["SAMPARK_DATABASE_URL"] = postgres_url()
    else:
        env.pop("SAMPARK_DATABASE_URL", None)
        test_database = Path(connection.settings_dict["NAME"]).resolve()
        (tmp_path / "sampark.sqlite3").symlink_to(test_database)
    return env


def start(commands, env) -> list[subprocess.Popen]:
    return [
        subprocess.Popen(  # noqa: S603 - our own executables
            command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for command in commands
    ]


def finish(processes) -> list[str]:
    """Each process's standard output, once every one has exited successfully."""
    outputs = [process.communicate(timeout=120) for process in processes]
    for process, (_stdout, stderr) in zip(processes, outputs, strict=True):
        assert process.returncode == 0, stderr
    return [stdout for stdout, _stderr in outputs]


@pytest.fixture
def overdue_tickets(make_ticket, make_agent, default_group):
    """Unanswered tickets opened three hours ago under a round-the-clock policy (first response
    in 30 minutes, resolution in an hour): each owes a warning and a breach of both targets."""
    owner = make_agent(groups=[default_group])
    sla.save_policy(
        name="Round the clock",
        position=1,
        first_response_minutes=30,
        resolution_minutes=60,
        first_response_business=False,
        resolution_business=False,
    )
    with time_machine.travel(dt.datetime.now(dt.UTC) - dt.timedelta(hours=3), tick=False):
        return [make_ticket(owner=owner) for _ in range(TICKETS)]


def assert_each_alert_recorded_once(tickets):
    alerts = Counter(SLAAlert.objects.values_list("ticket_id", "target", "kind"))
    expected = {
        (ticket.pk, target, kind)
        for ticket in tickets
        for target in ("first_response", "resolution")
        for kind in ("warning", "breach")
    }
    assert set(alerts) == expected
    assert set(alerts.values()) == {1}

    events = Counter(
        (event.ticket_id, event.kind, event.data["target"])
        for event in TicketEvent.objects.filter(kind__in=["sla_warning", "sla_breach"])
    )
    assert len(events) == len(expected)
    assert set(events.values()) == {1}
    assert Notification.objects.filter(kind="sla_breach").count() == 2 * len(tickets)


@shared_database
def test_two_worker_processes_record_each_breach_once(overdue_tickets, tmp_path):
    command = [str(SAMPARK), "worker", "--once", "--no-migrate"]

    outputs = finish(start([command] * WORKERS, worker_environment(tmp_path)))

    # Each worker ends with "swept N tickets: W warnings, B breaches, R reminders".
    reported = [line.split() for output in outputs for line in output.splitlines()]
    breaches = sum(int(words[5]) for words in reported if words[:1] == ["swept"])
    assert breaches == 2 * TICKETS
    assert_each_alert_recorded_once(overdue_tickets)


@shared_database
def test_two_worker_processes_notice_each_overdue_escalation_once(
    make_ticket, make_agent, make_group, default_group, tmp_path
):
    """Escalations opened a week ago, long overdue whatever the calendar: each is noticed by
    one worker, with one timeline event and one notification to each person told (the owner
    and the one agent of the group it went to)."""
    owner = make_agent(groups=[default_group])
    network = make_group(name="Network", tier="L2")
    specialist = make_agent(groups=[network])
    save_group(default_group, escalates_to=network)
    with time_machine.travel(dt.datetime.now(dt.UTC) - dt.timedelta(days=8), tick=False):
        for _ in range(TICKETS):
            ticket = make_ticket(owner=owner)
            tickets.escalate_ticket(ticket.pk, actor=owner, reason="Packet loss")
    command = [str(SAMPARK), "worker", "--once", "--no-migrate"]

    finish(start([command] * WORKERS, worker_environment(tmp_path)))

    events = Counter(
        event.data["escalation"]
        for event in TicketEvent.objects.filter(kind=TicketEvent.Kind.ESCALATION_OVERDUE)
    )
    assert set(events) == set(Escalation.objects.values_list("pk", flat=True))
    assert set(events.values()) == {1}
    overdue = Notification.objects.filter(kind="escalation", title__endswith="is overdue")
    for person in (owner, specialist):
        assert overdue.filter(recipient=person).count() == TICKETS


SWEEP_ON_THE_SIGNAL = """
import sys, time
from pathlib import Path
import django
django.setup()
from sampark.sla.services import sweep
ready, go = Path(sys.argv[1]), Path(sys.argv[2])
ready.touch()
while not go.exists():
    time.sleep(0.005)
result = sweep(batch=2)
print(result.tickets, result.warnings, result.breaches)
"""


@shared_database
def test_sweeps_started_at_the_same_instant_record_each_breach_once(overdue_tickets, tmp_path):
    """Both processes are set up before either sweeps, and they claim two tickets at a time,
    so their claims interleave."""
    ready = [tmp_path / f"ready-{n}" for n in range(WORKERS)]
    go = tmp_path / "go"
    commands = [[sys.executable, "-c", SWEEP_ON_THE_SIGNAL, str(r), str(go)] for r in ready]
    processes = start(commands, worker_environment(tmp_path))
    deadline = time.monotonic() + 60
    while not all(r.exists() for r in ready) and time.monotonic() < deadline:
        time.sleep(0.01)
    go.touch()

    outputs = finish(processes)

    assert sum(int(output.split()[2]) for output in outputs) == 2 * TICKETS
    assert_each_alert_recorded_once(overdue_tickets)


def test_sqlite_database_url_keeps_the_embedded_sqlite_options(tmp_path):
    env = {**os.environ, "SAMPARK_HOME": str(tmp_path)}
    env["SAMPARK_DATABASE_URL"] = f"sqlite:///{tmp_path / 'elsewhere.sqlite3'}"
    show = (
        "import json, sampark.settings as s; "
        "print(json.dumps(s.DATABASES['default'].get('OPTIONS', {})))"
    )

    result = subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, "-c", show], env=env, capture_output=True, text=True, check=True
    )

    options = json.loads(result.stdout)
    assert options.get("transaction_mode") == "IMMEDIATE"
    assert options.get("timeout", 5) >= 30
    assert "journal_mode=WAL" in options.get("init_command", "")
