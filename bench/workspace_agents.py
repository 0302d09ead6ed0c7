"""Agents of the workspace over HTTP, for the benchmarks of the workspace (issue 18):
preparing a data set, the server with a timing header, signing in, cookies, forms and
percentiles. ``bench.workspace_pages`` and ``bench.workspace_capacity`` are built on it.

**It writes to the database**, so it runs on a copy of a data set made by ``bench.generate``,
never on the original: ``--copy-from`` makes the copy (see :func:`copy_data_set`).
:func:`prepare` then, once per database (its choices are kept in
``$SAMPARK_HOME/workspace-bench.json``):

- migrates, and on SQLite measures the tables again (``ANALYZE``) when a migration left an
  index without planner statistics, as ``bench.generate`` leaves a fresh data set;
- chooses the accounts: an agent with the ``groups`` scope in the biggest group (the queue
  page), a supervisor (the coordinator board), and every active agent and supervisor with the
  ``groups`` scope (the pool the capacity test signs in with);
- gives those accounts the password :data:`PASSWORD` (``bench.generate`` creates agents
  without a usable password, as an admin would before sending the set-password email): one
  hash, written to their rows directly;
- brings ``tickets`` active tickets of the biggest group to at least ``events`` events with
  internal notes written through the ticket services, as that agent (``bench.ticket_page``
  does the same), so that their pages show a full timeline of 50.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import sys
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlsplit

from bench.loadgen import LeanClient, LeanResponse, ServerProcess, percentile

PASSWORD = "wsbench-agent-password"  # noqa: S105 - set on a copy of a benchmark data set only
STATE_FILE = "workspace-bench.json"
HEALTH_TIMEOUT = 600.0  # the first start may migrate a large database
TICKET_LINK = re.compile(r'class="ticket-link" href="(/tickets/(\d+)/)"')
TIMELINE_EVENT = '<li class="event '


# --- the data set ---------------------------------------------------------------------------


def sampark_home() -> Path:
    home = os.environ.get("SAMPARK_HOME")
    if not home:
        raise SystemExit("Set SAMPARK_HOME to a copy of a data set made by bench.generate.")
    return Path(home)


def copy_data_set(source: Path | None, home: Path, template_database: str | None) -> None:
    """Make ``home`` a copy of the data set at ``source`` when it does not exist yet: the whole
    directory (the SQLite file, its rate-limit counts, bench.json, the secret key). On
    PostgreSQL (``SAMPARK_DATABASE_URL`` set) the database the URL names is created from
    ``template_database`` when it does not exist; the template must have no other sessions."""
    if source is not None and not home.exists():
        print(f"copying {source} to {home}")
        shutil.copytree(source, home, symlinks=True)
    if template_database:
        _copy_database(template_database)


def _copy_database(template: str) -> None:
    import psycopg
    from psycopg import sql

    url = os.environ.get("SAMPARK_DATABASE_URL", "")
    if not url:
        raise SystemExit("--copy-from-database needs SAMPARK_DATABASE_URL (the copy's URL)")
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if name == template:
        raise SystemExit("SAMPARK_DATABASE_URL must name the copy, not the template")
    maintenance = parts._replace(path="/postgres").geturl()
    with psycopg.connect(maintenance, autocommit=True) as connection:
        found = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if found.fetchone() is None:
            print(f"creating database {name} from {template}")
            connection.execute(
                sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                    sql.Identifier(name), sql.Identifier(template)
                )
            )


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sampark.settings")
    import django

    django.setup()


def _database_label() -> str:
    from django.db import connection

    return f"{connection.vendor}:{connection.settings_dict['NAME']}"


def _measure_unmeasured_indexes() -> list[str]:
    """On SQLite, ANALYZE the tables that have planner statistics for some of their indexes
    but none for others (an index a migration added later); the table names."""
    from django.db import connection

    if connection.vendor != "sqlite":
        return []
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")
        if cursor.fetchone() is None:
            return []
        cursor.execute("SELECT DISTINCT tbl FROM sqlite_stat1 WHERE idx IS NOT NULL")
        measured = [row[0] for row in cursor.fetchall()]
        stale = []
        for table in measured:
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = %s "
                "AND name NOT IN (SELECT idx FROM sqlite_stat1 WHERE tbl = %s AND idx IS NOT NULL)",
                [table, table],
            )
            if cursor.fetchall():
                stale.append(table)
        for table in stale:
            cursor.execute(f'ANALYZE "{table}"')
    return stale


def choose_accounts(big_group_id: int) -> dict:
    """The queue page's agent (``groups`` scope, in the biggest group), the board's supervisor
    and the pool of agents who sign in for the capacity test, as emails."""
    from sampark.team.models import AgentProfile

    with_groups = (
        AgentProfile.objects.filter(
            ticket_access=AgentProfile.TicketAccess.GROUPS, user__is_active=True
        )
        .select_related("user")
        .order_by("user_id")
    )
    agents = with_groups.filter(role=AgentProfile.Role.AGENT)
    queue_agent = agents.filter(groups=big_group_id).first() or agents.first()
    supervisors = AgentProfile.objects.filter(
        role=AgentProfile.Role.SUPERVISOR, user__is_active=True
    ).select_related("user")
    supervisor = (
        supervisors.filter(groups=big_group_id).order_by("user_id").first()
        or supervisors.order_by("user_id").first()
    )
    if queue_agent is None or supervisor is None:
        raise SystemExit("the data set has no agent with the groups scope, or no supervisor")
    pool = [
        profile.user.email
        for profile in with_groups.filter(
            role__in=[AgentProfile.Role.AGENT, AgentProfile.Role.SUPERVISOR]
        )
    ]
    return {
        "queue_agent": queue_agent.user.email,
        "supervisor": supervisor.user.email,
        "pool": pool,
    }


def set_passwords(emails: list[str], password: str = PASSWORD) -> int:
    """Give these accounts ``password`` (one hash for all of them); how many were changed."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password

    return (
        get_user_model().objects.filter(email__in=emails).update(password=make_password(password))
    )


