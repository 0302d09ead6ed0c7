"""Hindi is a first-class language: the ``hi`` catalogue covers every gettext string in the
source, every entry is translated and reviewed (no empty or fuzzy msgstr), the committed .mo
matches the .po, and the product really speaks Hindi when asked to.

To update the catalogue after adding strings: ``make messages``, translate the new entries in
``src/sampark/locale/hi/LC_MESSAGES/django.po``, then ``make messages`` again to compile."""

import ast
import gettext
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from sampark.core.errors import InvalidInput, InvalidTransition
from sampark.team.models import AgentProfile
from sampark.tickets import services as tickets
from sampark.tickets.models import Status, Ticket

SOURCE = Path(settings.BASE_DIR)
CATALOGUE = Path(settings.LOCALE_PATHS[0]) / "hi" / "LC_MESSAGES"
DEVANAGARI = re.compile(r"[\u0900-\u097F]")
PLACEHOLDER = re.compile(r"%(?:\(\w+\))?[-#0 +]*\d*(?:\.\d+)?[sdifr%]")


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    line: int = 0


def read_po(path: Path) -> list[Entry]:
    """The entries of a .po file, header excluded and obsolete (``#~``) entries skipped.

    Enough of the PO format for a catalogue written by xgettext/msgmerge, with no dependency."""
    entries: list[Entry] = []
    entry, target = None, None
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            entry, target = None, None
            continue
        if line.startswith("#~"):
            continue
        if entry is None:
            entry = Entry(line=number)
            entries.append(entry)
        if line.startswith("#,"):
            entry.flags |= {flag.strip() for flag in line[2:].split(",")}
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            text = ast.literal_eval(line)
            if isinstance(target, int):
                entry.msgstr[target] += text
            else:
                setattr(entry, target, getattr(entry, target) + text)
        else:
            keyword, value = line.split(" ", 1)
            text = ast.literal_eval(value)
            if keyword.startswith("msgstr"):
                target = int(keyword[7:-1]) if "[" in keyword else 0
                entry.msgstr[target] = text
            else:
                target = keyword
                setattr(entry, target, text)
    return [e for e in entries if e.msgid]


def placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text))


TRANSLATION_FUNCTIONS = {
    "gettext": (0,),
    "gettext_lazy": (0,),
    "gettext_noop": (0,),
    "ngettext": (0, 1),
    "ngettext_lazy": (0, 1),
    "pgettext": (1,),
    "pgettext_lazy": (1,),
    "npgettext": (1, 2),
    "npgettext_lazy": (1, 2),
}


def gettext_calls(path: Path):
    """(msgid, line) of every literal passed to django.utils.translation in a module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    aliases: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "django.utils.translation":
            for name in node.names:
                if name.name in TRANSLATION_FUNCTIONS:
                    aliases[name.asname or name.name] = name.name
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        if isinstance(node.func, ast.Name):
            function = aliases.get(node.func.id)
        elif isinstance(node.func, ast.Attribute) and node.func.attr in TRANSLATION_FUNCTIONS:
            function = node.func.attr
        else:
            function = None
        if function is None:
            continue
        for position in TRANSLATION_FUNCTIONS[function]:
            if position < len(node.args):
                argument = node.args[position]
                if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                    yield argument.value, node.lineno


@pytest.fixture(scope="module")
def entries():
    return read_po(CATALOGUE / "django.po")


# --- The catalogue ---------------------------------------------------------------------------


def test_every_gettext_string_in_the_source_is_in_the_catalogue(entries):
    known = {e.msgid for e in entries} | {e.msgid_plural for e in entries if e.msgid_plural}
    missing = [
        f"{path.relative_to(SOURCE)}:{line}: {msgid!r}"
        for path in sorted(SOURCE.rglob("*.py"))
        if "migrations" not in path.parts
        for msgid, line in gettext_calls(path)
        if msgid not in known
    ]
    assert not missing, "Run `make messages` and translate:\n" + "\n".join(missing)


# Calls as django.utils.translation.template.templatize writes them for xgettext, and the
# positions of their msgid (and plural) among the string arguments.
TEMPLATE_CALL = re.compile(r"\b(npgettext|pgettext|ngettext|gettext)\(")
STRING_ARGUMENT = re.compile(r"""\s*(u?'(?:[^'\\]|\\.)*'|u?"(?:[^"\\]|\\.)*")\s*,?""")
TEMPLATE_MSGIDS = {"gettext": (0,), "ngettext": (0, 1), "pgettext": (1,), "npgettext": (1, 2)}


