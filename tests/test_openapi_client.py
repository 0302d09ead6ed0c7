"""The OpenAPI document is the contract: its operation ids are plain verbs that stay put, and a
client generated from it (openapi-python-client, as an integrator would) works end to end
against a running server."""

import importlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from sampark.api.v1 import api as v1
from sampark.team.models import AgentProfile
from sampark.team.services import create_agent, issue_token

# Renaming one of these breaks every generated client: add, never rename.
OPERATION_IDS = {
    ("post", "/api/v1/tickets"): "create_ticket",
    ("get", "/api/v1/tickets"): "list_tickets",
    ("get", "/api/v1/groups/{group_id}/queue"): "group_queue",
    ("get", "/api/v1/tickets/{ticket_id}"): "get_ticket",
    ("patch", "/api/v1/tickets/{ticket_id}"): "patch_ticket",
    ("get", "/api/v1/tickets/{ticket_id}/events"): "list_events",
    ("get", "/api/v1/tickets/{ticket_id}/messages"): "list_messages",
    ("post", "/api/v1/tickets/{ticket_id}/messages"): "add_message",
    ("get", "/api/v1/tickets/{ticket_id}/calls"): "list_calls",
    ("post", "/api/v1/tickets/{ticket_id}/calls"): "log_call",
    ("post", "/api/v1/tickets/{ticket_id}/split"): "split_ticket",
    ("post", "/api/v1/tickets/{ticket_id}/merge"): "merge_ticket",
    ("post", "/api/v1/tickets/{ticket_id}/escalate"): "escalate_ticket",
    ("get", "/api/v1/tickets/{ticket_id}/collaborators"): "list_collaborators",
    ("post", "/api/v1/tickets/{ticket_id}/collaborators"): "add_collaborator",
    ("delete", "/api/v1/tickets/{ticket_id}/collaborators/{agent_id}"): "remove_collaborator",
    ("get", "/api/v1/contacts/{contact_id}/timeline"): "contact_timeline",
    ("get", "/api/v1/contacts/{contact_id}/tickets"): "contact_tickets",
    ("get", "/api/v1/tickets/{ticket_id}/metrics"): "get_ticket_metrics",
    ("get", "/api/v1/contacts"): "list_contacts",
    ("post", "/api/v1/contacts"): "create_contact",
    ("get", "/api/v1/contacts/{contact_id}"): "get_contact",
    ("patch", "/api/v1/contacts/{contact_id}"): "patch_contact",
    ("post", "/api/v1/contacts/{contact_id}/identities"): "add_identity",
    ("post", "/api/v1/contacts/{contact_id}/merge"): "merge_contact",
    ("get", "/api/v1/organizations"): "list_organizations",
    ("post", "/api/v1/organizations"): "create_organization",
    ("get", "/api/v1/organizations/{org_id}"): "get_organization",
    ("patch", "/api/v1/organizations/{org_id}"): "patch_organization",
    ("get", "/api/v1/assets"): "list_assets",
    ("post", "/api/v1/assets"): "create_asset",
    ("get", "/api/v1/assets/{asset_id}"): "get_asset",
    ("patch", "/api/v1/assets/{asset_id}"): "patch_asset",
    ("get", "/api/v1/agents"): "list_agents",
    ("post", "/api/v1/agents"): "create_agent",
    ("get", "/api/v1/agents/{agent_id}"): "get_agent",
    ("patch", "/api/v1/agents/{agent_id}"): "patch_agent",
    ("get", "/api/v1/groups"): "list_groups",
    ("post", "/api/v1/groups"): "create_group",
    ("get", "/api/v1/groups/{group_id}"): "get_group",
    ("patch", "/api/v1/groups/{group_id}"): "patch_group",
    ("get", "/api/v1/priorities"): "list_priorities",
    ("post", "/api/v1/priorities"): "create_priority",
    ("patch", "/api/v1/priorities/{code}"): "patch_priority",
    ("get", "/api/v1/fields"): "list_field_definitions",
    ("post", "/api/v1/fields"): "create_field_definition",
    ("patch", "/api/v1/fields/{key}"): "patch_field_definition",
    ("get", "/api/v1/priority-rules"): "list_priority_rules",
    ("post", "/api/v1/priority-rules"): "create_priority_rule",
    ("patch", "/api/v1/priority-rules/{rule_id}"): "patch_priority_rule",
    ("get", "/api/v1/priority-matrix"): "get_priority_matrix",
    ("put", "/api/v1/priority-matrix"): "set_priority_matrix",
    ("get", "/api/v1/calendars"): "list_calendars",
    ("post", "/api/v1/calendars"): "create_calendar",
    ("get", "/api/v1/calendars/{calendar_id}"): "get_calendar",
    ("patch", "/api/v1/calendars/{calendar_id}"): "patch_calendar",
    ("get", "/api/v1/calendars/{calendar_id}/holidays"): "list_holidays",
    ("post", "/api/v1/calendars/{calendar_id}/holidays"): "add_holiday",
    ("delete", "/api/v1/calendars/{calendar_id}/holidays/{holiday_id}"): "remove_holiday",
    ("get", "/api/v1/sla-policies"): "list_sla_policies",
    ("post", "/api/v1/sla-policies"): "create_sla_policy",
    ("patch", "/api/v1/sla-policies/{policy_id}"): "patch_sla_policy",
    ("get", "/api/v1/routing-rules"): "list_routing_rules",
    ("post", "/api/v1/routing-rules"): "create_routing_rule",
    ("post", "/api/v1/routing-rules/preview"): "preview_draft_routing_rule",
    ("get", "/api/v1/routing-rules/{routing_rule_id}"): "get_routing_rule",
    ("patch", "/api/v1/routing-rules/{routing_rule_id}"): "patch_routing_rule",
    ("get", "/api/v1/routing-rules/{routing_rule_id}/preview"): "preview_routing_rule",
    ("get", "/api/v1/notifications"): "list_notifications",
    ("post", "/api/v1/notifications/{notification_id}/read"): "mark_notification_read",
    ("post", "/api/v1/tickets/{ticket_id}/deescalate"): "deescalate_ticket",
    ("get", "/api/v1/tickets/{ticket_id}/escalations"): "list_escalations",
    ("get", "/api/v1/escalations"): "group_escalations",
    ("post", "/api/v1/escalations/{escalation_id}/assignee"): "assign_escalation",
    ("post", "/api/v1/escalations/{escalation_id}/notes"): "add_escalation_note",
    ("get", "/api/v1/escalation-chains"): "list_escalation_chains",
    ("post", "/api/v1/tickets/{ticket_id}/swarms"): "request_swarm",
    ("get", "/api/v1/tickets/{ticket_id}/swarms"): "list_swarms",
    ("get", "/api/v1/swarm-requests"): "my_swarm_requests",
    ("post", "/api/v1/swarms/{swarm_id}/join"): "join_swarm",
    ("post", "/api/v1/swarms/{swarm_id}/decline"): "decline_swarm",
    ("post", "/api/v1/swarms/{swarm_id}/notes"): "add_swarm_note",
    ("post", "/api/v1/swarms/{swarm_id}/close"): "close_swarm",
    ("get", "/api/v1/groups/{group_id}/strategy"): "get_strategy",
    ("put", "/api/v1/groups/{group_id}/strategy"): "put_strategy",
    ("get", "/api/v1/agents/{agent_id}/workload"): "get_workload",
    ("get", "/api/v1/leaves"): "list_leaves",
    ("post", "/api/v1/leaves"): "create_leave",
    ("get", "/api/v1/leaves/{leave_id}"): "get_leave",
    ("post", "/api/v1/leaves/{leave_id}/end"): "end_leave",
    ("post", "/api/v1/tickets/take-next"): "take_next",
    ("get", "/api/v1/mailboxes"): "list_mailboxes",
    ("post", "/api/v1/mailboxes"): "create_mailbox",
    ("get", "/api/v1/mailboxes/{mailbox_id}"): "get_mailbox",
    ("patch", "/api/v1/mailboxes/{mailbox_id}"): "patch_mailbox",
    ("delete", "/api/v1/mailboxes/{mailbox_id}"): "delete_mailbox",
    ("post", "/api/v1/mailboxes/{mailbox_id}/test"): "check_mailbox",
    ("get", "/api/v1/tickets/{ticket_id}/outbound"): "list_outbound",
    ("post", "/api/v1/tickets/{ticket_id}/outbound/{outbound_id}/undo"): "undo_send",
}