def fill_timelines(agent_email: str, group_id: int, *, tickets: int, events: int) -> list[int]:
    """Active tickets of ``group_id`` (the oldest first), each brought to at least ``events``
    events with internal notes written through the ticket services as the agent; their ids."""
    from django.contrib.auth import get_user_model
    from django.db.models import Count

    from sampark.tickets import services as ticket_services
    from sampark.tickets.models import Ticket, TicketEvent

    agent = get_user_model().objects.get(email=agent_email)
    ids = list(
        Ticket.objects.filter(group_id=group_id, status__in=["new", "open"])
        .order_by("pk")
        .values_list("pk", flat=True)[:tickets]
    )
    counts = dict(
        TicketEvent.objects.filter(ticket_id__in=ids)
        .values("ticket_id")
        .annotate(n=Count("pk"))
        .values_list("ticket_id", "n")
    )
    for pk in ids:
        for n in range(max(0, events - counts.get(pk, 0))):
            ticket_services.add_message(
                pk, body=f"bench note {n}: नोट {n}", public=False, agent=agent
            )
    return ids


def prepare(home: Path, *, tickets: int = 10, events: int = 60) -> dict:
    """The data set made ready once (see the module's docstring); the choices, also kept in
    ``$SAMPARK_HOME/workspace-bench.json``."""
    _setup_django()
    from django.core.management import call_command
    from django.db import connection

    state_path = home / STATE_FILE
    database = _database_label()
    if state_path.exists():
        state = json.loads(state_path.read_text())
        if state.get("database") == database and len(state.get("ticket_ids", [])) >= tickets:
            return state
    bench = json.loads((home / "bench.json").read_text())
    print(f"preparing {database} (writes to it: use a copy of the data set)")
    call_command("migrate", interactive=False, verbosity=0)
    if measured := _measure_unmeasured_indexes():
        print(f"  measured again for the planner: {', '.join(measured)}")
    accounts = choose_accounts(bench.get("big_group_id") or bench["group_ids"][0])
    emails = sorted({accounts["queue_agent"], accounts["supervisor"], *accounts["pool"]})
    set_passwords(emails)
    print(f"  {len(emails)} accounts now sign in with the benchmark's password")
    group_id = bench.get("big_group_id") or bench["group_ids"][0]
    ids = fill_timelines(accounts["queue_agent"], group_id, tickets=tickets, events=events)
    print(f"  {len(ids)} tickets of group {group_id} have at least {events} events")
    state = {
        "database": database,
        "backend": connection.vendor,
        "tickets": bench.get("tickets"),
        "password": PASSWORD,
        **accounts,
        "ticket_ids": ids,
    }
    state_path.write_text(json.dumps(state, indent=1))
    state_path.chmod(0o600)
    return state


def release_database() -> None:
    """Close this process's connections once it is done preparing, before the load starts:
    the server's processes have the database to themselves."""
    from django.db import connections

    connections.close_all()


# --- the server -----------------------------------------------------------------------------