def template_strings(path: Path):
    """Every msgid of {% translate %} and {% blocktranslate %} in a template, as
    ``makemessages`` extracts it."""
    from django.utils.translation.template import templatize

    text = templatize(path.read_text(encoding="utf-8"), origin=str(path))
    for call in TEMPLATE_CALL.finditer(text):
        arguments, position = [], call.end()
        while match := STRING_ARGUMENT.match(text, position):
            arguments.append(ast.literal_eval(match.group(1)))
            position = match.end()
        for index in TEMPLATE_MSGIDS[call.group(1)]:
            yield arguments[index]


def test_every_template_string_is_in_the_catalogue(entries):
    known = {e.msgid for e in entries} | {e.msgid_plural for e in entries if e.msgid_plural}
    templates = [
        path
        for path in sorted(SOURCE.rglob("*"))
        if "templates" in path.parts and path.suffix in (".html", ".txt")
    ]
    assert templates
    missing = [
        f"{path.relative_to(SOURCE)}: {msgid!r}"
        for path in templates
        for msgid in template_strings(path)
        if msgid not in known
    ]
    assert not missing, "Run `make messages` and translate:\n" + "\n".join(missing)


def test_every_entry_is_translated(entries):
    assert len(entries) > 300
    empty = [
        f"line {e.line}: {e.msgid!r}"
        for e in entries
        if not e.msgstr or not all(text.strip() for text in e.msgstr.values())
    ]
    assert not empty


def test_no_entry_is_fuzzy(entries):
    fuzzy = [f"line {e.line}: {e.msgid!r}" for e in entries if "fuzzy" in e.flags]
    assert not fuzzy, "Review these translations and remove the fuzzy flag:\n" + "\n".join(fuzzy)


def test_plural_entries_fill_both_hindi_forms(entries):
    header = (CATALOGUE / "django.po").read_text(encoding="utf-8")
    assert '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"' in header
    plurals = [e for e in entries if e.msgid_plural]
    assert plurals
    assert all(sorted(e.msgstr) == [0, 1] for e in plurals)


def test_translations_keep_the_placeholders(entries):
    broken = [
        f"line {e.line}: {e.msgid!r}"
        for e in entries
        if "python-format" in e.flags
        for index, text in e.msgstr.items()
        if placeholders(text) != placeholders(e.msgid_plural if index else e.msgid)
    ]
    assert not broken


def test_compiled_catalogue_matches_the_po(entries):
    with open(CATALOGUE / "django.mo", "rb") as mo:
        compiled = gettext.GNUTranslations(mo)
    stale = []
    for e in entries:
        if e.msgctxt is not None:
            found = [compiled.pgettext(e.msgctxt, e.msgid)]
        elif e.msgid_plural:
            found = [compiled.ngettext(e.msgid, e.msgid_plural, n) for n in (1, 2)]
        else:
            found = [compiled.gettext(e.msgid)]
        if found != [e.msgstr[i] for i in sorted(e.msgstr)]:
            stale.append(e.msgid)
    assert not stale, "django.mo is older than django.po: run `make messages`.\n" + "\n".join(
        map(repr, stale)
    )


# --- The product in Hindi --------------------------------------------------------------------


def test_model_names_and_choice_labels_are_hindi():
    with translation.override("hi"):
        assert str(Ticket._meta.verbose_name) == "टिकट"
        assert str(Status.OPEN.label) == "खुला"
        assert str(AgentProfile.Role.SUPERVISOR.label) == "सुपरवाइज़र"
        assert dict(settings.LANGUAGES)["hi"] == "हिंदी"


def test_service_errors_are_hindi():
    with translation.override("hi"), pytest.raises(InvalidInput) as raised:
        tickets.normalise_tags("printer, urgent")
    assert raised.value.message == "टैग शब्दों की सूची होनी चाहिए।"


def test_refused_status_change_names_both_statuses_in_hindi(make_ticket, agent):
    ticket = make_ticket(owner=agent)
    with translation.override("hi"), pytest.raises(InvalidTransition) as raised:
        tickets.update_ticket(
            ticket.pk, actor=agent, expected_version=ticket.version, status=Status.CLOSED
        )
    assert DEVANAGARI.search(raised.value.message)
    with translation.override("hi"):
        assert str(Status(ticket.status).label) in raised.value.message
        assert str(Status.CLOSED.label) in raised.value.message


