"""The queues' pages and actions: a named queue, a saved view, saving views, bulk actions and
the keyboard shortcuts' setting. Each view parses with a form, calls one query or service and
renders; what an agent may see is decided by the access layer inside the queries."""

from django.contrib import messages
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from sampark.assignment.services import taking
from sampark.core.errors import Conflict, DomainError, InvalidInput, NotFound
from sampark.team.models import Group
from sampark.tickets import access
from sampark.tickets import escalation_queries as escalations
from sampark.tickets import services as tickets

from . import queues
from .forms import safe_next
from .queue_forms import BulkForm, QueueFilterForm, QueuePageForm, ViewForm
from .services import queues as services
from .ticket_forms import SwarmAnswerForm
from .ticket_queries import who_is_on
from .views import COUNTS_MAX_AGE, agent_required


def _render_queue(request, agent, *, filters, order, title, queue="", view=None, query=""):
    """``query``: the filters in the address (an ad-hoc queue), kept by the sort and page
    links."""
    form = QueuePageForm(request.GET)
    if not form.is_valid():
        return HttpResponseBadRequest(_("The page link is not valid."))
    order = form.cleaned_data["order"] or order
    try:
        page = queues.queue_page(
            request.user, filters, order=order, cursor=form.cleaned_data["cursor"] or None
        )
    except InvalidInput as error:
        return HttpResponseBadRequest(error.message)
    shown = [ticket.pk for ticket in page.items]
    context = {
        "agent": agent,
        "page": page,
        # Who else is on these tickets right now: one query for the page's rows.
        "on_ticket": who_is_on(shown, excluding=request.user),
        # "Escalated to my group": when each row's escalation is due, in one query.
        "escalation_due": escalations.escalations_due(shown, filters.escalated_to)
        if filters.escalated_to
        else {},
        "order": order,
        "title": title,
        "queue": queue,
        "view": view,
        "query": f"{query}&" if query else "",
        "bulk_form": BulkForm(),
        "shortcuts": queues.keyboard_shortcuts_on(request.user),
    }
    return render(request, "workspace/queues/queue.html", context)


@agent_required
def queue(request, agent, name):
    named = queues.NAMED_QUEUES.get(name)
    if named is None:
        raise Http404
    access.attach_scope(request.user)  # once for the page, its counts and its views
    filters = queues.named_filters(
        name, request.user, queues.my_group_ids(request.user), agent.time_zone
    )
    return _render_queue(
        request, agent, filters=filters, order=named.order, title=named.label, queue=name
    )


@agent_required
@require_GET
def queue_counts(request, agent):
    """The sidebar's counts, swapped into the page's sidebar by htmx after it loads and every
    minute. The browser may reuse them for ``COUNTS_MAX_AGE`` seconds: the address changes
    when the agent has sent a form that may have changed tickets (``views.COUNTS_COOKIE``),
    so only other people's changes wait that long to show."""
    access.attach_scope(request.user)  # worked out once for the counts' queries
    counts = queues.queue_counts(request.user, queues.my_group_ids(request.user), agent.time_zone)
    shown = [
        (name, counts[name], name == "sla" and counts[name] > 0) for name in queues.NAMED_QUEUES
    ]
    shown.append(("swarm_requests", counts["swarm_requests"], False))
    response = render(request, "workspace/queues/counts.html", {"counts": shown})
    response["Cache-Control"] = f"private, max-age={COUNTS_MAX_AGE}"
    # Kept per session cookie too: whoever signs in next on the same browser counts afresh.
    patch_vary_headers(response, ["Cookie"])
    return response


@agent_required
def filtered_queue(request, agent):
    """An ad-hoc queue from the filters in its address, where the coordinator board's numbers
    lead; an address it cannot read exactly is refused with what is wrong."""
    access.attach_scope(request.user)
    form = QueueFilterForm(request.GET, time_zone=agent.time_zone)
    if not form.is_valid():
        return HttpResponseBadRequest(form.problem(), content_type="text/plain; charset=utf-8")
    filters = form.filters()
    return _render_queue(
        request,
        agent,
        filters=filters,
        order="sla",
        title=form.description(),
        query=filters.as_query(),
    )


@agent_required
def saved_view(request, agent, view_id):
    access.attach_scope(request.user)
    try:
        view = queues.visible_view(request.user, view_id, queues.my_group_ids(request.user))
    except NotFound as error:
        raise Http404(error.message) from None
    filters = queues.QueueFilters.from_json(view.filters)
    return _render_queue(
        request, agent, filters=filters, order=view.order, title=view.name, view=view
    )


