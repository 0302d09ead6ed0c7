"""Take the documentation's screenshots from a fresh demo.

    .venv/bin/python docs/screenshots/take.py                    # writes docs/screenshots/*.png
    .venv/bin/python docs/screenshots/take.py --home /tmp/shots  # load the demo there once

It loads the demo into a temporary SAMPARK_HOME (removed afterwards unless --keep) or into
--home, always on the embedded SQLite whatever SAMPARK_DATABASE_URL says; serves it on a free
port; logs into /admin/ as the demo admin, then into the agent workspace as a demo agent (in
English, then in Hindi); and saves one PNG per page at 1280×800.

Needs, besides the project: Debian's browser and a Devanagari font
(`apt-get install chromium fonts-noto-core`) and the Playwright package
(one of the locked test tools: `make test-deps`). Playwright's own browser download is not used.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
ADMIN_EMAIL = "admin@sampark.local"
ADMIN_PASSWORD = "sampark-demo"  # noqa: S105 - the published password of the demo admin
# A front-desk agent of the demo, who signs in to the workspace with the same password, and a
# supervisor (who may merge contacts).
AGENT_EMAIL = "ankit.sharma@sampark.local"
SUPERVISOR_EMAIL = "meenakshi.rao@sampark.local"
VIEWPORT = {"width": 1280, "height": 800}
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]

# The records worth showing, picked from the demo with the ORM (run by `sampark shell -c`).
PICK = """
from django.db.models import Count
from sampark.tickets.models import Ticket
from sampark.customers.models import Contact
from sampark.calendars.models import BusinessCalendar
ticket = (
    Ticket.objects.filter(language="hi", status__in=["open", "pending"], owner__isnull=False)
    .annotate(n=Count("events", distinct=True), c=Count("collaborators", distinct=True))
    .order_by("-c", "-n", "id").first()
) or Ticket.objects.order_by("id").first()
contact = (
    Contact.objects.filter(merged_into__isnull=True)
    .annotate(kinds=Count("identities__kind", distinct=True), n=Count("identities"))
    .order_by("-kinds", "-n", "id").first()
)
calendar = BusinessCalendar.objects.filter(is_default=True).first()
# The workspace's ticket page: the demo agent's busiest active ticket.
from django.contrib.auth import get_user_model
from sampark.tickets import access
agent = get_user_model().objects.get(email="ankit.sharma@sampark.local")
desk = (
    access.visible(agent, Ticket.objects.filter(status__in=["open", "pending"], owner=agent))
    .annotate(n=Count("events")).order_by("-n", "id").first()
) or ticket
# The contact and organization pages: the demo agent's customer with the most tickets they
# may see (in an organization), and the organization with the most.
mine = access.visible(agent, Ticket.objects.filter(organization__isnull=False))
customer = mine.values("requester").annotate(n=Count("id")).order_by("-n", "requester")[0]
account = mine.values("organization").annotate(n=Count("id")).order_by("-n", "organization")[0]
# The merge: a customer with two contact records not merged yet (the demo's Zoya Khan, the
# busiest of them).
twins = (
    Contact.objects.filter(merged_into__isnull=True).values("name")
    .annotate(n=Count("id", distinct=True), t=Count("tickets")).filter(n__gt=1)
    .order_by("-t", "name")[0]["name"]
)
keep, other = (
    Contact.objects.filter(name=twins, merged_into__isnull=True)
    .annotate(n=Count("tickets")).order_by("-n", "id").values_list("pk", flat=True)[:2]
)
from sampark.routing.models import RoutingRule
rule = RoutingRule.objects.order_by("position", "id").first()
# A message with several problems, for the split suggestion (the demo scripts one).
from sampark.tickets.problems import problems_in
visible = access.visible(agent, Ticket.objects.filter(status="open", split_from__isnull=True))
split = next((t.pk for t in visible.order_by("id") if len(problems_in(t.description)) > 1), desk.pk)
print(ticket.pk, contact.pk, calendar.pk, desk.pk, rule.pk if rule else 0, split)
print(customer["requester"], account["organization"], keep, other)
# Escalation and swarming: an L2 agent with a request for help waiting, and an active ticket
# escalated to their group with an open escalation (one with an open swarm too, if any).
from sampark.tickets.models import Escalation, SwarmInvitation
waiting = (
    SwarmInvitation.objects.filter(
        state="invited",
        swarm__closed_at__isnull=True,
        swarm__ticket__status__in=["new", "open", "pending", "on_hold"],
    )
    .select_related("agent").order_by("id").first()
)
helper = waiting.agent if waiting else agent
open_items = Escalation.objects.filter(
    closed_at__isnull=True,
    ticket__status__in=["new", "open", "pending", "on_hold"],
    to_group__agents__user=helper,
)
escalated = (
    open_items.filter(ticket__swarms__closed_at__isnull=True).order_by("id").first()
    or open_items.order_by("id").first()
)
shown = escalated.ticket_id if escalated else desk.pk
print(helper.email, shown)
"""

# The demo's email conversations (sampark/demo/mail.py): the English reply with its files and
# an out-of-office answer, the Hindi reply, and the HTML-only notice whose reply bounced.
PICK_MAIL = """
from sampark.mail.models import InboundMessage
def find(subject, outcome="created"):
    found = InboundMessage.objects.filter(subject__startswith=subject, outcome=outcome)
    found = found.order_by("id").first()
    return (found.ticket_id, found.pk) if found else (0, 0)
