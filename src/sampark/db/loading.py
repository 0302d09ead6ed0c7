"""Rows from the database into model instances, without ``Model.__init__``.

Django builds every loaded row by calling the model's constructor, which sends the ``pre_init``
and ``post_init`` signals and sets each field through its descriptor. A 50-ticket queue page
loads about 370 instances (tickets with their priority, requester, owner, group, clock and
collaborators), and those constructors were a fifth of the page's CPU; a customer timeline's
events, a third. A row read from the database needs none of that: its values are already
converted, so they go straight into the instance's ``__dict__``, which is what the constructor
leaves behind. Columns left out with ``only()``/``defer()`` stay absent, as Django expects of a
deferred field.

The fast path is taken only while no ``pre_init``/``post_init`` receiver is connected (none is in
Sampark); if one ever is, loading goes back to Django's own ``from_db``.
"""

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db.models import Model, signals
from django.db.models.base import ModelState

_django_from_db = Model.from_db.__func__


def load_from_db(cls, db, field_names, values):
    if signals.pre_init.receivers or signals.post_init.receivers:
        return _django_from_db(cls, db, field_names, values)
    new = cls.__new__(cls)
    new.__dict__.update(zip(field_names, values, strict=True))
    state = new._state = ModelState()
    state.adding = False
    state.db = db
    return new


def install() -> None:
    """Load Sampark's own models (with their many-to-many link tables), and the user model that
    every ticket's owner is, with :func:`load_from_db`. Run once the app registry is ready."""
    user = get_user_model()
    for model in apps.get_models(include_auto_created=True):
        if model.__module__.startswith("sampark.") or model is user:
            model.from_db = classmethod(load_from_db)
