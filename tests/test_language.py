"""The language of every incoming text (hi, en, hinglish, mixed): the detector on the labelled
set and on its edge cases, the intake that stores it on the ticket and on each customer
message, and the API that exposes and filters it."""

from collections import Counter
from pathlib import Path

import pytest

from sampark.core.errors import InvalidInput
from sampark.core.language import TextLanguage, detect_language
from sampark.tickets import services as tickets
from sampark.tickets.models import Ticket, TicketEvent
from sampark.workspace.models import SavedView

LABELLED = Path(__file__).parent / "data" / "languages.tsv"
# Written after the detector's last change and measured once: see its header.
HELD_OUT = Path(__file__).parent / "data" / "languages-heldout.tsv"
CLASSES = ("hi", "en", "hinglish", "mixed")


def labelled_texts(path: Path = LABELLED) -> list[tuple[str, str]]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            label, text = line.split("\t", 1)
            rows.append((label, text))
    return rows


def scores(path: Path = LABELLED) -> dict[str, tuple[float, float]]:
    """Per class: (precision, recall) of the detector on a labelled set."""
    outcome = Counter((label, detect_language(text)) for label, text in labelled_texts(path))
    found = {}
    for name in CLASSES:
        hits = outcome[(name, name)]
        said = sum(n for (_label, got), n in outcome.items() if got == name)
        truth = sum(n for (label, _got), n in outcome.items() if label == name)
        found[name] = (hits / said if said else 0.0, hits / truth)
    return found


# --- the detector -------------------------------------------------------------------------


def test_the_labelled_set_has_at_least_300_texts_and_75_of_each_class():
    labels = Counter(label for label, _text in labelled_texts())
    assert sum(labels.values()) >= 300
    assert set(labels) == set(CLASSES)
    assert min(labels.values()) >= 75


def test_precision_and_recall_of_each_class_on_the_labelled_set_are_at_least_95_percent():
    # docs/help-desk.md reports the figures; this keeps them from sliding back.
    for name, (precision, recall) in scores().items():
        assert precision >= 0.95, (name, precision)
        assert recall >= 0.95, (name, recall)


def test_on_the_held_out_texts_each_class_keeps_at_least_85_percent():
    for name, (precision, recall) in scores(HELD_OUT).items():
        assert min(precision, recall) >= 0.85, (name, precision, recall)


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("मेरा इंटरनेट कल से बंद है", "hi"),
        ("My internet has been down since yesterday", "en"),
        ("mera internet kal se band hai", "hinglish"),
        ("Mera WiFi connection bahut slow chal raha hai", "hinglish"),
        ("मेरा internet connection कल से बंद है", "mixed"),
        ("Please help. मेरा खाता बंद हो गया है।", "mixed"),
        ("refund kab aayega?", "hinglish"),
    ],
)
def test_each_language_is_told_apart(text, language):
    assert detect_language(text) == language


def test_numbers_acronyms_and_addresses_say_nothing_about_the_language():
    assert detect_language("मॉडल AX-3000 में खराबी है, SN 77123, sunita@acme.example") == "hi"
    assert detect_language("OTP UPI 4521 https://example.org/x") == ""
    assert detect_language("") == ""
    assert detect_language("१२३ — 456 !!") == ""


def test_a_few_english_words_in_devanagari_text_keep_it_hindi():
    assert detect_language("मेरा router पिछले तीन दिन से काम नहीं कर रहा है") == "hi"


def test_one_hindi_word_in_an_english_sentence_keeps_it_english():
    assert detect_language("Thanks ji, the technician fixed the router this morning") == "en"


def test_a_long_text_is_read_only_up_to_its_first_4000_characters():
    text = "My printer does not print. " * 200 + "mera kaam nahi ho raha " * 400
    assert detect_language(text) == "en"


# --- the intake ---------------------------------------------------------------------------


def test_a_ticket_opened_without_a_language_gets_the_language_it_is_written_in(
    make_contact, default_group
):
    hindi_speaker = make_contact(language="hi")
    ticket = tickets.open_ticket(
        subject="router baar baar band ho raha hai",
        description="kal se internet nahi chal raha, jaldi theek karo",
        requester=hindi_speaker,
    )
    assert ticket.language == TextLanguage.HINGLISH
    message = TicketEvent.objects.get(ticket=ticket, kind=TicketEvent.Kind.MESSAGE_IN)
    assert message.data["language"] == "hinglish"


