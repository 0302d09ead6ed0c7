"""SQLite's planner statistics are measured when a table has none or has grown by a quarter,
by the worker's sweep; PostgreSQL keeps its own."""

import pytest
from django.db import connection

from sampark.customers.models import Contact, Organization
from sampark.db import statistics
from sampark.serving.worker import Worker

pytestmark = pytest.mark.django_db


def figures(table: str) -> int | None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")
        if cursor.fetchone() is None:
            return None
        cursor.execute("SELECT stat FROM sqlite_stat1 WHERE tbl = %s", [table])
        rows = [int(stat.split(" ")[0]) for (stat,) in cursor.fetchall()]
    return max(rows) if rows else None


def add_contacts(count: int) -> None:
    Contact.objects.bulk_create(Contact(name=f"ग्राहक {n}") for n in range(count))


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's statistics only")
def test_a_table_without_figures_is_measured_then_again_after_a_quarters_growth(monkeypatch):
    monkeypatch.setattr(statistics, "SMALL", 20)
    add_contacts(40)
    assert "customers_contact" in statistics.stale_tables()

    assert "customers_contact" in statistics.keep_current()
    assert figures("customers_contact") == 40
    assert "customers_contact" not in statistics.stale_tables()
    assert "customers_contact" not in statistics.keep_current()  # it has not grown

    add_contacts(10)  # 50 <= 40 * 1.25 + 20: not yet
    assert "customers_contact" not in statistics.stale_tables()
    add_contacts(20)  # 70 > 70 is false; one more passes
    add_contacts(1)
    assert "customers_contact" in statistics.stale_tables()


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's statistics only")
def test_the_worker_sweep_keeps_them(monkeypatch):
    monkeypatch.setattr(statistics, "SMALL", 20)
    add_contacts(30)
    Worker(sweep_seconds=0).sweep()
    assert figures("customers_contact") == 30


@pytest.mark.skipif(connection.vendor == "sqlite", reason="PostgreSQL's autovacuum measures")
def test_postgresql_is_left_to_autovacuum():
    add_contacts(30)
    assert statistics.stale_tables() == []
    assert statistics.keep_current() == []


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's statistics only")
def test_only_the_tables_that_grew_are_measured(monkeypatch):
    """Measuring the whole database when one small table grew stalled writers for seconds."""
    monkeypatch.setattr(statistics, "SMALL", 20)
    add_contacts(40)
    statistics.keep_current()
    add_contacts(5)  # not a quarter more: its figures stay as they were

    Organization.objects.bulk_create(Organization(name=f"संस्था {n}") for n in range(30))
    measured = statistics.keep_current()

    assert "customers_organization" in measured and "customers_contact" not in measured
    assert figures("customers_organization") == 30
    assert figures("customers_contact") == 40


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's statistics only")
def test_rows_deleted_do_not_look_like_growth(monkeypatch):
    """Sessions and viewers' beats are deleted as fast as they come: their highest rowid
    climbs while the table does not grow."""
    monkeypatch.setattr(statistics, "SMALL", 20)
    add_contacts(40)
    statistics.keep_current()
    for _ in range(3):
        add_contacts(30)
        newest = Contact.objects.order_by("-pk").values_list("pk", flat=True)[:30]
        Contact.objects.filter(pk__in=list(newest)).delete()

    assert "customers_contact" not in statistics.stale_tables()
