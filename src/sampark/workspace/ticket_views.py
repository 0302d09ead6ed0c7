"""The ticket page and its actions. A ticket outside the agent's scope answers 404 exactly like
a missing one, on the page and on every action, before any input is read. Changes go through
``sampark.tickets.services`` (or the workspace's own services for drafts and heartbeats),
which check access again and refuse a stale version: the agent is then shown what changed and
asked to confirm, never an error page."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import BadRequest
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sampark.core import clock
from sampark.core.errors import DomainError, InvalidInput, NotFound, StaleVersion
from sampark.tickets import access
from sampark.tickets import escalation_queries as escalations
from sampark.tickets import services as tickets
from sampark.tickets.services.changes import ALLOWED_TRANSITIONS

from . import ticket_forms as forms
from . import ticket_queries as queries
from .queues import keyboard_shortcuts_on
from .services import ticket_page as services
from .views import agent_required, counts_url, new_counts_version, renew_counts

TEMPLATE = "workspace/ticket/page.html"
# Where a service's refusal shows on the composer: its field names are the service's.
COMPOSER_FIELDS = {
    "summary": "body",
    "duration_seconds": "call_minutes",
    "direction": "call_direction",
}


def _visible(user, ticket_id: int):
    """The ticket, or 404 exactly like a missing one. The agent's scope is worked out once and
    kept on ``request.user`` for the rest of the request (each predicate then asks nothing)."""
    access.attach_scope(user)
    try:
        return queries.ticket_for(user, ticket_id)
    except NotFound as missing:
        raise Http404(missing.message) from None


def _show(request) -> str:
    return _timeline_filter(request.GET.get("show", "all"))


def _timeline_filter(show: str) -> str:
    return show if show in queries.TIMELINE_FILTERS else "all"


def _timeline(request, ticket, show: str):
    """The timeline page the address asks for; a cursor that is not one of ours is a 400."""
    try:
        return queries.timeline(ticket, show, request.GET.get("cursor"))
    except InvalidInput as error:
        raise BadRequest(error.message) from None


def _composer(user, ticket, draft, seen: int) -> forms.ComposerForm:
    """The composer as the page opens it: the agent's draft, or empty (a note for an agent
    who may not reply), on the ticket's version and the newest event the page shows."""
    initial = {"version": ticket.version, "seen": seen}
    if draft is not None:
        initial.update(
            kind=draft.kind,
            body=draft.body,
            time_spent_minutes=draft.time_spent_minutes,
            status=draft.status,
            call_direction=draft.call_direction or "outbound",
            call_minutes=draft.call_minutes,
        )
    elif not access.can_reply(user, ticket):
        initial["kind"] = "note"
    return forms.ComposerForm(initial=initial)


def _may(user, ticket) -> dict:
    return {
        "reply": access.can_reply(user, ticket),
        "reassign": access.can_reassign(user, ticket),
        "escalate": access.can_escalate(user, ticket) and ticket.is_active,
        "ask_for_help": access.can_ask_for_help(user, ticket) and ticket.is_active,
        "collaborate": access.can_collaborate(user, ticket),
        "split": access.can_split(user, ticket),
        "change": access.can_change(user, ticket) and ticket.status != "closed",
    }


def _head_and_composer(agent, user, ticket, composer, draft, stale) -> dict:
    """What the page's header (facts and clocks) and its composer's zone show: the whole page
    and the answer to a send from it draw these alike."""
    return {
        "agent": agent,
        "ticket": ticket,
        "ticket_id": ticket.pk,
        "seen": composer["seen"].value(),
        "countdowns": queries.countdowns(ticket),
        "countdown_words": queries.countdown_words(),
        "draft": draft,
        "composer": composer,
        "stale": stale,
        "may": _may(user, ticket),
        "statuses": sorted(ALLOWED_TRANSITIONS[ticket.status]),
        "escalations": escalations.ticket_escalations(ticket, open_only=True),
        "swarms": escalations.ticket_swarms(ticket, open_only=True),
        "reply_files_limit": settings.SAMPARK_REPLY_ATTACHMENTS_MAX_BYTES,
    }


