"""Fill django-helpdesk's tables at the scale of Sampark's benchmark data.

Run it with the helpdesk virtualenv (bench/helpdesk/setup.sh makes it), never Sampark's:

    bench/.helpdesk/venv/bin/python bench/helpdesk/generate.py --tickets 100000 --reset

What it writes (defaults in brackets), with the same shape as Sampark's bench/generate.py:
  * queues [10]: the first, "Front desk", gets 35% of the tickets (like Sampark's biggest
    group, the one its queue benchmark reads), the others share the rest unevenly;
  * one staff user ``agent`` (the benchmark's login) plus [24] other staff who own tickets;
  * N tickets [1,000,000] over the last [730] days, in id order and denser towards today;
    ~10% still open (60% of those of the last 45 days, few older ones): Open, or Reopened
    for a tenth of them, a tenth of them on hold; the rest Resolved if under a week old,
    else Closed. Priorities 1-4 as Sampark's P1-P4 (2/10/63/25%; 5 unused). Submitters are
    N/4 customers (e-mail addresses), 80% uniform and 20% skewed to frequent customers.
    English, Hindi and Hinglish text;
  * ~5 follow-ups a ticket [--followups 5, 3 to 7]: the opening one, customer and agent
    replies, and for a resolved or closed ticket the one that resolved it;
  * [50] customer accounts (users whose e-mail is a submitter's), for the customer's own
    "my tickets" API, and a sample of submitters of random tickets for the timeline reads.

Rows go in on Django's connection in batches of 10,000 tickets (one transaction each), with
explicit ids: ``executemany`` on SQLite, ``COPY`` on PostgreSQL. It ends
with ANALYZE and writes ``manifest.json`` (logins, ids) beside the database for run.py.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "project"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hdproject.settings")

STAFF_USERNAME = "agent"
STAFF_PASSWORD = "bench-agent-password"
CUSTOMER_PASSWORD = "bench-customer-password"

QUEUES = [
    ("Front desk / फ्रंट डेस्क", "front-desk", 35),
    ("Orders / ऑर्डर", "orders", 12),
    ("Delivery / डिलीवरी", "delivery", 10),
    ("Payments & UPI / भुगतान", "payments", 9),
    ("Returns & Refunds / वापसी", "returns", 8),
    ("Hindi helpline / हिंदी हेल्पलाइन", "hindi-helpline", 8),
    ("Technical Support / तकनीकी सहायता", "technical", 7),
    ("KYC & Documents / केवाईसी", "kyc", 5),
    ("Billing / बिलिंग", "billing", 4),
    ("Escalations / एस्केलेशन", "escalations", 2),
]

# django-helpdesk's default statuses: 1 Open, 2 Reopened, 3 Resolved, 4 Closed.
ACTIVE_SHARE = 0.10  # of all tickets, still open
RECENT_DAYS = 45
RECENT_ACTIVE = 0.6  # of the tickets of the last RECENT_DAYS, still open
PRIORITY_WEIGHTS = [(1, 2), (2, 10), (3, 63), (4, 25)]
SAMPLE_TICKETS = 2000

DOMAINS = ["gmail.com", "yahoo.co.in", "rediffmail.com", "outlook.com", "example.in"]
CITIES = ["Pune", "Lucknow", "Indore", "Patna", "Jaipur", "Kochi", "Nagpur", "Surat"]
CITIES_HI = ["पुणे", "लखनऊ", "इंदौर", "पटना", "जयपुर", "कोच्चि", "नागपुर", "सूरत"]
ITEMS = ["mixer grinder", "phone cover", "kurta set", "pressure cooker", "earbuds", "school bag"]
ITEMS_HI = ["मिक्सर ग्राइंडर", "फ़ोन कवर", "कुर्ता सेट", "प्रेशर कुकर", "ईयरबड्स", "स्कूल बैग"]

# (title, description) pairs per language; {o} order number, {a} amount, {c} city, {i} item.
SUBJECTS = {
    "en": [
        (
            "Order #{o} not delivered yet",
            "I ordered a {i} ten days ago and it still has not "
            "reached {c}. The tracking page has said 'out for delivery' since Monday.",
        ),
        (
            "Refund of Rs {a} not received",
            "I returned the {i} from order #{o}. The pickup was "
            "done but the refund of Rs {a} has not come to my account.",
        ),
        (
            "UPI payment debited but order failed",
            "Rs {a} was debited from my account through "
            "UPI but the app shows the order #{o} as failed. Please check.",
        ),
        (
            "Cannot log in after changing phone",
            "I changed my phone and now the OTP does not come "
            "on my number. I cannot log in to see order #{o}.",
        ),
        (
            "Wrong item received",
            "Order #{o}: I ordered a {i} but received something else. I "
            "want a replacement, not a refund.",
        ),
        (
            "Invoice needed for GST",
            "Please send the GST invoice for order #{o} (Rs {a}). Our "
            "office in {c} needs it for the claim.",
        ),
    ],
    "hi": [
        (
            "ऑर्डर #{o} अभी तक नहीं मिला",
            "मैंने दस दिन पहले {i} मंगवाया था, लेकिन {c} में अभी तक "
            "डिलीवरी नहीं हुई। ट्रैकिंग में सोमवार से 'डिलीवरी के लिए निकला' लिखा है।",
        ),
        (
            "₹{a} का रिफ़ंड नहीं आया",
            "ऑर्डर #{o} का {i} वापस कर दिया था। पिकअप हो गया पर ₹{a} का रिफ़ंड अभी तक खाते में नहीं आया।",
        ),
        (
            "भुगतान कट गया पर ऑर्डर फ़ेल",
            "यूपीआई से ₹{a} कट गए लेकिन ऐप में ऑर्डर #{o} फ़ेल दिखा रहा है। कृपया जाँच करें।",
        ),
        (
            "ओटीपी नहीं आ रहा",
            "फ़ोन बदलने के बाद ओटीपी नहीं आ रहा, इसलिए ऑर्डर #{o} देखने के लिए लॉग इन नहीं कर पा रहा हूँ।",
        ),
        ("गलत सामान मिला", "ऑर्डर #{o} में {i} की जगह कुछ और आया है। मुझे बदलकर सही सामान चाहिए।"),
    ],
    "hinglish": [
        (
            "Order #{o} abhi tak nahi aaya",
            "Maine {i} order kiya tha, {c} mein abhi tak delivery "
            "nahi hui. Tracking mein kal se 'out for delivery' dikha raha hai.",
        ),
        (
            "Refund Rs {a} kab aayega?",
            "Order #{o} ka {i} return kar diya, pickup bhi ho gaya, "
            "lekin Rs {a} ka refund abhi tak nahi aaya. Jaldi check karo please.",
        ),
        (
            "Paisa cut gaya, order fail",
            "UPI se Rs {a} cut gaye par app mein order #{o} failed "
            "dikh raha hai. Paisa wapas kab milega?",
        ),
        (
            "OTP nahi aa raha",
            "Naya phone liya hai, ab OTP hi nahi aata. Order #{o} check karna "
            "hai, login karwa do please.",
        ),
        (
            "Galat item mila",
            "Order #{o} mein {i} ki jagah kuch aur aa gaya. Replacement chahiye, refund nahi.",
        ),
    ],
}
CUSTOMER_REPLIES = {
    "en": [
        "Any update on this? It has been {d} days.",
        "I have attached the screenshot now.",
        "Thank you, I got it today.",
        "Still waiting, please escalate.",
    ],
    "hi": [
        "इस पर कोई अपडेट? {d} दिन हो गए।",
        "स्क्रीनशॉट भेज दिया है।",
        "धन्यवाद, आज मिल गया।",
        "अभी भी इंतज़ार है, कृपया जल्दी करें।",
    ],
    "hinglish": [
        "Koi update? {d} din ho gaye.",
        "Screenshot bhej diya hai.",
        "Thanks, aaj mil gaya.",
        "Abhi bhi wait kar raha hoon, jaldi karo please.",
    ],
}
AGENT_REPLIES = {
    "en": [
        "Sorry for the trouble. I have raised this with the courier partner in {c}.",
        "We have started the refund; it reaches your bank in 5-7 working days.",
        "Could you share a photo of the item and the packing slip?",
    ],
    "hi": [
        "असुविधा के लिए खेद है। {c} के कूरियर पार्टनर से बात की है।",
        "रिफ़ंड शुरू कर दिया है, 5-7 कार्यदिवस में खाते में आ जाएगा।",
        "कृपया सामान और पैकिंग स्लिप की फ़ोटो भेजें।",
    ],
    "hinglish": [
        "Sorry for the trouble. {c} ke courier partner se baat ho gayi hai.",
        "Refund start kar diya hai, 5-7 working days mein aa jayega.",
        "Item aur packing slip ki photo bhej dijiye please.",
    ],
}
RESOLUTIONS = {
    "en": "Resolved: the issue with order #{o} is fixed. Please reply if anything is pending.",
    "hi": "समाधान: ऑर्डर #{o} की समस्या ठीक कर दी गई है। कुछ बाकी हो तो जवाब दें।",
    "hinglish": "Resolved: order #{o} ka issue fix ho gaya hai. Kuch pending ho toh reply karein.",
}
LANGS = ["en", "hi", "hinglish"]
LANG_WEIGHTS = [45, 25, 30]


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--tickets", type=int, default=1_000_000)
    p.add_argument("--followups", type=int, default=5, help="mean follow-ups a ticket (3-7)")
    p.add_argument("--queues", type=int, default=len(QUEUES), choices=range(1, len(QUEUES) + 1))
    p.add_argument("--customers", type=int, default=None, help="default: tickets / 4")
    p.add_argument("--agents", type=int, default=25, help="staff users, 'agent' included")
    p.add_argument("--customer-accounts", type=int, default=50)
    p.add_argument("--days", type=int, default=730, help="tickets created over this many days")
    p.add_argument("--batch", type=int, default=10_000, help="tickets a transaction")
    p.add_argument("--seed", type=int, default=20240601)
    p.add_argument("--reset", action="store_true", help="drop the existing data first")
    p.add_argument("--no-analyze", dest="analyze", action="store_false")
    return p.parse_args(argv)


def progress(total: int, desc: str):
    try:
        from tqdm import tqdm

        return tqdm(total=total, desc=desc, unit=" tickets", unit_scale=True, smoothing=0.05)
    except ImportError:  # pragma: no cover - tqdm is in the helpdesk venv

        class Plain:
            def __init__(self):
                self.n = 0

            def update(self, k):
                self.n += k
                if self.n % (total // 20 or 1) < k:
                    print(f"{desc}: {self.n:,}/{total:,}", flush=True)

            def close(self):
                pass

        return Plain()


def reset_database() -> None:
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        connection.close()
        for suffix in ("", "-wal", "-shm"):
            Path(str(db["NAME"]) + suffix).unlink(missing_ok=True)
    else:
        with connection.cursor() as cur:
            cur.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    call_command("migrate", verbosity=0)


def make_staff(count: int) -> list[int]:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password

    User = get_user_model()
    staff_hash = make_password(STAFF_PASSWORD)
    # Saved one by one so that django-helpdesk's post_save signal gives each its UserSettings.
    agents = []
    for k in range(count):
        name = STAFF_USERNAME if k == 0 else f"agent{k:02d}"
        u = User(
            username=name,
            email=f"{name}@helpdesk.example.in",
            is_staff=True,
            first_name=name.capitalize(),
            password=staff_hash,
        )
        u.save()
        agents.append(u.pk)
    return agents


def make_customer_accounts(emails: list[str], count: int) -> list[dict]:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password

    User = get_user_model()
    customer_hash = make_password(CUSTOMER_PASSWORD)
    accounts = []
    for email in list(dict.fromkeys(emails))[:count]:
        u = User(username=email.split("@")[0], email=email, password=customer_hash)
        u.save()
        accounts.append({"username": u.username, "email": email})
    return accounts


def customer_email(idx: int) -> str:
    return f"cust{idx:07d}@{DOMAINS[idx % len(DOMAINS)]}"


def make_queues(n: int):
    from helpdesk.models import Queue

    ids, weights = [], []
    for title, slug, weight in QUEUES[:n]:
        q = Queue.objects.create(
            title=title,
            slug=slug,
            email_address=f"{slug}@helpdesk.example.in",
            allow_public_submission=True,
            allow_email_submission=False,
            escalate_days=0,
        )
        ids.append(q.pk)
        weights.append(weight)
    return ids, weights


def main(argv=None) -> int:
    args = parse_args(argv)
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection, transaction
    from helpdesk.models import Ticket

    t0 = time.perf_counter()
    if args.reset:
        reset_database()
    elif Ticket.objects.exists():
        print("the database already has tickets: pass --reset to start over", file=sys.stderr)
        return 2

    rng = random.Random(args.seed)
    n = args.tickets
    customers = args.customers or max(1, n // 4)
    queue_ids, queue_weights = make_queues(args.queues)
    agents = make_staff(args.agents)
    sample = set(rng.sample(range(1, n + 1), min(n, SAMPLE_TICKETS)))
    sample_emails = []

    sqlite = connection.vendor == "sqlite"
    if sqlite:

        def when(ts: float) -> str:
            return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    else:

        def when(ts: float) -> datetime:
            return datetime.fromtimestamp(ts, UTC)

    now = time.time()
    span = args.days * 86400
    start = now - span
    # Creation times u**0.75 of the span (more tickets lately); the share of the tickets in
    # the last RECENT_DAYS follows, and with it how many older ones must still be open.
    recent = 1.0 - (1.0 - RECENT_DAYS / args.days) ** (1 / 0.75)
    p_old = max(0.005, (ACTIVE_SHARE - RECENT_ACTIVE * recent) / (1.0 - recent))
    recent_from = now - RECENT_DAYS * 86400
    week_ago = now - 7 * 86400

    ticket_cols = (
        "id, title, queue_id, created, modified, submitter_email, assigned_to_id, status, "
        "on_hold, description, resolution, priority, secret_key"
    )
    followup_cols = "id, ticket_id, date, title, comment, public, user_id, new_status"

    prio_values = [p for p, _ in PRIORITY_WEIGHTS]
    prio_cum = _cumulative([w for _, w in PRIORITY_WEIGHTS])
    queue_cum = _cumulative(queue_weights)
    lang_cum = _cumulative(LANG_WEIGHTS)
    choose = rng.choices
    rnd = rng.random
    randint = rng.randint
    getrandbits = rng.getrandbits
    spread = max(0, min(args.followups - 3, 7 - args.followups))

    bar = progress(n, "tickets")
    fid = 0
    open_count = 0
    followups_total = 0
    ticket_id = 0
    while ticket_id < n:
        size = min(args.batch, n - ticket_id)
        tickets, followups = [], []
        for _ in range(size):
            ticket_id += 1
            created = start + span * ((ticket_id - 1 + rnd()) / n) ** 0.75
            lang = choose(LANGS, cum_weights=lang_cum)[0]
            title_t, desc_t = choose(SUBJECTS[lang])[0]
            city = randint(0, len(CITIES) - 1)
            fill = {
                "o": 40_000_000 + ticket_id * 7,
                "a": randint(99, 24_999),
                "c": CITIES_HI[city] if lang == "hi" else CITIES[city],
                "i": choose(ITEMS_HI if lang == "hi" else ITEMS)[0],
                "d": randint(2, 15),
            }
            title = title_t.format(**fill)
            description = desc_t.format(**fill)
            on_hold = False
            if rnd() < (RECENT_ACTIVE if created >= recent_from else p_old):
                status = 1 if rnd() < 0.9 else 2
                on_hold = rnd() < 0.1
                open_count += 1
            else:
                status = 3 if created >= week_ago else 4
            resolved = status >= 3
            k = randint(0, customers - 1) if rnd() < 0.8 else int(customers * rnd() ** 1.6)
            submitter = customer_email(k)
            if ticket_id in sample:
                sample_emails.append(submitter)
            assignee = choose(agents)[0] if rnd() < (0.95 if resolved else 0.7) else None
            count = args.followups + randint(-spread, spread) if spread else args.followups
            # Follow-ups: opening, alternate customer/agent replies, resolution last.
            t = created
            ticket_rows_fu = []
            for k in range(count):
                if k == 0:
                    ticket_rows_fu.append((t, "Ticket Opened", description, True, None, None))
                    continue
                t += 600 + rnd() * 86400 * (2 if resolved else 0.5)
                if t > now:
                    t = now - rnd() * 60
                last = k == count - 1
                if last and resolved:
                    ticket_rows_fu.append(
                        (
                            t,
                            "Resolved" if status == 3 else "Closed",
                            RESOLUTIONS[lang].format(**fill),
                            True,
                            assignee or agents[0],
                            status,
                        )
                    )
                elif k % 2 == 1:
                    ticket_rows_fu.append(
                        (
                            t,
                            "Comment",
                            choose(CUSTOMER_REPLIES[lang])[0].format(**fill),
                            True,
                            None,
                            None,
                        )
                    )
                else:
                    ticket_rows_fu.append(
                        (
                            t,
                            "Comment",
                            choose(AGENT_REPLIES[lang])[0].format(**fill),
                            True,
                            assignee or agents[0],
                            None,
                        )
                    )
            for ts, fu_title, comment, public, user, new_status in ticket_rows_fu:
                fid += 1
                followups.append(
                    (fid, ticket_id, when(ts), fu_title, comment, public, user, new_status)
                )
            followups_total += count
            secret = f"{getrandbits(128):032x}"
            tickets.append(
                (
                    ticket_id,
                    title,
                    queue_ids[_pick(queue_cum, rnd())],
                    when(created),
                    when(t),
                    submitter,
                    assignee,
                    status,
                    on_hold,
                    description,
                    RESOLUTIONS[lang].format(**fill) if resolved else None,
                    prio_values[_pick(prio_cum, rnd())],
                    f"{secret[:8]}-{secret[8:12]}-4{secret[13:16]}-a{secret[17:20]}-{secret[20:]}",
                )
            )
        with transaction.atomic(), connection.cursor() as cur:
            write_rows(cur, sqlite, "helpdesk_ticket", ticket_cols, tickets)
            write_rows(cur, sqlite, "helpdesk_followup", followup_cols, followups)
        bar.update(size)
    bar.close()
    accounts = make_customer_accounts(sample_emails, args.customer_accounts)
    load_seconds = time.perf_counter() - t0

    if not sqlite:
        with connection.cursor() as cur:
            # Explicit ids leave the sequences behind; move them past the rows.
            cur.execute(
                "SELECT setval(pg_get_serial_sequence('helpdesk_ticket', 'id'), "
                "(SELECT MAX(id) FROM helpdesk_ticket))"
            )
            cur.execute(
                "SELECT setval(pg_get_serial_sequence('helpdesk_followup', 'id'), "
                "(SELECT MAX(id) FROM helpdesk_followup))"
            )
    if args.analyze:
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
    elapsed = time.perf_counter() - t0

    db = settings.DATABASES["default"]
    manifest = {
        "tickets": n,
        "followups": followups_total,
        "open_tickets": open_count,
        "customers": customers,
        "queues": queue_ids,
        "big_queue": queue_ids[0],
        "max_ticket_id": n,
        "staff": {"username": STAFF_USERNAME, "password": STAFF_PASSWORD},
        "customer_accounts": [{**a, "password": CUSTOMER_PASSWORD} for a in accounts],
        # Submitters of random tickets: customers weighted by how often they write in.
        "sample_emails": sample_emails,
        "database": db["ENGINE"].rsplit(".", 1)[-1],
        "seed": args.seed,
        "load_seconds": round(load_seconds, 1),
        "elapsed_seconds": round(elapsed, 1),
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    manifest_path = Path(settings.BENCH_HOME) / "manifest.json"
    manifest_path.write_text(json.dumps(manifest, indent=2, ensure_ascii=False))
    size = ""
    if sqlite:
        size = f", {Path(db['NAME']).stat().st_size / 2**30:.2f} GiB"
    print(
        f"generated {n:,} tickets, {followups_total:,} follow-ups, {open_count:,} open, "
        f"{len(queue_ids)} queues, {customers:,} customers in {elapsed:.1f} s "
        f"(rows {load_seconds:.1f} s{', then ANALYZE' if args.analyze else ''}{size})"
    )
    print(f"manifest: {manifest_path}")
    return 0


def write_rows(cur, sqlite: bool, table: str, columns: str, rows: list[tuple]) -> None:
    """executemany on SQLite; COPY on PostgreSQL (psycopg 3), many times faster there."""
    if sqlite:
        marks = ", ".join(["%s"] * len(rows[0]))
        cur.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)  # noqa: S608
    else:
        with cur.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)


def _cumulative(weights):
    total, out = 0, []
    for w in weights:
        total += w
        out.append(total)
    return [c / total for c in out]


def _pick(cum, r: float) -> int:
    for k, c in enumerate(cum):
        if r < c:
            return k
    return len(cum) - 1


if __name__ == "__main__":
    sys.exit(main())