def document() -> dict:
    return v1.get_openapi_schema(path_prefix="/api/v1/")


def test_every_operation_keeps_its_plain_verb_id():
    ids = {
        (method, path): operation["operationId"]
        for path, operations in document()["paths"].items()
        for method, operation in operations.items()
    }

    assert ids == OPERATION_IDS


@pytest.fixture(scope="module")
def generated_client(tmp_path_factory):
    """The package openapi-python-client makes of today's document, importable as
    ``sampark_client``."""
    out = tmp_path_factory.mktemp("openapi-client")
    spec = out / "openapi.json"
    spec.write_text(json.dumps(document()))
    bin_dir = Path(sys.executable).parent
    generator = bin_dir / "openapi-python-client"
    if not generator.exists():
        pytest.skip("openapi-python-client is not installed: run `make test-deps`")
    # Its post-generation hooks run ruff, which sits beside it in the virtualenv.
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"}
    result = subprocess.run(  # noqa: S603 (the virtualenv's own tool, on our own document)
        [generator, "generate", "--path", spec, "--meta", "none"]
        + ["--output-path", out / "sampark_client"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Warning" not in result.stdout + result.stderr, result.stdout + result.stderr
    sys.path.insert(0, str(out))
    try:
        yield importlib.import_module("sampark_client")
    finally:
        sys.path.remove(str(out))
        for name in [m for m in sys.modules if m.partition(".")[0] == "sampark_client"]:
            del sys.modules[name]


def test_a_generated_client_opens_reads_and_changes_a_ticket(generated_client, live_server):
    client_module = generated_client
    tickets = importlib.import_module("sampark_client.api.tickets")
    models = importlib.import_module("sampark_client.models")
    for name in ("create_ticket", "get_ticket", "patch_ticket"):
        importlib.import_module(f"sampark_client.api.tickets.{name}")
    # An integration's token belongs to an agent who may see every ticket it opens.
    agent = create_agent(
        email="integrator@sampark.test",
        name="Integrator",
        ticket_access=AgentProfile.TicketAccess.ALL,
    )
    _token, secret = issue_token(agent.user, name="generated client")
    client = client_module.AuthenticatedClient(base_url=live_server.url, token=secret)

    created = tickets.create_ticket.sync_detailed(
        client=client,
        body=models.TicketCreateIn(
            subject="प्रिंटर काम नहीं कर रहा",
            requester=models.RequesterIn(email="meera@example.in", name="Meera"),
            channel=models.TicketCreateInChannel.EMAIL,
        ),
    )
    assert created.status_code == 201
    ticket = created.parsed
    assert ticket.subject == "प्रिंटर काम नहीं कर रहा"

    read = tickets.get_ticket.sync(client=client, ticket_id=ticket.id)
    assert read.number == ticket.number
    assert read.version == ticket.version

    changed = tickets.patch_ticket.sync_detailed(
        client=client,
        ticket_id=ticket.id,
        body=models.TicketPatchIn(version=read.version, category="printers"),
    )
    assert changed.status_code == 200
    assert changed.parsed.category == "printers"
    assert changed.parsed.version > read.version

    stale = tickets.patch_ticket.sync_detailed(
        client=client,
        ticket_id=ticket.id,
        body=models.TicketPatchIn(version=read.version, category="scanners"),
    )
    assert stale.status_code == 409
    assert isinstance(stale.parsed, models.Error)
    assert f"now version {changed.parsed.version}" in stale.parsed.detail