def _context(request, agent, ticket, *, composer=None, stale=None) -> dict:
    user, show = request.user, _show(request)
    draft = queries.draft_for(user, ticket)
    if composer is None:
        composer = _composer(user, ticket, draft, queries.newest_event_id(ticket))
    groups = queries.groups()
    escalate_to = [group for group in groups if group.tier > ticket.tier]
    timeline = _timeline(request, ticket, show)
    may_split = access.can_split(user, ticket) and ticket.status != "closed"
    return {
        **_head_and_composer(agent, user, ticket, composer, draft, stale),
        "show": show,
        "filters": queries.TIMELINE_LABELS,
        "timeline": timeline,
        "split_suggestions": queries.split_suggestions(timeline.items) if may_split else [],
        "customer": queries.customer_of(ticket, user),
        "why_here": queries.why_here(ticket),
        "others": queries.who_is_on([ticket.pk], excluding=user).get(ticket.pk, []),
        "shortcuts": keyboard_shortcuts_on(user),
        "escalate_to": escalate_to,
        "next_in_chain": queries.next_in_chain(ticket, groups),
        "groups": groups,
        "now": clock.now(),
        "priorities": queries.priorities(),
    }


@agent_required
def ticket(request, agent, ticket_id: int):
    found = _visible(request.user, ticket_id)
    stale = None
    if (since := request.GET.get("since", "")).isdigit():
        stale = queries.events_since(found, int(since))
    return render(request, TEMPLATE, _context(request, agent, found, stale=stale))


@agent_required
def older_events(request, agent, ticket_id: int):
    found = _visible(request.user, ticket_id)
    page = _timeline(request, found, _show(request))
    context = {"ticket": found, "timeline": page, "show": _show(request), "may": {}}
    return render(request, f"{TEMPLATE}#older", context)


@require_POST
@agent_required
def send(request, agent, ticket_id: int):
    """The composer's send. When the ticket changed since the page was read, nothing is sent:
    the page comes back with the composer as it was, the events that came in between, and the
    new version, so that sending again confirms. Sent from the page (htmx), a send is answered
    by what it changed (``_answer_sent``); the page again, when it is the answer, replaces the
    page's own ticket part (``_whole_page``)."""
    found = _visible(request.user, ticket_id)
    form = forms.ComposerForm(request.POST, request.FILES)
    if form.is_valid():
        version = form.cleaned_data["version"]
        try:
            event = services.send(request.user, found.pk, form.composed(), expected_version=version)
        except StaleVersion:
            found = _visible(request.user, ticket_id)
            seen = form.cleaned_data.get("seen") or 0
            data = request.POST.copy()
            data.update({"version": found.version, "seen": queries.newest_event_id(found)})
            composer = forms.ComposerForm(data)
            composer.is_valid()
            if request.FILES:  # a browser cannot be given files back: say so
                composer.add_error("attachments", _("Nothing was sent: choose the files again."))
            stale = queries.events_since(found, seen)
            context = _context(request, agent, found, composer=composer, stale=stale)
            return _whole_page(request, render(request, TEMPLATE, context))
        except DomainError as error:
            field = COMPOSER_FIELDS.get(error.field, error.field)
            form.add_error(field if field in form.fields else None, error.message)
        else:
            messages.success(request, _sent(event))
            if request.htmx:
                return _answer_sent(request, agent, found, form.cleaned_data.get("seen") or 0)
            return redirect(reverse("workspace:ticket", args=[found.pk]) + "#timeline")
    context = _context(request, agent, found, composer=form)
    return _whole_page(request, render(request, TEMPLATE, context))


def _whole_page(request, response):
    """The ticket page as the answer to a send from the page: its ticket part replaces the
    page's, as the page would have been replaced by a form's post."""
    if request.htmx:
        response["HX-Retarget"] = response["HX-Reselect"] = ".ticket-page"
        response["HX-Reswap"] = "outerHTML"
    return response


# What the answer to a send does not redraw: the page's actions and the customer panel follow
# these fields, so a send that changed one of them (a status chosen on send, say) reloads the
# page. So does a send after more events than the answer shows.
_PAGE_FIELDS = ("status", "owner_id", "group_id", "tier", "priority_id", "merged_into_id")
SENT_EVENTS = 20