def test_the_language_given_by_the_caller_wins_over_the_text(make_contact, default_group):
    ticket = tickets.open_ticket(
        subject="Router keeps restarting", requester=make_contact(), language="mixed"
    )
    assert Ticket.objects.get(pk=ticket.pk).language == "mixed"


def test_a_text_with_no_words_that_say_falls_back_to_the_requesters_language(
    make_contact, default_group
):
    ticket = tickets.open_ticket(subject="#4521 AX-3000", requester=make_contact(language="hi"))
    assert ticket.language == "hi"


def test_each_customer_reply_records_its_own_language_and_the_ticket_keeps_its_own(
    make_ticket, make_contact
):
    sunita = make_contact(language="hi")
    ticket = make_ticket(requester=sunita, subject="Router is down", description="")
    reply = tickets.add_message(ticket.pk, body="अभी भी बंद है, कृपया देखिए", contact=sunita)

    assert reply.data["language"] == "hi"
    assert Ticket.objects.get(pk=ticket.pk).language == "en"


def test_an_unknown_language_is_refused(make_contact, default_group):
    with pytest.raises(InvalidInput):
        tickets.open_ticket(subject="Hello", requester=make_contact(), language="fr")


# --- the API ------------------------------------------------------------------------------


def payload(n: int, **fields) -> dict:
    return {
        "subject": "Printer is jammed",
        "requester": {"name": "Priya", "email": f"lang{n}@example.org"},
        **fields,
    }


def test_the_api_returns_the_detected_language(api):
    response = api.post("/api/v1/tickets", payload(1, subject="bill mein galat amount hai"))
    assert response.status_code == 201
    assert response.json()["language"] == "hinglish"


def test_the_api_accepts_each_language_and_gives_a_new_requester_hindi_for_hinglish(api):
    response = api.post("/api/v1/tickets", payload(2, language="hinglish"))
    body = response.json()
    assert (body["language"], body["requester"]["language"]) == ("hinglish", "hi")


def test_the_api_refuses_an_unknown_language_with_a_422(api):
    response = api.post("/api/v1/tickets", payload(3, language="hindi"))
    assert response.status_code == 422


def test_the_api_lists_tickets_by_language(api):
    for n, subject in enumerate(("Printer is jammed", "printer mein kagaz atak gaya hai")):
        api.post("/api/v1/tickets", payload(10 + n, subject=subject))

    response = api.get("/api/v1/tickets", {"language": ["hinglish", "mixed"]})

    assert [t["subject"] for t in response.json()["items"]] == ["printer mein kagaz atak gaya hai"]


# --- the workspace ------------------------------------------------------------------------


@pytest.fixture
def asha(make_agent, default_group):
    return make_agent(email="asha@sampark.test", name="Asha Rao", groups=[default_group])


def test_the_ticket_page_says_which_language_the_ticket_and_each_message_are_written_in(
    signed_in, asha, make_ticket, make_contact
):
    ravi = make_contact(name="Ravi")
    ticket = make_ticket(
        requester=ravi, subject="wifi baar baar cut ho raha hai", description="kal se ho raha hai"
    )
    tickets.add_message(ticket.pk, body="अभी भी बंद है", contact=ravi)

    html = signed_in(asha).get(f"/tickets/{ticket.pk}/").content.decode()

    assert "Written in: Hinglish" in html
    assert '<span lang="hi-Latn">wifi baar baar cut ho raha hai</span>' in html
    assert html.count("· Hinglish ·") == 1 and html.count("· Hindi ·") == 1
    assert 'dir="auto" lang="hi">अभी भी बंद है' in html


def test_a_mixed_ticket_carries_no_lang_of_its_own(signed_in, asha, make_ticket):
    ticket = make_ticket(subject="router बार बार restart हो रहा है", description="")
    html = signed_in(asha).get(f"/tickets/{ticket.pk}/").content.decode()
    assert "<span>router बार बार restart हो रहा है</span>" in html
    assert "Written in: Hindi and English" in html


def test_a_saved_view_lists_the_hinglish_and_mixed_tickets(signed_in, asha, make_ticket):
    hinglish = make_ticket(subject="printer mein kagaz atak gaya hai", description="")
    mixed = make_ticket(subject="printer में paper jam है", description="")
    make_ticket(subject="Printer is jammed", description="")
    client = signed_in(asha)

    client.post(
        "/views/new/", {"name": "Hinglish", "order": "sla", "languages": ["hinglish", "mixed"]}
    )
    page = client.get(f"/views/{SavedView.objects.get().pk}/")

    assert sorted(t.number for t in page.context["page"].items) == [hinglish.number, mixed.number]