printer, _ = find("Ward 5 printer")
hindi, _ = find("वार्ड 3")
notice, notice_mail = find("Nurse-call alerts")
print(printer, hindi, notice, notice_mail)
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def sampark(*args: str, env: dict, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - our own interpreter and arguments
        [sys.executable, "-m", "sampark.cli", *args],
        env=env,
        check=True,
        text=True,
        capture_output=True,
        **kwargs,
    )


def wait_until_up(base: str, server: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"sampark serve exited with {server.returncode}")
        with (
            contextlib.suppress(OSError),
            urllib.request.urlopen(f"{base}/healthz", timeout=2) as response,  # noqa: S310
        ):
            if response.status == 200:
                return
        time.sleep(0.3)
    raise SystemExit(f"sampark serve did not answer on {base} within {seconds} s")


def scroll_to(page, selector: str, block: str = "start") -> None:
    page.locator(selector).first.evaluate("(el, block) => el.scrollIntoView({block: block})", block)


def shoot(
    base: str,
    out: Path,
    ticket: int,
    contact: int,
    calendar: int,
    chromium: str,
    desk: int,
    rule: int,
    split: int,
    customers: tuple[int, int, int, int],
    helper: str,
    escalated: int,
    mail: tuple[int, int, int, int] = (0, 0, 0, 0),
    mail_only: bool = False,
) -> list:
    from playwright.sync_api import sync_playwright

    shots = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        if mail_only:
            shots = shoot_mail(browser, base, out, mail)
            browser.close()
            return shots
        context = browser.new_context(viewport=VIEWPORT, locale="en-GB", timezone_id="Asia/Kolkata")
        # Start with the admin's navigation sidebar folded away: more room for the page itself.
        context.add_init_script("localStorage.setItem('django.admin.navSidebarIsOpen', 'false')")
        page = context.new_page()
        page.route("https://django-ninja.dev/**", lambda route: route.abort())

        page.goto(f"{base}/admin/login/?next=/admin/")
        page.fill("#id_username", ADMIN_EMAIL)
        page.fill("#id_password", ADMIN_PASSWORD)
        page.click("input[type=submit]")
        page.wait_for_url(f"{base}/admin/")

        def save(name: str, path: str = "", *, scroll: str = "", block="start", zoom=1.0):
            """Open ``path`` (or stay), zoom out to fit a wide page, scroll, and shoot."""
            if path:
                page.goto(f"{base}{path}")
                page.wait_for_load_state("networkidle")
            page.evaluate("zoom => { document.body.style.zoom = zoom }", str(zoom))
            if scroll:
                scroll_to(page, scroll, block)
            target = out / f"{name}.png"
            page.screenshot(path=str(target))
            shots.append(target)

        save("admin-index", "/admin/")
        save("ticket-list", "/admin/tickets/ticket/?status__exact=open", zoom=0.8)
        save("ticket", f"/admin/tickets/ticket/{ticket}/change/", zoom=0.9)
        save("ticket-timeline", scroll="h2:text-is('Timeline')", zoom=0.9)
        save("contact", f"/admin/customers/contact/{contact}/change/", zoom=0.7)
        save("organizations", "/admin/customers/organization/", zoom=0.9)
        save("sla-policies", "/admin/sla/slapolicy/")
        save("calendar", f"/admin/calendars/businesscalendar/{calendar}/change/")
        if rule:
            save(
                "routing-rule",
                f"/admin/routing/routingrule/{rule}/change/",
                scroll="#routing-preview",
                block="end",
                zoom=0.8,
            )
        page.goto(f"{base}/api/v1/docs")
        page.wait_for_selector(".opblock", timeout=30_000)
        save("api-docs")
        context.close()
        shots += shoot_workspace(browser, base, out, desk, split, customers)
        shots += shoot_merge(browser, base, out, customers)
        shots += shoot_escalation(browser, base, out, helper, escalated)
        shots += shoot_board(browser, base, out)
        shots += shoot_mail(browser, base, out, mail)
        shots += shoot_mailboxes(browser, base, out)
        browser.close()
    return shots


