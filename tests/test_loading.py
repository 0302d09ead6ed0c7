"""sampark.db.loading: loaded rows become the same instances Django's constructor would make."""

import pytest
from django.contrib.auth import get_user_model
from django.db.models import Model, signals

from sampark.customers.models import Contact
from sampark.db.loading import load_from_db
from sampark.tickets.models import Ticket

pytestmark = pytest.mark.django_db


def django_loaded(model, pk, **only):
    """The row as Django's own ``from_db`` builds it, for comparison."""
    model.from_db = classmethod(Model.from_db.__func__)
    try:
        query = model.objects.filter(pk=pk)
        return (query.only(*only["fields"]) if only else query).get()
    finally:
        model.from_db = classmethod(load_from_db)


def fields(instance) -> dict:
    return {k: v for k, v in vars(instance).items() if k != "_state"}


def test_sampark_models_and_the_user_model_load_without_the_constructor():
    assert Ticket.from_db.__func__ is load_from_db
    assert Ticket.collaborators.through.from_db.__func__ is load_from_db
    assert get_user_model().from_db.__func__ is load_from_db


def test_a_loaded_ticket_matches_what_the_constructor_builds(make_ticket):
    ticket = make_ticket(subject="प्रिंटर बंद है", tags=["पुणे"])

    ours = Ticket.objects.get(pk=ticket.pk)
    theirs = django_loaded(Ticket, ticket.pk)

    assert fields(ours) == fields(theirs)
    assert ours._state.adding is False and ours._state.db == "default"
    assert ours.subject == "प्रिंटर बंद है" and ours.created_at == ticket.created_at
    assert ours.get_deferred_fields() == set()


def test_columns_left_out_stay_deferred_and_load_on_use(make_ticket):
    ticket = make_ticket(description="Toner khatam ho gaya")

    ours = Ticket.objects.only("subject").get(pk=ticket.pk)
    theirs = django_loaded(Ticket, ticket.pk, fields=["subject"])

    assert ours.get_deferred_fields() == theirs.get_deferred_fields()
    assert "description" in ours.get_deferred_fields()
    assert ours.description == "Toner khatam ho gaya"  # fetched on first use, as Django does


def test_joined_rows_are_cached_on_the_instance(make_ticket):
    ticket = make_ticket()

    ours = Ticket.objects.select_related("requester", "priority").get(pk=ticket.pk)

    assert Ticket.requester.is_cached(ours) and Ticket.priority.is_cached(ours)
    assert ours.requester.pk == ticket.requester_id
    assert ours.requester._state.adding is False


def test_a_loaded_instance_saves_as_an_update_not_an_insert():
    contact = Contact.objects.create(name="Asha")

    loaded = Contact.objects.get(pk=contact.pk)
    loaded.name = "आशा"
    loaded.save()

    assert Contact.objects.count() == 1
    assert Contact.objects.get(pk=contact.pk).name == "आशा"


def test_a_post_init_receiver_gets_the_constructor_back():
    contact = Contact.objects.create(name="Ravi")
    seen = []

    def receiver(sender, instance, **kwargs):
        seen.append(instance)

    signals.post_init.connect(receiver, sender=Contact)
    try:
        loaded = Contact.objects.get(pk=contact.pk)
    finally:
        signals.post_init.disconnect(receiver, sender=Contact)

    assert seen == [loaded]
