"""Email on the ticket page: the original of a received email, its raw bytes, and the files of
a ticket. Each view finds the ticket through the access layer first (``ticket_views._visible``):
a ticket the agent may not see, an email or a file of another ticket, and a missing one all
answer the same 404."""

from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import render

from sampark.core.errors import NotFound

from . import mail_queries as queries
from .ticket_views import _visible
from .views import agent_required

# The original's page: our own scripts and styles only; images from us (the email's own
# inline images, through the download view) and data: URIs; no remote load of any kind. The
# sandboxed frame with the email's HTML inherits it, so a remote image (a tracking pixel)
# stays blocked unless the agent asks for remote images.
POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src {images}; font-src 'self'; connect-src 'self'; frame-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


def _found(call, *args, **kwargs):
    try:
        return call(*args, **kwargs)
    except NotFound:
        raise Http404() from None


@agent_required
def original(request, agent, ticket_id: int, mail_id: int):
    ticket = _visible(request.user, ticket_id)
    remote = request.GET.get("images") == "remote"
    shown = _found(queries.original, ticket, mail_id, remote_images=remote)
    context = {"agent": agent, "ticket": ticket, "original": shown, "remote_images": remote}
    response = render(request, "workspace/ticket/original.html", context)
    images = "'self' data: https:" if remote else "'self' data:"
    response["Content-Security-Policy"] = POLICY.format(images=images)
    response["Referrer-Policy"] = "no-referrer"
    return response


@agent_required
def raw(request, agent, ticket_id: int, mail_id: int):
    """The email's bytes as they came, to open in a mail program."""
    ticket = _visible(request.user, ticket_id)
    inbound = _found(queries.inbound_of, ticket, mail_id)
    response = HttpResponse(queries.read_raw(inbound), content_type="message/rfc822")
    response["Content-Disposition"] = f'attachment; filename="ticket-{ticket.number}-{mail_id}.eml"'
    return response


@agent_required
def attachment(request, agent, ticket_id: int, attachment_id: int):
    """A file of the ticket, as the type its bytes were found to be, and always saved rather
    than opened, but for an image that shows in place."""
    ticket = _visible(request.user, ticket_id)
    found = _found(queries.attachment_of, ticket, attachment_id)
    inline = queries.shows_inline(found)
    response = FileResponse(
        found.file.open("rb"),
        as_attachment=not inline,
        filename=found.filename,
        content_type=found.content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, max-age=3600"
    return response
