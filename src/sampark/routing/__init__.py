"""Routing: ordered, admin-defined rules that decide where a new ticket goes (its group, the
skills it needs, its category, tags and priority) and record why.

``route(facts)`` is the one entry point (:mod:`sampark.routing.engine`); it is imported lazily
here so that the app package loads before the models do."""


def route(facts):
    from .engine import route as _route

    return _route(facts)
