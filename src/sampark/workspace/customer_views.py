"""The contact and organization pages, and merging two contacts.

Customer records are open to every agent, as in the API; the tickets on these pages are only
those the agent may see (``customer_queries``). A contact merged into another answers with
the one that stayed. Merging is for supervisors and admins, as in the API
(``team.permissions.can_merge_contacts``), and goes through the contact-merge workflow."""

from django.contrib import messages
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from sampark.core.errors import DomainError, InvalidInput, NotFound
from sampark.team.permissions import can_merge_contacts
from sampark.tickets import access
from sampark.workflows.contact_merge import merge_contacts

from . import customer_forms as forms
from . import customer_queries as queries
from .views import agent_required

CONTACT = "workspace/customers/contact.html"
ORGANIZATION = "workspace/customers/organization.html"
MERGE = "workspace/customers/merge.html"


def _found(lookup, pk: int):
    try:
        return lookup(pk)
    except NotFound as missing:
        raise Http404(missing.message) from None


def _bad_link(message: str | None = None):
    return HttpResponseBadRequest(message or _("The page link is not valid."))


def _to_survivor(request, merged, name: str = "workspace:contact"):
    """A contact merged away: on to the contact that stayed, saying so."""
    messages.info(
        request,
        _("%(name)s was merged into this contact; everything about them is here.")
        % {"name": merged.name},
    )
    return redirect(name, queries.survivor_id(merged))


# --- the contact ----------------------------------------------------------------------------


@require_GET
@agent_required
def contact(request, agent, contact_id: int):
    form = forms.ContactPageForm(request.GET)
    if not form.is_valid():
        return _bad_link()
    found = _found(queries.get_contact, contact_id)
    if found.merged_into_id:
        return _to_survivor(request, found)
    user, cursors = request.user, form.cleaned_data
    access.attach_scope(user)  # worked out once for every list on the page
    try:
        context = {
            "agent": agent,
            "contact": found,
            "identities": queries.identities_of(found),
            "assets": queries.assets_of_contact(user, found),
            "counts": queries.ticket_counts(user, requester_id=found.pk),
            "tickets": queries.tickets_of_contact(user, found, cursors["tickets"] or None),
            "timeline": queries.interactions(user, found, cursors["cursor"] or None),
            "merges": queries.merges_into(found),
            "may_merge": can_merge_contacts(user),
            "merge_search": forms.MergeSearchForm(),
        }
    except InvalidInput as error:
        return _bad_link(error.message)
    return render(request, CONTACT, context)


@require_GET
@agent_required
def older_interactions(request, agent, contact_id: int):
    """The interactions before a cursor: the "Show older" of the contact page, for htmx."""
    form = forms.ContactPageForm(request.GET)
    if not form.is_valid():
        return _bad_link()
    found = _found(queries.get_contact, contact_id)
    access.attach_scope(request.user)
    try:
        page = queries.interactions(request.user, found, form.cleaned_data["cursor"] or None)
    except InvalidInput as error:
        return _bad_link(error.message)
    return render(request, f"{CONTACT}#older", {"contact": found, "timeline": page})


# --- merging two contacts -------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@agent_required
def merge(request, agent, contact_id: int):
    """Find the other contact (GET ``q``), choose them (GET ``other``), confirm which of the
    two stays (POST)."""
    found = _found(queries.get_contact, contact_id)
    if not can_merge_contacts(request.user):
        context = {"agent": agent, "contact": found, "refused": True}
        return render(request, MERGE, context, status=403)
    if found.merged_into_id:
        return _to_survivor(request, found, "workspace:contact_merge")
    if request.method == "POST":
        return _confirmed_merge(request, agent, found)
    queries.attach_identities([found])
    search = forms.MergeSearchForm(request.GET)
    context = {"agent": agent, "contact": found, "search": search}
    if not search.is_valid():
        return render(request, MERGE, context, status=400)
    if other_id := search.cleaned_data["other"]:
        context["other"] = _found(lambda pk: queries.merge_partner(found, pk), other_id)
        context["form"] = forms.MergeForm(initial={"other": other_id, "keep": "this"})
    elif search.cleaned_data["q"]:
        context["searched"] = True
        context["candidates"] = queries.merge_candidates(found, search.cleaned_data["q"])
    return render(request, MERGE, context)


def _confirmed_merge(request, agent, found):
    queries.attach_identities([found])
    form = forms.MergeForm(request.POST)
    context = {"agent": agent, "contact": found, "search": forms.MergeSearchForm(), "form": form}
    if not form.is_valid():
        return render(request, MERGE, context, status=400)
    try:
        other = queries.merge_partner(found, form.cleaned_data["other"])
    except NotFound as missing:
        form.add_error("other", missing.message)
        return render(request, MERGE, context, status=422)
    context["other"] = other
    keep_other = form.cleaned_data["keep"] == forms.MergeForm.KEEP_OTHER
    source, target = (found, other) if keep_other else (other, found)
    try:
        merge_contacts(source, target, actor=request.user)
    except DomainError as error:
        form.add_error(None, error.message)
        return render(request, MERGE, context, status=error.status)
    messages.success(
        request,
        _("%(source)s is merged into %(target)s: their tickets, identities and assets are here.")
        % {"source": source.name, "target": target.name},
    )
    return redirect("workspace:contact", target.pk)


# --- the organization -----------------------------------------------------------------------


@require_GET
@agent_required
def organization(request, agent, organization_id: int):
    form = forms.OrganizationPageForm(request.GET)
    if not form.is_valid():
        return _bad_link()
    found = _found(queries.get_organization, organization_id)
    user, given = request.user, form.cleaned_data
    show = given["show"] or "open"
    access.attach_scope(user)
    try:
        context = {
            "agent": agent,
            "organization": found,
            "show": show,
            "counts": queries.ticket_counts(user, organization_id=found.pk),
            "tickets": queries.tickets_of_organization(
                user, found, active_only=show == "open", cursor=given["tickets"] or None
            ),
            "contacts": queries.contacts_of(user, found, given["contacts"] or None),
            "assets": queries.assets_of_organization(found, given["assets"] or None),
        }
    except InvalidInput as error:
        return _bad_link(error.message)
    return render(request, ORGANIZATION, context)