def _workspace_page(browser, base: str, out: Path, email: str, shots: list):
    """A new browser signed in to the workspace as ``email``, in English, and its ``save``."""
    context = browser.new_context(viewport=VIEWPORT, locale="en-GB", timezone_id="Asia/Kolkata")
    page = context.new_page()

    def save(name: str, path: str = "", *, scroll: str = ""):
        if path:
            page.goto(f"{base}{path}")
        page.wait_for_load_state("networkidle")
        page.evaluate("() => document.fonts.ready")
        if scroll:
            scroll_to(page, scroll, "center")
        target = out / f"{name}.png"
        page.screenshot(path=str(target))
        shots.append(target)

    if email == AGENT_EMAIL:
        save("workspace-sign-in", "/")
    else:
        page.goto(f"{base}/")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", ADMIN_PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base}/home/")
    # The language is kept on the agent's profile: an earlier run may have left it in Hindi.
    page.click("button[name=language][value=en]")
    page.wait_for_url(f"{base}/home/")
    return context, page, save


def shoot_workspace(
    browser, base: str, out: Path, desk: int, split: int, customers: tuple[int, int, int, int]
) -> list:
    """The agent workspace as a demo agent sees it, in English and then in Hindi: the sign-in
    page, the home page, a queue, the saved view form, the leave page, a search, the ticket page
    ``desk``, the
    ticket ``split`` whose first message holds several problems, and a contact's and an
    organization's pages."""
    shots = []
    customer, account, _keep, _other = customers
    context, page, save = _workspace_page(browser, base, out, AGENT_EMAIL, shots)
    save("workspace-home")
    save("workspace-queue", "/queues/groups/")
    save("workspace-view-form", "/views/new/")
    save("workspace-leave", "/leave/")
    page.goto(f"{base}/home/")
    save("workspace-ticket", f"/tickets/{desk}/")
    save("workspace-ticket-why", scroll="#why-heading")
    save("workspace-split-suggestion", f"/tickets/{split}/", scroll=".split-suggestion")
    save("workspace-contact", f"/contacts/{customer}/")
    save("workspace-organization", f"/organizations/{account}/")
    page.goto(f"{base}/tickets/{desk}/")
    page.click("button[name=language][value=hi]")
    page.wait_for_url(f"{base}/tickets/{desk}/")
    save("workspace-ticket-hi")
    save("workspace-ticket-why-hi", scroll="#why-heading")
    save("workspace-contact-hi", f"/contacts/{customer}/")
    save("workspace-split-suggestion-hi", f"/tickets/{split}/", scroll=".split-suggestion")
    save("workspace-organization-hi", f"/organizations/{account}/")
    page.goto(f"{base}/home/")
    save("workspace-home-hi")
    save("workspace-queue-hi", "/queues/groups/")
    save("workspace-leave-hi", "/leave/")
    save("workspace-search-hi", "/search/?q=Lekha")
    page.click(".user-menu summary")
    page.click(".user-menu button[type=submit]")
    page.wait_for_url(f"{base}/sign-in/")
    save("workspace-sign-in-hi")
    context.close()
    return shots


