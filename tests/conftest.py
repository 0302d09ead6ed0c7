"""Shared factories. Tests build the people they need (an owner, a teammate, a supervisor, an
admin, an outsider) through the same services the product uses."""

import itertools
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection
from django.test import Client
from django.utils import translation

from sampark.customers.services import RequesterDetails, find_or_create_contact
from sampark.team.models import AgentProfile, Group
from sampark.team.services import create_agent, issue_token, save_group, set_presence
from sampark.tickets import services as tickets

_seq = itertools.count(1)


@pytest.fixture(autouse=True)
def fresh_caches():
    """Schedules are cached per calendar revision. A rolled-back test hands its ids and
    revisions to the next test's rows, so every test starts with empty caches. (Configuration
    cached per generation needs no clearing: a generation is never used twice.) Rate-limit
    counts in the database roll back with the test; on SQLite they live in a file of their
    own (sampark.api.ratelimit), which is emptied."""
    from django.core.cache import cache

    from sampark.api import ratelimit
    from sampark.calendars import services as calendars

    def clear():
        calendars._schedules.clear()
        cache.clear()
        if isinstance(ratelimit._store, ratelimit.SQLiteFileWindows):
            ratelimit._store.forget_all()

    clear()
    yield
    clear()


@pytest.fixture(autouse=True)
def default_language():
    """Every test starts in the default language. A request in Hindi leaves Hindi active in
    the thread, and what a later test stores (an ingested message's reason, a CLI line) would
    be Hindi: test_mail_ingest.py failed after test_workspace_home.py's Hindi page."""
    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture
def make_group(db):
    def make(name=None, tier="L1", **fields):
        return save_group(name=name or f"Group {next(_seq)}", tier=tier, **fields)

    return make


@pytest.fixture
def make_agent(db):
    def make(email=None, role=AgentProfile.Role.AGENT, tier="L1", groups=(), **fields):
        """``presence="online"`` for an agent at work, whom new tickets may reach (new
        agents start offline)."""
        n = next(_seq)
        presence = fields.pop("presence", None)
        profile = create_agent(
            email=email or f"agent{n}@sampark.test",
            name=fields.pop("name", f"Agent {n}"),
            role=role,
            tier=tier,
            groups=list(groups),
            **fields,
        )
        if presence:
            set_presence(profile, presence)
        return profile.user

    return make


@pytest.fixture
def make_contact(db):
    def make(email=None, phone="", name="", language="en"):
        if email is None and not phone:
            email = f"customer{next(_seq)}@example.org"
        contact, _created = find_or_create_contact(
            RequesterDetails(name=name, email=email or "", phone=phone, language=language)
        )
        return contact

    return make


@pytest.fixture
def make_ticket(db, make_contact):
    def make(requester=None, subject="Printer does not print", **fields):
        return tickets.open_ticket(
            subject=subject,
            requester=requester or make_contact(),
            description=fields.pop("description", "It shows a paper jam light."),
            **fields,
        )

    return make


@pytest.fixture
def default_group(db):
    return Group.objects.get(is_default=True)


class ApiClient:
    """A Django test client that speaks JSON with a bearer token."""

    def __init__(self, token: str | None):
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def _call(self, method, path, json=None, raw=None, content_type="application/json", **extra):
        kwargs = {"headers": {**self.headers, **extra.pop("headers", {})}}
        if method in ("post", "patch", "put", "delete"):
            kwargs["content_type"] = content_type
            if raw is not None:
                kwargs["data"] = raw
            elif json is not None:
                kwargs["data"] = json
        elif json is not None:
            kwargs["data"] = json
        return getattr(self.client, method)(path, **kwargs, **extra)

    def get(self, path, params=None, **extra):
        return self._call("get", path, json=params, **extra)

    def post(self, path, json=None, **extra):
        return self._call("post", path, json=json, **extra)

    def patch(self, path, json=None, **extra):
        return self._call("patch", path, json=json, **extra)

    def put(self, path, json=None, **extra):
        return self._call("put", path, json=json, **extra)

    def delete(self, path, **extra):
        return self._call("delete", path, **extra)


@pytest.fixture
def api_as(db):
    """``api_as(user)``: an API client authenticated with a fresh token for ``user``."""

    def make(user):
        _token, secret = issue_token(user, name="test")
        return ApiClient(secret)

    return make


@pytest.fixture
def agent(make_agent, default_group):
    return make_agent(groups=[default_group])


@pytest.fixture
def api(api_as, agent):
    return api_as(agent)


@pytest.fixture
def shared_database_url(transactional_db) -> str:
    """The URL of this test's database, for another process (a second server, a worker) to
    open it as it would in production; the test's writes are committed for it to see."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{Path(db['NAME']).resolve()}"
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    host = quote(db["HOST"] or "localhost", safe="")  # a socket directory is percent-encoded
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgres://{credentials}@{host}{port}/{quote(db['NAME'], safe='')}"


@pytest.fixture
def fast_password_hashing(settings):
    """One cheap hasher, for tests that set and check many passwords: the real one is slow on
    purpose (a million PBKDF2 rounds), and what those tests check does not depend on it."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


WORKSPACE_PASSWORD = "rk7-Vq2n-Lm4x"  # noqa: S105 - a test account's password


@pytest.fixture
def signed_in(client, fast_password_hashing):
    """``signed_in(user)``: the test client, signed in to the workspace as ``user``."""

    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in