def _answer_sent(request, agent, before, seen: int):
    """A send from the page, answered by what changed: a fresh composer, and out of band the
    ticket's facts and clocks, the events after ``seen`` (the page's newest: the agent's own
    is the last of them) in the timeline the page shows, the "sent" message and the sidebar's
    counts at a new address (a send may change them). The page's script gives its other forms
    the composer's new version and newest event. A send that changed what the answer does not
    redraw is told to load the page again (``HX-Redirect``), as a form post would have."""
    user = request.user
    try:
        ticket = queries.ticket_for(user, before.pk)
    except NotFound:
        ticket = None
    events = queries.events_since(ticket, seen, limit=SENT_EVENTS + 1) if ticket else []
    if (
        ticket is None
        or len(events) > SENT_EVENTS
        or any(getattr(ticket, name) != getattr(before, name) for name in _PAGE_FIELDS)
    ):
        # No fragment: from a page at the same address, one would only scroll, not load.
        response = HttpResponse()
        response["HX-Redirect"] = reverse("workspace:ticket", args=[before.pk])
        return response
    newest = events[-1].pk if events else seen
    shown = queries.TIMELINE_FILTERS.get(_shown_on_page(request))
    counts = new_counts_version()
    composer = _composer(user, ticket, None, newest)
    context = {
        **_head_and_composer(agent, user, ticket, composer, draft=None, stale=None),
        "events": [event for event in events if shown is None or event.kind in shown],
        "counts_url": counts_url(counts),
    }
    response = render(request, "workspace/ticket/sent.html", context)
    renew_counts(response, counts)
    return response


def _shown_on_page(request) -> str:
    """The timeline filter of the page a request came from (htmx names the page)."""
    query = urlsplit(request.htmx.current_url or "").query
    return _timeline_filter(QueryDict(query).get("show", "all"))


def _sent(event) -> str:
    """What the agent is told after a send: a reply that went out as an email is still in its
    undo window, and the agent is told where to take it back."""
    email = queries.email_of(event) if event.kind == "message_out" else None
    if email is not None and email.state == "holding":
        return _("Sent. The email leaves in %(seconds)s s: Undo under the reply takes it back.") % {
            "seconds": email.seconds_left
        }
    return _("Sent.")


@require_POST
@agent_required
def save_draft(request, agent, ticket_id: int):
    found = _visible(request.user, ticket_id)
    form = forms.ComposerForm(request.POST, for_draft=True)
    if not form.is_valid():
        return render(request, f"{TEMPLATE}#draft_status", {"unsaved": True}, status=422)
    draft = services.save_draft(request.user, found.pk, form.composed())
    saved = draft if draft.body.strip() else None
    return render(request, f"{TEMPLATE}#draft_status", {"draft": saved})


@require_POST
@agent_required
def heartbeat(request, agent, ticket_id: int):
    """Every ~12 s from an open ticket page: record this agent there, and answer with who else
    is, and whether the ticket has moved on since the page was read."""
    form = forms.ViewerForm(request.POST)
    form.is_valid()
    try:
        services.record_viewer(
            request.user, ticket_id, replying=bool((form.cleaned_data.get("body") or "").strip())
        )
    except NotFound as missing:
        raise Http404(missing.message) from None
    context = {
        "ticket_id": ticket_id,
        "others": queries.who_is_on([ticket_id], excluding=request.user).get(ticket_id, []),
        "moved_on": (form.cleaned_data.get("version") or 0) < queries.version_of(ticket_id),
    }
    return render(request, f"{TEMPLATE}#viewers", context)


# --- actions: one small form each, then back to the page ----------------------------------


def _assign(user, ticket, data):
    owner = user if data["take"] else data["owner"]
    tickets.update_ticket(ticket.pk, actor=user, expected_version=data["version"], owner=owner)
    return _("The ticket is yours.") if data["take"] else _("The owner is changed."), None


def _collaborate(user, ticket, data):
    if data["remove"]:
        tickets.remove_collaborator(ticket.pk, agent=data["agent"], actor=user)
        return _("Collaborator removed."), None
    tickets.add_collaborator(ticket.pk, agent=data["agent"], actor=user)
    return _("Collaborator added."), None


def _escalate(user, ticket, data):
    item = tickets.escalate_ticket(
        ticket.pk,
        actor=user,
        group=data["group"],
        reason=data["reason"],
        expected_version=data["version"],
    )
    return _("Escalated to %(group)s.") % {"group": item.to_group.name}, None