def sampark_command() -> list[str]:
    script = Path(sys.executable).with_name("sampark")
    return [str(script)] if script.exists() else [sys.executable, "-m", "sampark.cli"]


class Server(ServerProcess):
    """``sampark serve`` on a free loopback port. With ``timed`` it runs with
    ``bench.timed_settings``: Sampark's settings plus a ``Server-Timing`` header saying how
    long Django spent on each request (wall clock and the thread's CPU), outside the time the
    request waited for the process's view thread."""

    def __init__(self, *, port: int, workers: int, timed: bool, log_path: Path, extra=()):
        self.port = port
        command = [
            *sampark_command(),
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--no-access-log",
            *extra,
        ]
        env = dict(os.environ)
        if timed:
            root = str(Path(__file__).resolve().parents[1])
            env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
            env["DJANGO_SETTINGS_MODULE"] = "bench.timed_settings"
        super().__init__(
            command,
            name="the server",
            base=f"http://127.0.0.1:{port}",
            log_path=log_path,
            env=env,
        )

    def wait_healthy(self, timeout: float = HEALTH_TIMEOUT) -> float:
        return self.wait_until_ok("/healthz", timeout)


def parse_server_timing(value: str) -> dict[str, float]:
    """``Server-Timing: app;dur=12.5, cpu;dur=11.0`` as ``{"app": 12.5, "cpu": 11.0}``
    (metrics without a duration are left out)."""
    found = {}
    for metric in value.split(","):
        name, *params = (part.strip() for part in metric.split(";"))
        for param in params:
            key, _, number = param.partition("=")
            if key.strip().lower() == "dur" and name:
                with contextlib.suppress(ValueError):
                    found[name] = float(number.strip().strip('"'))
    return found


# --- cookies and forms ----------------------------------------------------------------------


@dataclass
class CookieJar:
    """The cookies one browser keeps for one loopback server: a name and a value each (paths,
    domains and expiry dates do not matter there, except that a cookie set to expire is
    forgotten)."""

    values: dict[str, str] = field(default_factory=dict)

    def update(self, set_cookies: list[str]) -> None:
        for line in set_cookies:
            parsed = SimpleCookie()
            try:
                parsed.load(line)
            except Exception:  # noqa: BLE001, S112 - a cookie we cannot read is a cookie we skip
                continue
            for name, morsel in parsed.items():
                # Django forgets a cookie with max-age 0 and an expiry date in 1970.
                expired = morsel["max-age"] == "0" or "1970" in morsel["expires"]
                if expired:
                    self.values.pop(name, None)
                else:
                    self.values[name] = morsel.value

    def header(self) -> str:
        return "; ".join(f"{name}={value}" for name, value in self.values.items())

    def copy(self) -> CookieJar:
        return CookieJar(dict(self.values))


@dataclass
class Form:
    """What a browser would submit from one form: its action and its successful controls, in
    document order; ``options`` holds each radio group's and select's possible values."""

    action: str
    method: str
    fields: list[tuple[str, str]]
    options: dict[str, list[str]] = field(default_factory=dict)

    def value(self, name: str) -> str | None:
        return next((v for n, v in self.fields if n == name), None)

    def with_values(self, **values: str) -> list[tuple[str, str]]:
        """The fields with some values replaced (or added when the form has no such field)."""
        out = [(n, values.get(n, v)) for n, v in self.fields]
        present = {n for n, _ in self.fields}
        out.extend((n, v) for n, v in values.items() if n not in present)
        return out