def shoot_mail(browser, base: str, out: Path, mail: tuple[int, int, int, int]) -> list:
    """Email on the ticket page, as the demo agent sees it: a reply with its quote unfolded,
    its files and an out-of-office answer; the original of an HTML-only mail; a bounce with the
    bounced address on the customer panel; and a Hindi reply in Hindi."""
    printer, hindi, notice, notice_mail = mail
    if not printer:
        return []
    shots = []
    context, page, save = _workspace_page(browser, base, out, AGENT_EMAIL, shots)
    page.goto(f"{base}/tickets/{printer}/")
    page.evaluate(
        "() => document.querySelectorAll('details.mail-quoted').forEach(d => d.open = true)"
    )
    save("workspace-mail-timeline", scroll=".event-message_in .attachment-chips")
    save("workspace-mail-original", f"/tickets/{notice}/mail/{notice_mail}/")
    save("workspace-mail-bounce", f"/tickets/{notice}/", scroll=".event-bounce")
    page.goto(f"{base}/tickets/{hindi}/")
    page.click("button[name=language][value=hi]")
    page.wait_for_url(f"{base}/tickets/{hindi}/")
    page.evaluate(
        "() => document.querySelectorAll('details.mail-quoted').forEach(d => d.open = true)"
    )
    save("workspace-mail-timeline-hi", scroll=".mail-quoted")
    page.click("button[name=language][value=en]")
    context.close()
    return shots


def shoot_board(browser, base: str, out: Path) -> list:
    """The coordinator board as the demo's supervisor sees it, in English and in Hindi, and
    the queue behind one of its numbers."""
    shots = []
    context = browser.new_context(viewport=VIEWPORT, locale="en-GB", timezone_id="Asia/Kolkata")
    page = context.new_page()

    def save(name: str, path: str = "", *, whole: bool = False):
        if path:
            page.goto(f"{base}{path}")
        page.wait_for_load_state("networkidle")
        page.evaluate("() => document.fonts.ready")
        target = out / f"{name}.png"
        page.screenshot(path=str(target), full_page=whole)
        shots.append(target)

    page.goto(f"{base}/")
    page.fill("input[name=email]", SUPERVISOR_EMAIL)
    page.fill("input[name=password]", ADMIN_PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base}/home/")
    page.click("button[name=language][value=en]")
    page.wait_for_url(f"{base}/home/")
    save("workspace-board", "/board/", whole=True)
    # The queue behind the first breached number of the service levels.
    page.locator("#board-service").locator("xpath=..").locator("a.count.breached").first.click()
    save("workspace-board-queue")
    page.goto(f"{base}/board/")
    page.click("button[name=language][value=hi]")
    page.wait_for_url(f"{base}/board/")
    save("workspace-board-hi", whole=True)
    page.click("button[name=language][value=en]")  # leave the demo's supervisor in English
    context.close()
    return shots


def shoot_mailboxes(browser, base: str, out: Path) -> list:
    """The mailbox screen as the demo's admin sees it: the list, and the default mailbox's
    form in English and in Hindi."""
    shots = []
    context = browser.new_context(viewport=VIEWPORT, locale="en-GB", timezone_id="Asia/Kolkata")
    page = context.new_page()

    def save(name: str, path: str = "", *, whole: bool = False):
        if path:
            page.goto(f"{base}{path}")
        page.wait_for_load_state("networkidle")
        page.evaluate("() => document.fonts.ready")
        target = out / f"{name}.png"
        page.screenshot(path=str(target), full_page=whole)
        shots.append(target)

    page.goto(f"{base}/")
    page.fill("input[name=email]", ADMIN_EMAIL)
    page.fill("input[name=password]", ADMIN_PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base}/home/")
    page.click("button[name=language][value=en]")
    page.wait_for_url(f"{base}/home/")
    save("workspace-mailboxes", "/mailboxes/")
    page.locator("table.mailbox-list a").first.click()
    save("workspace-mailbox", whole=True)
    page.click("button[name=language][value=hi]")
    page.wait_for_load_state("networkidle")
    save("workspace-mailbox-hi", whole=True)
    page.click("button[name=language][value=en]")  # leave the demo's admin in English
    context.close()
    return shots


