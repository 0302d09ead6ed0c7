"""The mailbox screen (admins) and the page of mail that could not be taken in (supervisors and
admins).

Saving a mailbox tests first the servers whose settings changed (IMAP: log in and open the
folder; SMTP: connect and log in, nothing sent) and shows the server's own words instead of
saving when one fails. "Save without testing" is there for a server that is not up yet; the
poller then reports its error on the list. "Test connection" tests the settings as typed and
saves nothing."""

from functools import wraps

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sampark.core.errors import DomainError, InvalidInput, NotFound
from sampark.mail import queries
from sampark.mail.models import InboundMessage, Mailbox
from sampark.mail.services import attention as flagged
from sampark.mail.services import mailboxes as services

from .mailbox_forms import SERVERS, MailboxForm
from .views import agent_required

TEST_BUTTON = "_test"
TAKEN_IN = (
    InboundMessage.Outcome.CREATED,
    InboundMessage.Outcome.APPENDED,
    InboundMessage.Outcome.FOLLOW_UP,
)


def _refuse_unless(allowed, refusal: str):
    """A view for admins (or supervisors) only; everyone else gets the 403 page saying who
    may, as the coordinator board does."""

    def decorate(view):
        @wraps(view)
        @agent_required
        def wrapped(request, agent, *args, **kwargs):
            if not allowed(agent):
                context = {"agent": agent, "refusal": refusal}
                return render(request, "workspace/mailboxes/refused.html", context, status=403)
            return view(request, agent, *args, **kwargs)

        return wrapped

    return decorate


admin_required = _refuse_unless(lambda agent: agent.is_admin, "admins")
supervisor_required = _refuse_unless(lambda agent: agent.is_supervisor, "supervisors")


def _mailbox(mailbox_id: int | None) -> Mailbox | None:
    if mailbox_id is None:
        return None
    if (mailbox := queries.mailbox_by_id(mailbox_id)) is None:
        raise Http404
    return mailbox


@admin_required
def mailbox_list(request, agent):
    context = {"agent": agent, "mailboxes": list(queries.mailboxes())}
    return render(request, "workspace/mailboxes/list.html", context)


@admin_required
def mailbox_edit(request, agent, mailbox_id=None):
    mailbox = _mailbox(mailbox_id)
    form = MailboxForm(request.POST or None, instance=mailbox or Mailbox())
    checks = {}
    if request.method == "POST" and form.is_valid():
        testing = TEST_BUTTON in request.POST
        saved, checks = _test_then_save(form, mailbox, testing=testing)
        if saved is not None:
            messages.success(
                request, _("The mailbox %(address)s is saved.") % {"address": saved.address}
            )
            return redirect("workspace:mailboxes")
    # A full page shows its errors with 200 (the browser renders it as any page); htmx gets
    # 422, which it does not swap unless told to.
    status = 422 if form.errors and request.htmx else 200
    context = {"agent": agent, "form": form, "mailbox": mailbox, "checks": checks}
    context["test_button"] = TEST_BUTTON
    return render(request, "workspace/mailboxes/edit.html", context, status=status)


def _test_then_save(form: MailboxForm, mailbox: Mailbox | None, *, testing: bool):
    """Test the servers (all of them when ``testing``, else those changed unless the form
    says not to), then save unless testing or a server failed. Returns the saved mailbox (or
    None) and what each server tested answered."""
    fields = form.service_fields()
    try:
        cleaned = services.clean_mailbox(fields, mailbox)
        servers = SERVERS if testing else form.servers_changed()
        if form.cleaned_data["skip_test"] and not testing:
            servers = ()
        checks = services.check_servers(services.draft(mailbox, cleaned), only=servers)
        for kind, problem in checks.items():
            if problem:
                form.add_error(f"{kind}_host", problem)
        if testing or form.errors:
            return None, checks
        return services.save_mailbox(mailbox, **fields), checks
    except DomainError as refusal:
        form.add_error(refusal.field if refusal.field in form.fields else None, refusal.message)
        return None, {}


@admin_required
def mailbox_delete(request, agent, mailbox_id):
    mailbox = _mailbox(mailbox_id)
    if request.method == "POST":
        try:
            services.delete_mailbox(mailbox)
        except DomainError as refusal:
            messages.error(request, refusal.message)
            return redirect("workspace:mailbox", mailbox.pk)
        messages.success(
            request, _("The mailbox %(address)s is deleted.") % {"address": mailbox.address}
        )
        return redirect("workspace:mailboxes")
    context = {"agent": agent, "mailbox": mailbox}
    return render(request, "workspace/mailboxes/delete.html", context)


@supervisor_required
def attention(request, agent):
    try:
        page = queries.needing_attention(request.GET.get("after") or None)
    except InvalidInput:
        page = queries.needing_attention()
    context = {"agent": agent, "page": page}
    return render(request, "workspace/mailboxes/attention.html", context)


@supervisor_required
def original(request, agent, inbound_id):
    """The message as it arrived, to download (never shown inline: it is the sender's)."""
    record = queries.flagged_message(inbound_id)
    if record is None:
        raise Http404
    try:
        stored = flagged.raw_bytes(record)
    except DomainError:
        raise Http404 from None
    response = HttpResponse(stored, content_type="message/rfc822")
    response["Content-Disposition"] = content_disposition_header(True, f"message-{record.pk}.eml")
    return response


@require_POST
@supervisor_required
def retry(request, agent, inbound_id):
    try:
        result = flagged.retry_inbound(inbound_id, actor=request.user)
    except NotFound:
        raise Http404 from None
    except DomainError as refusal:
        messages.error(request, refusal.message)
        return redirect("workspace:mail_attention")
    if result.outcome in TAKEN_IN:
        messages.success(
            request,
            _("The message is taken in: ticket #%(number)d.") % {"number": result.ticket_number},
        )
    elif result.outcome in (InboundMessage.Outcome.REJECTED, InboundMessage.Outcome.FAILED):
        messages.error(
            request,
            _("The message still cannot be taken in: %(reason)s") % {"reason": result.reason},
        )
    else:
        messages.success(request, _("The message is taken in."))
    return redirect("workspace:mail_attention")


@require_POST
@supervisor_required
def dismiss(request, agent, inbound_id):
    try:
        flagged.dismiss_inbound(inbound_id, actor=request.user)
    except NotFound:
        raise Http404 from None
    messages.success(request, _("The message is dismissed."))
    return redirect("workspace:mail_attention")