class _FormParser(HTMLParser):
    """One form's successful controls, as HTML says a browser submits them: inputs with a
    name (checked ones only for radios and checkboxes; no buttons or files), each textarea's
    text, each select's selected option or else its first; disabled controls are left out."""

    def __init__(self, form_id: str | None, action_part: str | None):
        super().__init__(convert_charrefs=True)
        self.form_id, self.action_part = form_id, action_part
        self.form: Form | None = None
        self.inside = self.done = False
        self._textarea: tuple[str, list[str]] | None = None
        self._select: str | None = None  # the open select's name
        self._options: list[list] = []  # [value or None, selected, text pieces]
        self._option_open = False

    def _matches(self, attrs: dict) -> bool:
        if self.form_id is not None:
            return attrs.get("id") == self.form_id
        return self.action_part is None or self.action_part in (attrs.get("action") or "")

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if self.done:
            return
        if tag == "form" and not self.inside and self._matches(a):
            self.inside = True
            self.form = Form(a.get("action", ""), (a.get("method") or "get").lower(), [])
            return
        if not self.inside:
            return
        if tag == "option" and self._select is not None:
            self._options.append([a.get("value"), "selected" in a, []])
            self._option_open = True
            return
        name = a.get("name")
        if not name or "disabled" in a:
            return
        if tag == "input":
            kind = a.get("type", "text").lower()
            if kind in ("radio", "checkbox"):
                self.form.options.setdefault(name, []).append(a.get("value", "on"))
                if "checked" in a:
                    self.form.fields.append((name, a.get("value", "on")))
            elif kind not in ("submit", "button", "image", "reset", "file"):
                self.form.fields.append((name, a.get("value", "")))
        elif tag == "textarea":
            self._textarea = (name, [])
        elif tag == "select":
            self._select, self._options = name, []

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1].append(data)
        elif self._option_open and self._options:
            self._options[-1][2].append(data)

    def handle_endtag(self, tag):
        if not self.inside:
            return
        if tag == "textarea" and self._textarea is not None:
            name, pieces = self._textarea
            text = "".join(pieces)
            self.form.fields.append((name, text[1:] if text.startswith("\n") else text))
            self._textarea = None
        elif tag == "option":
            self._option_open = False
        elif tag == "select" and self._select is not None:
            values = [
                value if value is not None else "".join(text).strip()
                for value, _selected, text in self._options
            ]
            self.form.options[self._select] = values
            chosen = [v for v, option in zip(values, self._options, strict=True) if option[1]]
            if chosen:  # the last one selected, as a browser takes it
                self.form.fields.append((self._select, chosen[-1]))
            elif values:
                self.form.fields.append((self._select, values[0]))
            self._select, self._options, self._option_open = None, [], False
        elif tag == "form":
            self.inside, self.done = False, True


def scrape_form(html: str, *, form_id: str | None = None, action: str | None = None) -> Form:
    """The first form with this id (or whose action contains ``action``, or the first form)
    as a browser would submit it without anyone touching it; ValueError when there is none."""
    piece = html
    if form_id is not None:  # parse the form alone, not the whole page (forms do not nest)
        at = html.find(f'id="{form_id}"')
        if at >= 0:
            start = max(0, html.rfind("<form", 0, at))
            end = html.find("</form>", at)
            piece = html[start : end + len("</form>")] if end >= 0 else html[start:]
    parser = _FormParser(form_id, action)
    parser.feed(piece)
    parser.close()
    if parser.form is None:
        raise ValueError(f"no form {form_id or action or ''} in the page")
    return parser.form


def ticket_links(html: str) -> list[int]:
    """The ticket ids a queue page links to, in the page's order."""
    return [int(m.group(2)) for m in TICKET_LINK.finditer(html)]


def timeline_events(html: str) -> int:
    return html.count(TIMELINE_EVENT)


# --- signing in -----------------------------------------------------------------------------


class SignInFailed(RuntimeError):
    pass


async def sign_in(client: LeanClient, base: str, email: str, password: str) -> CookieJar:
    """Through the sign-in form, as a browser does: its CSRF cookie and token, then the post;
    the cookies of the signed-in session."""
    jar = CookieJar()
    page = await client.get(f"{base}/sign-in/")
    jar.update(page.set_cookies)
    if page.status_code != 200:
        raise SignInFailed(f"GET /sign-in/ answered {page.status_code}")
    form = scrape_form(page.text, action="/sign-in/")
    data = form.with_values(email=email, password=password)
    answer = await client.post(
        f"{base}{form.action or '/sign-in/'}", data=data, headers={"Cookie": jar.header()}
    )
    jar.update(answer.set_cookies)
    if answer.status_code != 302 or "sessionid" not in jar.values:
        raise SignInFailed(f"signing in as {email}: {answer.status_code} {answer.text[:200]}")
    return jar


def cookie_headers(jar: CookieJar) -> dict[str, str]:
    return {"Cookie": jar.header()}


def remember(jar: CookieJar, response: LeanResponse) -> LeanResponse:
    jar.update(response.set_cookies)
    return response


# --- statistics -----------------------------------------------------------------------------


def latency_summary(values: list[float]) -> dict[str, float]:
    """Nearest-rank p50/p95/p99 and the maximum of some milliseconds (zeros for none)."""
    ordered = sorted(values)
    return {
        "count": len(ordered),
        "p50": percentile(ordered, 50),
        "p95": percentile(ordered, 95),
        "p99": percentile(ordered, 99),
        "max": ordered[-1] if ordered else 0.0,
    }