def _deescalate(user, ticket, data):
    item = tickets.deescalate_ticket(
        ticket.pk, actor=user, reason=data["reason"], expected_version=data["version"]
    )
    return _("Escalation closed; the ticket is back at %(tier)s.") % {"tier": item.from_tier}, None


def _assign_escalation(user, ticket, data):
    assignee = user if data["take"] else data["agent"]
    tickets.assign_escalation(data["escalation"], assignee=assignee, actor=user)
    return _("The escalation's work is assigned."), None


def _escalation_note(user, ticket, data):
    tickets.add_escalation_note(data["escalation"], actor=user, body=data["body"])
    return _("Note added to the escalation."), None


def _ask_for_help(user, ticket, data):
    tickets.request_swarm(
        ticket.pk,
        actor=user,
        message=data["message"],
        agents=list(data["agents"]),
        group=data["group"],
        skill=data["skill"],
    )
    return _("Help asked."), None


def _swarm_note(user, ticket, data):
    tickets.add_swarm_note(data["swarm"], actor=user, body=data["body"])
    return _("Contribution added; the owner is told."), None


def _close_swarm(user, ticket, data):
    tickets.close_swarm(data["swarm"], actor=user, summary=data["summary"])
    return _("Request for help closed."), None


def _split(user, ticket, data):
    new = tickets.split_ticket(
        ticket.pk,
        actor=user,
        event_ids=data["event_ids"],
        subject=data["subject"],
        expected_version=data["version"],
    )
    return _("The messages are now ticket #%(number)s.") % {"number": new.number}, None


def _merge(user, ticket, data):
    into = queries.visible_ticket_id(user, data["number"])
    if into is None:
        raise InvalidInput(
            _("No ticket #%(number)s that you may see.") % {"number": data["number"]}
        )
    tickets.merge_tickets(ticket.pk, into_id=into, actor=user, expected_version=data["version"])
    return _("Merged into #%(number)s.") % {"number": data["number"]}, into


def _priority(user, ticket, data):
    tickets.update_ticket(
        ticket.pk,
        actor=user,
        expected_version=data["version"],
        priority=data["priority"].code,
        priority_reason=data["reason"],
    )
    return _("Priority changed."), None


def _status(user, ticket, data):
    tickets.update_ticket(
        ticket.pk, actor=user, expected_version=data["version"], status=data["status"]
    )
    return _("Status changed."), None


ACTIONS = {
    "owner": (forms.OwnerForm, _assign),
    "collaborator": (forms.CollaboratorForm, _collaborate),
    "escalate": (forms.EscalateForm, _escalate),
    "deescalate": (forms.DeescalateForm, _deescalate),
    "escalation-assign": (forms.EscalationAssignForm, _assign_escalation),
    "escalation-note": (forms.EscalationNoteForm, _escalation_note),
    "swarm": (forms.SwarmForm, _ask_for_help),
    "swarm-note": (forms.SwarmNoteForm, _swarm_note),
    "swarm-close": (forms.SwarmCloseForm, _close_swarm),
    "split": (forms.SplitForm, _split),
    "merge": (forms.MergeForm, _merge),
    "priority": (forms.PriorityForm, _priority),
    "status": (forms.StatusForm, _status),
}


def _first_error(form) -> str:
    return next(iter(form.errors.values()))[0]


@require_POST
@agent_required
def act(request, agent, ticket_id: int, action: str):
    """One action's small form. Its refusal comes back as a message on the page; a ticket that
    changed since the page was read is shown with what changed, and nothing is applied."""
    found = _visible(request.user, ticket_id)
    if action not in ACTIONS:
        raise Http404()
    form_class, apply = ACTIONS[action]
    form = form_class(request.POST)
    page = reverse("workspace:ticket", args=[found.pk])
    if not form.is_valid():
        messages.error(request, _first_error(form))
        return redirect(page)
    try:
        message, elsewhere = apply(request.user, found, form.cleaned_data)
    except StaleVersion:
        messages.warning(
            request,
            _(
                "The ticket changed since you opened it, so nothing was changed. "
                "Look at what happened, then try again."
            ),
        )
        return redirect(f"{page}?since={form.cleaned_data.get('seen') or 0}#changed")
    except DomainError as error:
        messages.error(request, error.message)
        return redirect(page)
    messages.success(request, message)
    return redirect(reverse("workspace:ticket", args=[elsewhere]) if elsewhere else page)