def shoot_escalation(browser, base: str, out: Path, helper: str, escalated: int) -> list:
    """Escalation and swarming as an L2 agent sees them, in English and then in Hindi: the
    ticket page's escalation and swarm panels on a ticket escalated to their group, and their
    "Swarm requests for me"."""
    shots = []
    context, page, save = _workspace_page(browser, base, out, helper, shots)
    for language, suffix in (("en", ""), ("hi", "-hi")):
        page.click(f"button[name=language][value={language}]")
        page.wait_for_url(f"{base}/home/")
        save(f"workspace-escalation{suffix}", f"/tickets/{escalated}/", scroll="#escalations")
        save(f"workspace-swarm-requests{suffix}", "/swarm-requests/")
        page.goto(f"{base}/home/")
    context.close()
    return shots


def shoot_merge(browser, base: str, out: Path, customers: tuple[int, int, int, int]) -> list:
    """Merging two contacts as a demo supervisor sees it, in English and in Hindi: the step
    that asks which of the two stays (nothing is merged)."""
    shots = []
    _customer, _account, keep, other = customers
    context, page, save = _workspace_page(browser, base, out, SUPERVISOR_EMAIL, shots)
    confirm = f"/contacts/{keep}/merge/?other={other}"
    save("workspace-contact-merge", confirm)
    page.click("button[name=language][value=hi]")
    page.wait_for_url(f"{base}{confirm}")
    save("workspace-contact-merge-hi")
    context.close()
    return shots


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE, help="where the PNGs go")
    parser.add_argument("--home", type=Path, help="SAMPARK_HOME to use (default: a new temp dir)")
    parser.add_argument("--keep", action="store_true", help="keep the SAMPARK_HOME afterwards")
    parser.add_argument("--chromium", default=os.environ.get("CHROMIUM", "/usr/bin/chromium"))
    parser.add_argument(
        "--mail-only", action="store_true", help="only the email shots (workspace-mail-*)"
    )
    args = parser.parse_args()

    home = args.home or Path(tempfile.mkdtemp(prefix="sampark-shots-"))
    home.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "SAMPARK_HOME": str(home), "SAMPARK_DEBUG": "0"}
    env.pop("SAMPARK_DATABASE_URL", None)

    print(f"loading the demo into {home} (a minute or two the first time)")
    print(sampark("demo", "--if-empty", env=env).stdout.strip())
    picked = sampark("shell", "--no-imports", "-c", PICK, env=env).stdout.split()
    ticket, contact, calendar, desk, rule, split, *customers = map(int, picked[-12:-2])
    helper, escalated = picked[-2], int(picked[-1])
    mail = tuple(
        map(int, sampark("shell", "--no-imports", "-c", PICK_MAIL, env=env).stdout.split()[-4:])
    )

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
        [sys.executable, "-m", "sampark.cli", "serve", "--port", str(port)]
        + ["--no-worker", "--no-access-log", "--log-level", "warning"],
        env=env,
    )
    try:
        wait_until_up(base, server)
        args.out.mkdir(parents=True, exist_ok=True)
        shots = shoot(
            base,
            args.out,
            ticket,
            contact,
            calendar,
            args.chromium,
            desk,
            rule,
            split,
            tuple(customers),
            helper,
            escalated,
            mail,
            args.mail_only,
        )
        for path in shots:
            print(f"wrote {path}")
    finally:
        server.terminate()
        server.wait(timeout=30)
        if not args.keep and not args.home:
            shutil.rmtree(home, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