@agent_required
def edit_view(request, agent, view_id=None):
    """Create a view (no ``view_id``) or change one of one's own."""
    group_ids = queues.my_group_ids(request.user)
    view = None
    if view_id is not None:
        try:
            view = queues.visible_view(request.user, view_id, group_ids)
        except NotFound as error:
            raise Http404(error.message) from None
        if view.owner_id != request.user.pk:
            raise Http404  # a shared view is changed only by its owner
    initial = ViewForm.initial_of(view) if view else {"order": "sla"}
    form = ViewForm(request.POST or None, initial=initial, user=request.user, group_ids=group_ids)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        shared = (
            Group.objects.filter(pk=data["shared_with"]).first() if data["shared_with"] else None
        )
        fields = dict(
            name=data["name"], filters=form.filters(), order=data["order"], shared_with=shared
        )
        try:
            if view is None:
                view = services.create_view(request.user, **fields)
            else:
                view = services.change_view(request.user, view.pk, **fields)
        except InvalidInput as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            return redirect("workspace:view", view_id=view.pk)
    context = {"agent": agent, "form": form, "view": view}
    return render(
        request, "workspace/queues/view_form.html", context, status=422 if form.errors else 200
    )


@require_POST
@agent_required
def delete_view(request, agent, view_id):
    try:
        services.delete_view(request.user, view_id)
    except NotFound as error:
        raise Http404(error.message) from None
    messages.success(request, _("The view is deleted."))
    return redirect("workspace:queue", name="groups")


@require_POST
@agent_required
def bulk(request, agent):
    form = BulkForm(request.POST)
    if not form.is_valid():
        return render(
            request, "workspace/queues/bulk_result.html", {"agent": agent, "form": form}, status=422
        )
    data = form.cleaned_data
    action = data["action"]
    value = {
        "priority": data["priority"],
        "status": data["status"],
        "owner": data["owner"],
        "tag": data["tag"],
        "merge": data["into"],
    }[action]
    outcomes = services.bulk_change(
        request.user, action, data["selected"], value=value, reason=data["reason"]
    )
    context = {
        "agent": agent,
        "form": form,
        "done": [o for o in outcomes if o.done],
        "refused": [o for o in outcomes if not o.done],
        "back": safe_next(request, data["next"]),
    }
    return render(request, "workspace/queues/bulk_result.html", context)


@require_POST
@agent_required
def shortcuts(request, agent):
    enabled = request.POST.get("enabled") == "on"
    services.set_keyboard_shortcuts(request.user, enabled)
    back = safe_next(request, request.POST.get("next"))
    return redirect(back) if back else redirect("workspace:queue", name="groups")


# --- requests for help ----------------------------------------------------------------------


@agent_required
def swarm_requests(request, agent):
    """The requests for help this agent was asked to and has not answered: the ticket's number,
    subject and priority, who asks and why, with Join and Decline. Not a ticket queue: the
    tickets enter the agent's scope only when they join."""
    context = {"agent": agent, "requests": escalations.swarm_requests_for(request.user)}
    return render(request, "workspace/queues/swarm_requests.html", context)


@require_POST
@agent_required
def answer_swarm(request, agent, swarm_id):
    """Join (then open the ticket, now in scope) or decline a request for help."""
    form = SwarmAnswerForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest(_("Join or decline."))
    try:
        if form.cleaned_data["answer"] == "join":
            swarm = tickets.join_swarm(swarm_id, agent=request.user)
        else:
            tickets.decline_swarm(swarm_id, agent=request.user)
    except NotFound as error:
        raise Http404(error.message) from None
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("workspace:swarm_requests")
    if form.cleaned_data["answer"] == "join":
        messages.success(request, _("You joined; the owner is told."))
        return redirect("workspace:ticket", swarm.ticket_id)
    messages.success(request, _("Declined."))
    return redirect("workspace:swarm_requests")


@require_POST
@agent_required
def take_next(request, agent):
    """The most urgent unowned ticket of the agent's groups becomes theirs, and opens."""
    back = safe_next(request, request.POST.get("next")) or "workspace:home"
    try:
        taken = taking.take_next(request.user)
    except Conflict as refusal:
        messages.error(request, refusal.message)
        return redirect(back)
    if taken is None:
        messages.info(request, _("No unowned ticket is waiting in your groups."))
        return redirect(back)
    messages.success(request, _("Ticket #%(number)s is yours now.") % {"number": taken.number})
    return redirect("workspace:ticket", taken.pk)
