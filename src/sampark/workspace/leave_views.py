"""The leave page: an agent records their leave and who stands in; supervisors and admins
record and end anyone's. The rules (who may, overlaps, handing over) are the assignment
services'; a refusal comes back as an error on the field it names."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from sampark.assignment.models import Leave
from sampark.assignment.services import leave as leaves
from sampark.core.errors import DomainError, NotFound

from .leave_forms import LeaveForm
from .views import agent_required

CURRENT = (Leave.State.PLANNED, Leave.State.ON_LEAVE)


@agent_required
def leave_page(request, agent):
    form = LeaveForm(request.POST or None, agent=agent)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            leaves.record_leave(
                data.get("agent") or request.user,
                delegate=data["delegate"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                return_customers=data["return_customers"],
                note=data["note"],
                actor=request.user,
            )
        except DomainError as refusal:
            form.add_error(refusal.field if refusal.field in form.fields else None, refusal.message)
        else:
            messages.success(request, _("The leave is recorded."))
            return redirect("workspace:leave")
    rows = leaves.visible_leaves(request.user).order_by("starts_on", "id")
    context = {
        "agent": agent,
        "form": form,
        "current": [row for row in rows.filter(state__in=CURRENT)[:200]],
        "past": list(rows.exclude(state__in=CURRENT).order_by("-ends_on", "-id")[:20]),
    }
    status = 422 if request.method == "POST" else 200
    return render(request, "workspace/leave.html", context, status=status)


@require_POST
@agent_required
def end_leave(request, agent, leave_id):
    try:
        found = leaves.leave_for(request.user, leave_id)
        planned = found.state == Leave.State.PLANNED
        back = leaves.end_leave(found, actor=request.user)
    except NotFound:
        raise Http404 from None
    except DomainError as refusal:
        messages.error(request, refusal.message)
        return redirect("workspace:leave")
    if planned:
        messages.success(request, _("The leave is cancelled."))
    else:
        messages.success(
            request,
            ngettext(
                "The leave has ended; %(n)d ticket came back.",
                "The leave has ended; %(n)d tickets came back.",
                back,
            )
            % {"n": back},
        )
    return redirect("workspace:leave")
