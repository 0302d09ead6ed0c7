"""An email reply's delivery state on the ticket page, and undo send. The ticket goes through
the access layer first: one outside the agent's scope answers 404 like a missing one."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from sampark.core.errors import DomainError, NotFound
from sampark.mail import queries

from .services import undo_send as services
from .ticket_views import _visible
from .views import agent_required

TEMPLATE = "workspace/ticket/_delivery.html"


@require_GET
@agent_required
def delivery(request, agent, ticket_id: int, outbound_id: int):
    """The state again (htmx asks while it may still change)."""
    found = _visible(request.user, ticket_id)
    state = queries.delivery(found.pk, outbound_id)
    if state is None:
        raise Http404(_("No such message."))
    return render(request, TEMPLATE, {"delivery": state})


@require_POST
@agent_required
def undo_send(request, agent, ticket_id: int, outbound_id: int):
    """Take the reply back; its text goes back to the agent's draft, and the page shows it in
    the composer."""
    found = _visible(request.user, ticket_id)
    try:
        services.take_back(request.user, found.pk, outbound_id)
    except NotFound as missing:
        raise Http404(missing.message) from None
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The reply was taken back; its text is in the composer."))
    url = reverse("workspace:ticket", args=[found.pk]) + "#composer"
    if getattr(request, "htmx", False):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)
