"""Agents see only their own notifications."""

from sampark.notifications.services import notify


def test_agent_lists_and_reads_only_their_own_notifications(api_as, make_agent, make_ticket):
    owner, other = make_agent(), make_agent()
    ticket = make_ticket(owner=owner)
    [mine] = notify([owner], kind="sla_warning", title="जवाब जल्द देना है", ticket=ticket)
    [theirs] = notify([other], kind="sla_warning", title="Not yours")

    api = api_as(owner)
    listed = api.get("/api/v1/notifications").json()["items"]
    assert [n["id"] for n in listed] == [mine.pk]
    assert listed[0]["title"] == "जवाब जल्द देना है"
    assert listed[0]["ticket"] == ticket.pk

    assert api.post(f"/api/v1/notifications/{theirs.pk}/read").status_code == 404
    read = api.post(f"/api/v1/notifications/{mine.pk}/read")
    assert read.status_code == 200
    assert read.json()["read_at"] is not None
    assert api.get("/api/v1/notifications", {"unread": "true"}).json()["items"] == []
