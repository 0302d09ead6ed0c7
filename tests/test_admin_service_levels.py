"""The configuration admin of issue 3: calendars, holidays and SLA policies save through
their services."""

import datetime as dt

import pytest

from sampark.calendars.models import BusinessCalendar, Holiday
from sampark.sla.models import SLAPolicy
from sampark.tickets.models import Priority


@pytest.fixture
def admin_client(client, make_agent):
    client.force_login(make_agent(role="admin"))
    return client


def test_calendar_weekly_hours_are_written_as_lines_of_text(admin_client):
    response = admin_client.post(
        "/admin/calendars/businesscalendar/add/",
        {
            "name": "Pune desk",
            "time_zone": "Asia/Kolkata",
            "country": "IN",
            "subdivision": "MH",
            "weekly_hours": "Mon 09:00-13:00\nMon 14:00-18:00\nSat 10:00-14:00",
        },
    )
    assert response.status_code == 302
    calendar = BusinessCalendar.objects.get(name="Pune desk")
    assert [(h.weekday, h.start, h.end) for h in calendar.working_hours.all()] == [
        (0, dt.time(9), dt.time(13)),
        (0, dt.time(14), dt.time(18)),
        (5, dt.time(10), dt.time(14)),
    ]


def test_overlapping_shifts_come_back_as_a_form_error(admin_client):
    response = admin_client.post(
        "/admin/calendars/businesscalendar/add/",
        {
            "name": "Clash",
            "time_zone": "Asia/Kolkata",
            "country": "IN",
            "weekly_hours": "Tue 09:00-13:00\nTue 12:00-18:00",
        },
    )
    assert response.status_code == 200
    assert "overlap" in response.content.decode()
    assert not BusinessCalendar.objects.filter(name="Clash").exists()


def test_holiday_added_in_the_admin_bumps_the_calendar_revision(admin_client):
    calendar = BusinessCalendar.objects.get(is_default=True)
    before = calendar.revision
    response = admin_client.post(
        "/admin/calendars/holiday/add/",
        {"calendar": calendar.pk, "date": "2026-12-02", "name": "Office puja"},
    )
    assert response.status_code == 302
    calendar.refresh_from_db()
    assert calendar.revision > before
    assert Holiday.objects.filter(calendar=calendar, name="Office puja").exists()


def test_sla_policy_saves_through_the_service(admin_client):
    p2 = Priority.objects.get(code="P2")
    response = admin_client.post(
        "/admin/sla/slapolicy/add/",
        {
            "name": "Enterprise P2",
            "position": 5,
            "active": "on",
            "priorities": [p2.pk],
            "organization_tiers": ["enterprise"],
            "first_response_minutes": 60,
            "resolution_minutes": 600,
            "first_response_business": "on",
            "resolution_business": "on",
            "pause_when_pending": "on",
            "warn_fraction": 0.8,
            "notify_on_breach": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    policy = SLAPolicy.objects.get(name="Enterprise P2")
    assert list(policy.priorities.all()) == [p2]
    assert policy.organization_tiers == ["enterprise"]
    assert policy.first_response_minutes == 60
