"""Browser tests: Debian's chromium, driven by Playwright, against pytest-django's live server.

Playwright's own browser downloads are never used: the tests launch the system's chromium
(``$CHROMIUM``, else ``chromium`` on the PATH) and are skipped, saying what to install, when
there is none. A page that logs a console error or throws fails its test, and
:func:`assert_accessible` runs axe-core (vendored under vendor/, test-only) on the page.
"""

import os
import shutil
import threading
import time
from pathlib import Path

import pytest
from django.core.signals import request_finished, request_started

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
LAPTOP = {"width": 1280, "height": 800}
MISSING = "chromium not found: apt-get install chromium fonts-noto-core"


class _InFlight:
    """The live server's requests still being answered. A page closed at the end of a test may
    leave one running (a heartbeat, a draft autosave); the database's flush after the test
    must wait for it, or on PostgreSQL its TRUNCATE and the request's writes deadlock."""

    def __init__(self):
        self.count = 0
        self.lock = threading.Lock()

    def started(self, **_kwargs):
        with self.lock:
            self.count += 1

    def finished(self, **_kwargs):
        with self.lock:
            self.count -= 1

    def wait_for_none(self, seconds: float = 10.0) -> None:
        deadline = time.monotonic() + seconds
        while self.count > 0 and time.monotonic() < deadline:
            time.sleep(0.02)


IN_FLIGHT = _InFlight()
request_started.connect(IN_FLIGHT.started)
request_finished.connect(IN_FLIGHT.finished)


def find_chromium() -> str | None:
    if configured := os.environ.get("CHROMIUM"):
        return configured if os.access(configured, os.X_OK) else None
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = find_chromium()
    if path is None:
        pytest.skip(MISSING)
    return path


@pytest.fixture(scope="module")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running in this thread, and Django refuses
    # ORM calls from a thread with a running loop; the tests' own ORM calls are synchronous.
    with pytest.MonkeyPatch.context() as env, sync_playwright() as playwright:
        env.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        browser = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def open_browser(browser, live_server):
    """``open_browser(locale="en-GB", viewport=LAPTOP)``: a new page in a fresh browser context
    (no cookies) on the live server. Any console error or uncaught error on any page it opened
    fails the test at the end."""
    contexts, problems = [], []

    def open_page(locale="en-GB", viewport=LAPTOP):
        context = browser.new_context(
            base_url=live_server.url,
            locale=locale,
            timezone_id="Asia/Kolkata",
            viewport=viewport,
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.on(
            "console",
            lambda message: (
                problems.append(f"console {message.type} on {page.url}: {message.text}")
                if message.type == "error"
                else None
            ),
        )
        page.on("pageerror", lambda error: problems.append(f"page error on {page.url}: {error}"))
        return page

    yield open_page
    for context in contexts:
        context.close()
    IN_FLIGHT.wait_for_none()
    if problems:
        pytest.fail("The browser reported errors:\n" + "\n".join(problems))


def _assert_accessible(page) -> None:
    """No serious or critical axe-core violation on the page as it is now."""
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate(
        """async () => {
            const result = await axe.run(document, {resultTypes: ["violations"]});
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 3).map(n => n.target.join(" ")),
            }));
        }"""
    )
    serious = [v for v in violations if v["impact"] in ("serious", "critical")]
    assert not serious, f"accessibility violations on {page.url}:\n" + "\n".join(
        f"  {v['impact']} {v['id']}: {v['help']} at {v['nodes']}" for v in serious
    )


@pytest.fixture
def assert_accessible():
    """``assert_accessible(page)``: axe-core finds no serious or critical violation."""
    return _assert_accessible


PASSWORD = "rk7-Vq2n-Lm4x"  # noqa: S105 - the test accounts' password (make_agent password=)


@pytest.fixture
def sign_in():
    """``sign_in(page, email)``: sign in to the workspace through its form, in whichever
    language the page speaks, with the test accounts' :data:`PASSWORD`."""
    import re

    from playwright.sync_api import expect

    def sign_in_as(page, email, password=PASSWORD):
        page.goto("/")
        page.get_by_label(re.compile("Email address|ईमेल पता")).fill(email)
        page.get_by_label(re.compile("^(Password|पासवर्ड)$")).fill(password)
        page.get_by_role("button", name=re.compile("^(Sign in|साइन इन करें)$")).click()
        expect(page).to_have_url(re.compile("/home/$"))

    return sign_in_as
