"""Every change to a ticket goes through these functions.

Each one runs in a single transaction, checks the rules, writes the ticket's new state and
appends the TicketEvents that explain it (actor, channel, time), and publishes a domain event
that subscribers receive after commit. Field updates use optimistic locking: a caller passes
the version it read, and a stale version raises StaleVersion instead of overwriting.

The functions live in modules by what they are about; this package exports them all, so
``from sampark.tickets import services`` then ``services.add_message(...)`` is the way in:

- ``opening``: open a ticket, its owner (the single point of contact) and its number;
- ``conversation``: messages, notes and calls, and the status that follows them;
- ``changes``: an agent's edits (status, priority, owner, group, fields, tags);
- ``escalation``: escalation work items, de-escalation and the sweep over their due times,
  breach actions, SLA events on the timeline, collaborators;
- ``swarming``: requests for help, their invitations, contributions and summary;
- ``attachments``: the files that come with a message;
- ``split_merge``: split, merge, and moving a contact's tickets to another contact;
- ``configuration``: the priority scheme, custom fields, priority rules and the matrix;
- ``_steps``: the steps they share (lock, save, append an event, check input).
"""

from ._steps import MAX_TAGS, normalise_tags
from .attachments import NewAttachment, check_attachments, store_attachments
from .changes import (
    ALLOWED_TRANSITIONS,
    ASSIGNMENT_REASONS,
    RULE_INPUTS,
    STICKY_PRIORITY,
    UNSET,
    assign_ticket,
    update_ticket,
)
from .configuration import (
    add_tag,
    rename_tag,
    resolve_priority,
    save_field_definition,
    save_priority,
    save_priority_rule,
    set_matrix_cell,
)
from .conversation import (
    CallDirection,
    add_followers,
    add_message,
    log_call,
    record_notice,
    withdraw_reply,
)
from .escalation import (
    EscalationSweep,
    add_collaborator,
    add_escalation_note,
    assign_escalation,
    deescalate_ticket,
    escalate_ticket,
    escalate_to_next_tier,
    next_in_chain,
    raise_priority,
    record_sla_events,
    remove_collaborator,
    sweep_escalations,
)
from .opening import (
    TICKET_NUMBERS,
    open_ticket,
)
from .split_merge import merge_tickets, split_ticket, transfer_requester
from .swarming import add_swarm_note, close_swarm, decline_swarm, join_swarm, request_swarm

__all__ = [
    "NewAttachment",
    "add_followers",
    "check_attachments",
    "record_notice",
    "withdraw_reply",
    "store_attachments",
    "add_tag",
    "rename_tag",
    "ALLOWED_TRANSITIONS",
    "CallDirection",
    "EscalationSweep",
    "MAX_TAGS",
    "RULE_INPUTS",
    "STICKY_PRIORITY",
    "TICKET_NUMBERS",
    "UNSET",
    "ASSIGNMENT_REASONS",
    "add_collaborator",
    "add_escalation_note",
    "add_swarm_note",
    "assign_escalation",
    "close_swarm",
    "deescalate_ticket",
    "decline_swarm",
    "join_swarm",
    "next_in_chain",
    "request_swarm",
    "assign_ticket",
    "add_message",
    "escalate_ticket",
    "escalate_to_next_tier",
    "log_call",
    "merge_tickets",
    "normalise_tags",
    "open_ticket",
    "raise_priority",
    "record_sla_events",
    "remove_collaborator",
    "resolve_priority",
    "save_field_definition",
    "save_priority",
    "save_priority_rule",
    "set_matrix_cell",
    "split_ticket",
    "sweep_escalations",
    "transfer_requester",
    "update_ticket",
]