def test_admin_index_speaks_hindi_to_a_hindi_browser(client, make_agent):
    client.force_login(make_agent(role=AgentProfile.Role.ADMIN))

    response = client.get("/admin/", headers={"accept-language": "hi"})

    assert response.status_code == 200
    assert response.headers["Content-Language"] == "hi"
    page = response.content.decode()
    assert '<html lang="hi"' in page
    assert "हेल्प डेस्क कॉन्फ़िगरेशन" in page
    assert "प्राथमिकताएँ" in page
    assert "ग्राहक" in page


def test_admin_index_stays_english_for_an_english_browser(client, make_agent):
    client.force_login(make_agent(role=AgentProfile.Role.ADMIN))

    page = client.get("/admin/", headers={"accept-language": "en"}).content.decode()

    assert "Help desk configuration" in page
    assert not DEVANAGARI.search(page.split("<body", 1)[1])


HINDI = {"Accept-Language": "hi-IN,hi;q=0.9,en;q=0.5"}


def _messages(response) -> dict[str, tuple[str, str]]:
    """A 422's errors by the field they name: (message, pydantic's type)."""
    return {e["loc"][-1]: (e["msg"], e["type"]) for e in response.json()["detail"]}


def test_api_errors_speak_hindi_to_a_hindi_client(api, settings):
    """Domain errors, pydantic's own checks and Sampark's, and the edge's 401/404/405/413."""
    missing = _messages(api.post("/api/v1/tickets", {"description": "x"}, headers=HINDI))
    assert missing["subject"] == ("यह फ़ील्ड ज़रूरी है", "missing")  # the type stays pydantic's

    body = {"subject": "प" * 300, "channel": "email", "requester": {"email": "a@b.in"}}
    too_long = _messages(api.post("/api/v1/tickets", body, headers=HINDI))
    assert too_long["subject"][0] == "ज़्यादा से ज़्यादा 255 अक्षर हो सकते हैं"
    body["subject"] = "NUL\x00"
    assert _messages(api.post("/api/v1/tickets", body, headers=HINDI))["subject"][0] == (
        "इसमें NUL अक्षर नहीं हो सकते"
    )

    def detail(response, status):
        assert response.status_code == status
        return response.json()["detail"]

    not_json = api.post("/api/v1/tickets", raw=b"{not json", headers=HINDI)
    assert detail(not_json, 400) == "मुख्य भाग मान्य JSON नहीं है।"

    assert detail(api.get("/api/v1/tickets/987654", headers=HINDI), 404) == "टिकट नहीं मिला।"
    assert detail(api.get("/api/v1/contacts/987654", headers=HINDI), 404) == "संपर्क मौजूद नहीं है।"
    assert detail(api.get("/api/v1/organizations/987654", headers=HINDI), 404) == (
        "संगठन मौजूद नहीं है।"
    )
    assert detail(api.get("/api/v1/no-such-thing", headers=HINDI), 404) == (
        "इस पथ पर कोई API एंडपॉइंट नहीं है।"
    )
    assert detail(api.delete("/api/v1/tickets", headers=HINDI), 405).startswith(
        "यहाँ DELETE की अनुमति नहीं है।"
    )
    from tests.conftest import ApiClient

    stranger = ApiClient("spk_not-a-real-token")
    assert detail(stranger.get("/api/v1/tickets", headers=HINDI), 401).startswith(
        "API टोकन नहीं है या अमान्य है।"
    )
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    big = api.post("/api/v1/tickets", {"subject": "x" * 200}, headers=HINDI)
    assert detail(big, 413) == "अनुरोध का मुख्य भाग 100 बाइट की सीमा से बड़ा है।"


def test_api_errors_stay_english_by_default(api):
    missing = _messages(api.post("/api/v1/tickets", {"description": "x"}))
    assert missing["subject"] == ("Field required", "missing")
    assert api.get("/api/v1/tickets/987654").json()["detail"] == "Ticket not found."
    assert api.get("/api/v1/organizations/987654").json()["detail"] == "Organization not found."
    assert api.post("/api/v1/tickets", raw=b"{").json()["detail"] == "The body is not valid JSON."
