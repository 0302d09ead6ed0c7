"""Generate a large, realistic, bilingual help-desk data set for the benchmarks.

    .venv/bin/python -m bench.generate --tickets 1000000 [--events-per-ticket 5] [--seed 1]

Run it from the repository root. It uses the app's own settings (``SAMPARK_HOME``,
``SAMPARK_DATABASE_URL``), migrates first, and refuses to run on a database that already has
tickets: point ``SAMPARK_HOME`` (SQLite) or ``SAMPARK_DATABASE_URL`` at a fresh one.

What it creates: ~30 agents (users and agent profiles) across ten L1/L2/L3 groups, ~1.5k
organizations (some with account managers and email domains), N/4 contacts with normalised
email and phone identities, N tickets written in Hindi (Devanagari), English and Hinglish over
the last two years (~10% still active, the rest solved or closed, P1 rare) and ~5 events per
ticket (created, customer messages, replies, notes, calls, assignment and status changes) in
time order. The ticket counter is set past the last number, an API token is issued to an agent
of the biggest group, and ``$SAMPARK_HOME/bench.json`` lists what ``bench.http_bench`` needs.

The small tables go through the services and the ORM. Contacts, identities, tickets and events
take a bulk path: secondary indexes (and, on PostgreSQL, foreign keys) are dropped, rows go in
with ``executemany`` (SQLite, ``synchronous=OFF``) or ``COPY`` (PostgreSQL) in large
transactions, then the indexes and constraints are rebuilt and the tables analysed.
"""

from __future__ import annotations

import argparse
import bisect
import contextlib
import json
import math
import os
import queue
import random
import sys
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

# --- the corpus -----------------------------------------------------------------------------
# (Latin, Devanagari) pairs; Latin forms also build email addresses.
FIRST_NAMES = [
    ("Aarav", "आरव"),
    ("Priya", "प्रिया"),
    ("Rahul", "राहुल"),
    ("Sunita", "सुनीता"),
    ("Amit", "अमित"),
    ("Neha", "नेहा"),
    ("Vikram", "विक्रम"),
    ("Pooja", "पूजा"),
    ("Rajesh", "राजेश"),
    ("Kavita", "कविता"),
    ("Sanjay", "संजय"),
    ("Anjali", "अंजलि"),
    ("Manoj", "मनोज"),
    ("Deepa", "दीपा"),
    ("Arjun", "अर्जुन"),
    ("Meera", "मीरा"),
    ("Suresh", "सुरेश"),
    ("Ritu", "रितु"),
    ("Karan", "करण"),
    ("Shreya", "श्रेया"),
    ("Imran", "इमरान"),
    ("Farah", "फ़रा"),
    ("Gurpreet", "गुरप्रीत"),
    ("Harleen", "हरलीन"),
    ("Joseph", "जोसेफ़"),
    ("Lakshmi", "लक्ष्मी"),
    ("Venkat", "वेंकट"),
    ("Divya", "दिव्या"),
    ("Ramesh", "रमेश"),
    ("Geeta", "गीता"),
    ("Mohit", "मोहित"),
    ("Nisha", "निशा"),
]
LAST_NAMES = [
    ("Sharma", "शर्मा"),
    ("Verma", "वर्मा"),
    ("Gupta", "गुप्ता"),
    ("Singh", "सिंह"),
    ("Kumar", "कुमार"),
    ("Patel", "पटेल"),
    ("Yadav", "यादव"),
    ("Mishra", "मिश्रा"),
    ("Reddy", "रेड्डी"),
    ("Iyer", "अय्यर"),
    ("Khan", "ख़ान"),
    ("Das", "दास"),
    ("Joshi", "जोशी"),
    ("Chauhan", "चौहान"),
    ("Agarwal", "अग्रवाल"),
    ("Nair", "नायर"),
    ("Mehta", "मेहता"),
    ("Bose", "बोस"),
    ("Tiwari", "तिवारी"),
    ("Pandey", "पांडे"),
]
CITIES = [
    ("Delhi", "दिल्ली"),
    ("Mumbai", "मुंबई"),
    ("Lucknow", "लखनऊ"),
    ("Jaipur", "जयपुर"),
    ("Patna", "पटना"),
    ("Bhopal", "भोपाल"),
    ("Indore", "इंदौर"),
    ("Kanpur", "कानपुर"),
    ("Pune", "पुणे"),
    ("Ahmedabad", "अहमदाबाद"),
    ("Varanasi", "वाराणसी"),
    ("Chandigarh", "चंडीगढ़"),
    ("Noida", "नोएडा"),
    ("Gurugram", "गुरुग्राम"),
    ("Nagpur", "नागपुर"),
    ("Dehradun", "देहरादून"),
    ("Ranchi", "रांची"),
    ("Raipur", "रायपुर"),
    ("Bengaluru", "बेंगलुरु"),
    ("Hyderabad", "हैदराबाद"),
]
ORG_WORDS = [
    "Shree Ganesh",
    "Bharat",
    "Saraswati",
    "Lakshmi",
    "Om Sai",
    "Navkar",
    "Sagar",
    "Kaveri",
    "Ganga",
    "Himalaya",
    "Deccan",
    "Sahyadri",
    "Vindhya",
    "Narmada",
    "Aravali",
    "Konark",
    "Ajanta",
    "Nilgiri",
    "Surya",
    "Chandra",
]
ORG_TRADES = [
    "Traders",
    "Industries",
    "Textiles",
    "Pharma",
    "Logistics",
    "Motors",
    "Foods",
    "Electronics",
    "Infotech",
    "Steels",
    "Agro",
    "Hospital",
    "Academy",
    "Builders",
    "Jewellers",
    "Paper Mills",
    "Cold Storage",
    "Finance",
    "Polymers",
    "Cables",
]
ORG_SUFFIXES = ["Pvt Ltd", "Ltd", "LLP", "& Sons", "Co."]
FREE_MAIL = ["gmail.com", "yahoo.co.in", "rediffmail.com", "outlook.com", "hotmail.com"]

# Groups: (name, Hindi name, tier). The first is the seeded default group ("Front desk").
GROUPS = [
    ("Front desk", "फ्रंट डेस्क", "L1"),
    ("Billing and refunds", "बिलिंग और रिफंड", "L1"),
    ("Hindi helpline", "हिंदी हेल्पलाइन", "L1"),
    ("Field service North", "फ़ील्ड सर्विस उत्तर", "L1"),
    ("Field service West", "फ़ील्ड सर्विस पश्चिम", "L1"),
    ("Network support", "नेटवर्क सहायता", "L2"),
    ("Hardware repair", "हार्डवेयर मरम्मत", "L2"),
    ("Applications", "एप्लिकेशन सहायता", "L2"),
    ("Engineering", "इंजीनियरिंग", "L3"),
    ("Vendor escalations", "वेंडर एस्केलेशन", "L3"),
]
# Agents per tier and the groups (indexes into GROUPS) each tier's agents are spread over.
AGENT_TIERS = [("L1", 16, [1, 2, 3, 4]), ("L2", 9, [5, 6, 7]), ("L3", 5, [8, 9])]


@dataclass(frozen=True)
class Topic:
    key: str
    category: str
    type: str
    weight: float
    severe: bool
    groups: tuple[int, ...]
    products: tuple[str, ...]
    en: tuple[str, str]
    hi: tuple[str, str]
    hl: tuple[str, str]  # Hinglish: Hindi in Latin script


PRINTERS = ("HP LaserJet M404", "Canon imageCLASS LBP2900", "Epson L3250", "Brother HL-L2321D")
ACS = ("Voltas 1.5 ton split AC", "Daikin FTKF50", "Blue Star 2 ton AC", "LG Dual Inverter AC")
INVERTERS = ("Luminous Zelio 1100", "Microtek 900VA", "Exide Inva Master", "V-Guard Prime 1150")
PURIFIERS = ("Kent Grand Plus", "Aquaguard Aura", "Livpure Glo", "Pureit Classic")
DEVICES = ("Dell Latitude 5420", "Lenovo ThinkPad E14", "Samsung 24 inch monitor", "HP EliteDesk")
SOFTWARE = ("Tally Prime", "Microsoft 365", "Zoho Books", "Quick Heal Total Security")

TOPICS = [
    Topic(
        "printer",
        "hardware/printer",
        "incident",
        8,
        False,
        (3, 4, 6),
        PRINTERS,
        (
            "Printer not printing, paper jam light blinking",
            "Our {product} at the {city} office shows a paper jam light but no paper is stuck "
            "inside. We restarted it twice. Serial number {serial}. Please send an engineer.",
        ),
        (
            "प्रिंटर प्रिंट नहीं कर रहा, पेपर जैम की लाइट जल रही है",
            "{city} ऑफिस का {product} पेपर जैम दिखा रहा है, लेकिन अंदर कोई कागज़ नहीं फँसा है। "
            "हमने दो बार रीस्टार्ट किया। सीरियल नंबर {serial}। कृपया इंजीनियर भेजिए।",
        ),
        (
            "Printer print nahi kar raha, paper jam light blink ho rahi hai",
            "{city} office ka {product} paper jam dikha raha hai par andar koi paper nahi "
            "phansa. Do baar restart kiya. Serial no {serial}. Please engineer bhejiye.",
        ),
    ),
    Topic(
        "internet",
        "network/broadband",
        "incident",
        8,
        False,
        (5,),
        ("broadband", "leased line", "fibre connection"),
        (
            "Internet down since morning",
            "The {product} at our {city} branch is down since morning and all lights on the "
            "router are red. Account number {account}. Our billing work is stuck.",
        ),
        (
            "सुबह से इंटरनेट बंद है",
            "{city} शाखा का {product} सुबह से बंद है, राउटर की सारी लाइटें लाल हैं। "
            "खाता संख्या {account}। हमारा बिलिंग का काम रुका हुआ है।",
        ),
        (
            "Subah se internet band hai",
            "{city} branch ka {product} subah se down hai, router ki saari lights red hain. "
            "Account no {account}. Billing ka kaam ruka hua hai.",
        ),
    ),
    Topic(
        "refund",
        "billing/refund",
        "request",
        9,
        False,
        (1,),
        ("order",),
        (
            "Refund not received for order {order}",
            "I cancelled order {order} {days} days ago but the refund of Rs {amount} has not "
            "reached my account yet.",
        ),
        (
            "ऑर्डर {order} का रिफंड नहीं मिला",
            "मैंने {days} दिन पहले ऑर्डर {order} कैंसल किया था, लेकिन ₹{amount} का रिफंड अभी तक "
            "मेरे खाते में नहीं आया।",
        ),
        (
            "Order {order} ka refund nahi mila",
            "Maine {days} din pehle order {order} cancel kiya tha lekin Rs {amount} ka refund "
            "abhi tak account mein nahi aaya.",
        ),
    ),
    Topic(
        "ac",
        "hardware/ac",
        "incident",
        6,
        False,
        (3, 4, 6),
        ACS,
        (
            "AC not cooling after service",
            "The {product} at our {city} office stopped cooling after last week's service "
            "visit. It only blows warm air.",
        ),
        (
            "सर्विस के बाद एसी ठंडा नहीं कर रहा",
            "पिछले हफ़्ते की सर्विस के बाद से हमारे {city} ऑफिस का {product} ठंडा नहीं कर रहा। "
            "सिर्फ़ गर्म हवा आ रही है।",
        ),
        (
            "Service ke baad AC cooling nahi kar raha",
            "Pichle hafte service ke baad se {city} office ka {product} cooling nahi kar raha. "
            "Sirf garam hawa aa rahi hai.",
        ),
    ),
    Topic(
        "gst",
        "billing/invoice",
        "request",
        5,
        False,
        (1,),
        ("invoice",),
        (
            "Wrong GST number on invoice",
            "The invoice for order {order} has the wrong GSTIN. Please issue a corrected "
            "invoice; we cannot file returns without it.",
        ),
        (
            "बिल पर GST नंबर गलत है",
            "ऑर्डर {order} के बिल पर GSTIN गलत छपा है। कृपया सही बिल भेजिए, इसके बिना हम "
            "रिटर्न फ़ाइल नहीं कर सकते।",
        ),
        (
            "Invoice pe GST number galat hai",
            "Order {order} ke invoice pe GSTIN galat hai. Please corrected invoice bhejiye, "
            "iske bina return file nahi ho payega.",
        ),
    ),
    Topic(
        "login",
        "software/portal",
        "question",
        7,
        False,
        (7,),
        ("customer portal",),
        (
            "Cannot log in to the portal",
            "I reset my password twice but the {product} still says invalid credentials. My "
            "registered mobile ends in {last4}.",
        ),
        (
            "पोर्टल में लॉग इन नहीं हो रहा",
            "मैंने दो बार पासवर्ड रीसेट किया, फिर भी पोर्टल गलत जानकारी बता रहा है। मेरा "
            "रजिस्टर्ड मोबाइल {last4} पर ख़त्म होता है।",
        ),
        (
            "Portal mein login nahi ho raha",
            "Do baar password reset kiya phir bhi portal invalid credentials bol raha hai. "
            "Registered mobile {last4} pe end hota hai.",
        ),
    ),
    Topic(
        "delivery",
        "orders/delivery",
        "complaint",
        8,
        False,
        (1, 3, 4),
        ("order",),
        (
            "Delivery delayed for order {order}",
            "Order {order} was promised in 3 days and it has been {days} days. Tracking has not "
            "updated since it left the {city} hub.",
        ),
        (
            "ऑर्डर {order} की डिलीवरी में देरी",
            "ऑर्डर {order} तीन दिन में आना था, {days} दिन हो गए। {city} हब से निकलने के बाद "
            "ट्रैकिंग अपडेट नहीं हुई।",
        ),
        (
            "Order {order} ki delivery late hai",
            "Order {order} 3 din mein aana tha, {days} din ho gaye. {city} hub se nikalne ke "
            "baad tracking update nahi hui.",
        ),
    ),
    Topic(
        "inverter",
        "hardware/power",
        "incident",
        5,
        False,
        (3, 4, 6),
        INVERTERS,
        (
            "Inverter battery draining fast",
            "Our {product} now gives only 20 minutes of backup; earlier it ran for 3 hours. "
            "Warranty card attached, serial {serial}.",
        ),
        (
            "इन्वर्टर की बैटरी जल्दी ख़त्म हो रही है",
            "हमारा {product} अब सिर्फ़ 20 मिनट बैकअप देता है, पहले 3 घंटे चलता था। वारंटी "
            "कार्ड साथ में है, सीरियल {serial}।",
        ),
        (
            "Inverter battery jaldi khatam ho rahi hai",
            "Hamara {product} ab sirf 20 minute backup deta hai, pehle 3 ghante chalta tha. "
            "Warranty card attach hai, serial {serial}.",
        ),
    ),
    Topic(
        "install",
        "hardware/installation",
        "task",
        5,
        False,
        (3, 4),
        PRINTERS + ACS + PURIFIERS,
        (
            "Installation request for a new {product}",
            "We bought a new {product} for the {city} office. Please schedule the installation "
            "next week, any weekday after 11 am.",
        ),
        (
            "नए {product} का इंस्टॉलेशन",
            "हमने {city} ऑफिस के लिए नया {product} लिया है। कृपया अगले हफ़्ते इंस्टॉलेशन तय "
            "करें, किसी भी कार्यदिवस पर 11 बजे के बाद।",
        ),
        (
            "Naye {product} ka installation chahiye",
            "{city} office ke liye naya {product} liya hai. Next week installation schedule "
            "kar dijiye, weekday 11 baje ke baad.",
        ),
    ),
    Topic(
        "pos",
        "retail/pos",
        "incident",
        3,
        True,
        (5, 7, 8),
        ("POS terminal",),
        (
            "All billing counters down at the {city} store",
            "None of the {product}s at our {city} store can connect to the server. Customers "
            "are waiting in the queue. Urgent!",
        ),
        (
            "{city} स्टोर के सभी बिलिंग काउंटर बंद",
            "हमारे {city} स्टोर के किसी भी POS टर्मिनल का सर्वर से कनेक्शन नहीं हो रहा। ग्राहक "
            "लाइन में खड़े हैं। बहुत ज़रूरी है!",
        ),
        (
            "{city} store ke saare billing counter band",
            "{city} store ke kisi bhi POS terminal ka server se connection nahi ho raha. "
            "Customers line mein khade hain. Urgent hai!",
        ),
    ),
    Topic(
        "double_charge",
        "billing/payment",
        "complaint",
        5,
        False,
        (1,),
        ("card",),
        (
            "Charged twice for the same payment",
            "My {product} was charged Rs {amount} two times for order {order}. Please reverse "
            "the extra charge.",
        ),
        (
            "एक ही भुगतान के लिए दो बार पैसे कटे",
            "ऑर्डर {order} के लिए मेरे कार्ड से ₹{amount} दो बार कट गए। कृपया अतिरिक्त राशि वापस करें।",
        ),
        (
            "Ek hi payment ke liye do baar paise kate",
            "Order {order} ke liye card se Rs {amount} do baar kat gaye. Please extra amount "
            "wapas kar dijiye.",
        ),
    ),
    Topic(
        "email_sync",
        "software/email",
        "incident",
        5,
        False,
        (5, 7),
        SOFTWARE,
        (
            "Emails not syncing on mobile",
            "Since the update, office emails from {product} do not sync on my phone. The laptop "
            "works fine. It happens for the whole {city} team.",
        ),
        (
            "मोबाइल पर ईमेल सिंक नहीं हो रहे",
            "अपडेट के बाद से ऑफिस के ईमेल फ़ोन पर सिंक नहीं हो रहे। लैपटॉप पर ठीक चल रहा है। "
            "पूरी {city} टीम के साथ यही हो रहा है।",
        ),
        (
            "Mobile pe emails sync nahi ho rahe",
            "Update ke baad se office ke emails phone pe sync nahi ho rahe. Laptop pe theek "
            "hai. Poori {city} team ke saath ho raha hai.",
        ),
    ),
    Topic(
        "purifier",
        "hardware/appliance",
        "incident",
        4,
        False,
        (3, 4),
        PURIFIERS,
        (
            "Water purifier leaking",
            "The {product} in our pantry has been leaking from the bottom for {days} days. "
            "Please send a technician.",
        ),
        (
            "वॉटर प्यूरीफ़ायर से पानी टपक रहा है",
            "हमारी पैंट्री का {product} {days} दिनों से नीचे से टपक रहा है। कृपया टेक्नीशियन भेजें।",
        ),
        (
            "Water purifier leak ho raha hai",
            "Pantry ka {product} {days} din se neeche se leak ho raha hai. Please technician "
            "bhej dijiye.",
        ),
    ),
    Topic(
        "address",
        "account/address",
        "request",
        3,
        False,
        (1,),
        ("account",),
        (
            "Update the billing address",
            "We have moved our office to {city}. Please update the billing address on account "
            "{account}.",
        ),
        (
            "बिलिंग पता बदलना है",
            "हमारा ऑफिस {city} में शिफ़्ट हो गया है। कृपया खाता {account} पर बिलिंग पता बदल दें।",
        ),
        (
            "Billing address change karna hai",
            "Hamara office {city} shift ho gaya hai. Account {account} pe billing address "
            "update kar dijiye.",
        ),
    ),
    Topic(
        "visit_complaint",
        "service/visit",
        "complaint",
        3,
        False,
        (3, 4, 6),
        PRINTERS + ACS + INVERTERS,
        (
            "Complaint about a service visit",
            "The engineer who came on Saturday left without fixing the {product} and did not "
            "answer our calls afterwards.",
        ),
        (
            "सर्विस विज़िट की शिकायत",
            "शनिवार को आए इंजीनियर {product} ठीक किए बिना चले गए और बाद में फ़ोन भी नहीं उठाया।",
        ),
        (
            "Service visit ki shikayat",
            "Saturday ko jo engineer aaye the woh {product} theek kiye bina chale gaye aur phone "
            "bhi nahi uthaya.",
        ),
    ),
    Topic(
        "licence",
        "software/licence",
        "request",
        3,
        False,
        (7,),
        SOFTWARE,
        (
            "Licence renewal quote needed",
            "Our {product} licences expire next month. Please share a renewal quote for 25 users.",
        ),
        (
            "लाइसेंस नवीनीकरण का कोटेशन चाहिए",
            "हमारे {product} लाइसेंस अगले महीने ख़त्म हो रहे हैं। कृपया 25 यूज़र के लिए नवीनीकरण का कोटेशन भेजें।",
        ),
        (
            "License renewal ka quote chahiye",
            "Hamare {product} licenses next month expire ho rahe hain. 25 users ke liye "
            "renewal quote bhej dijiye.",
        ),
    ),
    Topic(
        "vpn",
        "network/vpn",
        "incident",
        4,
        False,
        (5, 8),
        ("VPN",),
        (
            "VPN very slow from {city}",
            "Connecting to the head office {product} from {city} takes minutes and file "
            "transfers keep failing.",
        ),
        (
            "{city} से VPN बहुत धीमा",
            "{city} से हेड ऑफिस का VPN जुड़ने में कई मिनट लगते हैं और फ़ाइलें भेजते समय बार-बार फ़ेल हो जाता है।",
        ),
        (
            "{city} se VPN bahut slow hai",
            "{city} se head office VPN connect hone mein minutes lagte hain aur file transfer "
            "baar baar fail ho raha hai.",
        ),
    ),
    Topic(
        "otp",
        "software/payments",
        "question",
        5,
        False,
        (7,),
        ("OTP",),
        (
            "OTP not received",
            "I am not getting the {product} SMS to confirm the payment for order {order}. Tried "
            "five times.",
        ),
        (
            "OTP नहीं आ रहा",
            "ऑर्डर {order} का भुगतान पक्का करने के लिए OTP वाला SMS नहीं आ रहा। पाँच बार कोशिश की।",
        ),
        (
            "OTP nahi aa raha",
            "Order {order} ka payment confirm karne ke liye OTP SMS nahi aa raha. Paanch baar "
            "try kiya.",
        ),
    ),
    Topic(
        "warranty",
        "hardware/warranty",
        "request",
        4,
        False,
        (6, 9),
        DEVICES,
        (
            "Warranty claim for {product}",
            "The display of our {product} shows vertical lines. It is under warranty until next "
            "year, serial {serial}.",
        ),
        (
            "{product} के लिए वारंटी क्लेम",
            "हमारे {product} की स्क्रीन पर खड़ी लाइनें आ रही हैं। यह अगले साल तक वारंटी में है, "
            "सीरियल {serial}।",
        ),
        (
            "{product} ka warranty claim",
            "Hamare {product} ki screen pe vertical lines aa rahi hain. Agle saal tak warranty "
            "mein hai, serial {serial}.",
        ),
    ),
    Topic(
        "server",
        "infrastructure/server",
        "problem",
        2,
        True,
        (8, 9),
        ("ERP server", "mail server", "file server"),
        (
            "Production server not responding",
            "Our {product} at the {city} data centre stopped responding at {hour}:00. Plant "
            "operations are stopped.",
        ),
        (
            "प्रोडक्शन सर्वर जवाब नहीं दे रहा",
            "{city} डेटा सेंटर का हमारा {product} {hour} बजे से जवाब नहीं दे रहा। पूरे प्लांट का काम रुका है।",
        ),
        (
            "Production server respond nahi kar raha",
            "{city} data centre ka {product} {hour} baje se respond nahi kar raha. Poore plant "
            "ka kaam ruka hai.",
        ),
    ),
]

REPLIES = {
    "en": [
        "Thank you for reaching out. I have logged this and an engineer will call you within "
        "4 working hours.",
        "We have checked your account and found the issue. It will be fixed by tomorrow evening.",
        "Could you please share a photo of the error and the serial number from the back panel?",
        "We have escalated this to the specialist team; you will hear from us today.",
        "Our technician has been assigned and will visit tomorrow between 11 am and 2 pm.",
        "We have applied the fix remotely. Please check and confirm whether it works now.",
    ],
    "hi": [
        "संपर्क करने के लिए धन्यवाद। आपकी शिकायत दर्ज हो गई है, इंजीनियर 4 कार्य घंटों में आपको फ़ोन करेंगे।",
        "हमने आपका खाता जाँच लिया है और समस्या मिल गई है। कल शाम तक ठीक हो जाएगी।",
        "कृपया त्रुटि की फ़ोटो और पीछे लिखा सीरियल नंबर भेजें।",
        "हमने यह मामला विशेषज्ञ टीम को भेज दिया है, आज ही आपसे संपर्क किया जाएगा।",
        "टेक्नीशियन तय हो गए हैं, वे कल 11 से 2 बजे के बीच आएँगे।",
        "हमने रिमोट से सुधार कर दिया है। कृपया जाँचकर बताएँ कि अब ठीक है या नहीं।",
    ],
    "hl": [
        "Contact karne ke liye thank you. Complaint register ho gayi hai, engineer 4 working "
        "hours mein call karenge.",
        "Humne account check kar liya hai, issue mil gaya hai. Kal shaam tak fix ho jayega.",
        "Please error ki photo aur back panel pe likha serial number bhej dijiye.",
        "Specialist team ko escalate kar diya hai, aaj hi aapse contact karenge.",
        "Technician assign ho gaye hain, kal 11 se 2 baje ke beech visit karenge.",
        "Remote se fix apply kar diya hai. Please check karke batayiye ab theek hai ya nahi.",
    ],
}
FOLLOW_UPS = {
    "en": [
        "Any update on this? It is still not working.",
        "Thanks, I have sent the photos as asked.",
        "The engineer has not come yet, please check.",
        "It is working now, thank you for the quick help.",
        "Please call me on my mobile, I cannot check mail often.",
    ],
    "hi": [
        "इस पर कोई अपडेट? अभी भी काम नहीं कर रहा।",
        "धन्यवाद, मैंने फ़ोटो भेज दी हैं।",
        "इंजीनियर अभी तक नहीं आए, कृपया देखें।",
        "अब ठीक चल रहा है, जल्दी मदद के लिए धन्यवाद।",
        "कृपया मेरे मोबाइल पर फ़ोन करें, मैं मेल कम देख पाता हूँ।",
    ],
    "hl": [
        "Koi update? Abhi bhi kaam nahi kar raha.",
        "Thanks, photos bhej di hain.",
        "Engineer abhi tak nahi aaye, please check kijiye.",
        "Ab theek chal raha hai, jaldi help ke liye thanks.",
        "Please mobile pe call kijiye, mail kam dekh pata hoon.",
    ],
}
NOTES = [
    "Checked the logs; looks like a firmware issue. Asked L2 to take a look.",
    "Enterprise account: keep the account manager in the loop.",
    "Spare part ordered from the Pune warehouse, ETA 2 days.",
    "Same customer raised this last month too; see the earlier ticket.",
    "L2 se baat ki, kal tak patch aa jayega.",
    "Customer ne do baar call kiya, priority dekh lo.",
    "Refund approved by finance, UTR awaited.",
    "ग्राहक से बात हुई, कल फिर फ़ोन करना है।",
]
CALLS = {
    "en": [
        "Called the customer and walked them through a restart; resolved on the call.",
        "Customer called for a status update; explained the engineer visit timing.",
        "Outbound call: confirmed the address and the visit slot.",
    ],
    "hi": [
        "ग्राहक को फ़ोन किया, रीस्टार्ट करवाया; कॉल पर ही समस्या हल हो गई।",
        "ग्राहक ने स्थिति जानने के लिए फ़ोन किया, इंजीनियर के आने का समय बताया।",
        "पता और विज़िट का समय फ़ोन पर पक्का किया।",
    ],
    "hl": [
        "Customer ko call kiya, restart karwaya; call pe hi issue solve ho gaya.",
        "Customer ne status ke liye call kiya, engineer visit ka time bataya.",
        "Outbound call: address aur visit slot confirm kiya.",
    ],
}

CHANNELS = ["email", "phone", "web", "chat", "messaging", "api"]
CHANNEL_WEIGHTS = [40, 20, 15, 12, 10, 3]
PRIORITY_WEIGHTS = {"P1": 2, "P2": 10, "P3": 63, "P4": 25}
SEVERE_PRIORITY_WEIGHTS = {"P1": 30, "P2": 50, "P3": 20, "P4": 0}
ACTIVE_STATUS_WEIGHTS = {"new": 20, "open": 45, "pending": 25, "on_hold": 10}
# Hour-of-day weights (IST) for when tickets arrive.
HOUR_WEIGHTS = [
    0.3,
    0.2,
    0.2,
    0.2,
    0.2,
    0.3,
    0.6,
    1.2,
    2.5,
    4.5,
    6.0,
    6.5,
    6.0,
    5.5,
    6.0,
    6.0,
    5.5,
    5.0,
    4.0,
    3.0,
    2.5,
    2.0,
    1.2,
    0.6,
]
IST_OFFSET = 5.5 * 3600
DAY = 86400.0
HOUR = 3600.0
SPAN_DAYS = 730
RECENT_DAYS = 45
ACTIVE_SHARE = 0.10
RECENT_ACTIVE = 0.6
EPOCH = datetime(1970, 1, 1)  # naive UTC, as Django writes datetimes to SQLite
EPOCH_UTC = EPOCH.replace(tzinfo=UTC)

PHONE_MULTIPLIER = 2_654_435_761  # odd and not a multiple of 5: a bijection mod 4 * 10**9


def phone_for(index: int) -> str:
    """A distinct, valid Indian mobile number (E.164) for each non-negative index."""
    return f"+91{6_000_000_000 + (index * PHONE_MULTIPLIER + 12_345) % 4_000_000_000}"


def _cumulative(weights) -> list[float]:
    total, out = 0.0, []
    for weight in weights:
        total += weight
        out.append(total)
    return [c / total for c in out]


def _pick(rng_random, values, cum):
    return values[bisect.bisect_right(cum, rng_random() * 0.999999999)]


def _coprime_multiplier(n: int, start: int = 48_271) -> int:
    m = start
    while math.gcd(m, n) != 1:
        m += 1
    return m


# --- the bulk writer --------------------------------------------------------------------------


class BulkWriter:
    """Raw, fast inserts on the Django connection: executemany (SQLite) or COPY (PostgreSQL).

    Datetimes are passed as text in each backend's own format, so Django reads them back
    exactly as if it had written them.
    """

    def __init__(self, connection):
        connection.ensure_connection()
        self.connection = connection
        self.vendor = connection.vendor
        if self.vendor not in ("sqlite", "postgresql"):
            raise SystemExit(f"bench.generate supports SQLite and PostgreSQL, not {self.vendor}")
        self.pg = self.vendor == "postgresql"

    @property
    def raw(self):
        return self.connection.connection

    def dt(self, epoch: float) -> str:
        text = str(EPOCH + timedelta(seconds=epoch))
        return text + "+00" if self.pg else text

    def execute(self, sql: str, params=()) -> list:
        with self.connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall() if cursor.description else []

    def insert(self, table: str, columns: list[str], rows: list[tuple], extra: tuple = ()) -> None:
        if not rows:
            return
        if extra:
            rows = [row + extra for row in rows]
        names = ", ".join(f'"{c}"' for c in columns)
        cursor = self.raw.cursor()
        try:
            if self.pg:
                with cursor.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
                    write_row = copy.write_row
                    for row in rows:
                        write_row(row)
            else:
                marks = ", ".join("?" * len(columns))
                sql = f'INSERT INTO "{table}" ({names}) VALUES ({marks})'  # noqa: S608 - our names
                cursor.executemany(sql, rows)
        finally:
            cursor.close()

    # Secondary indexes and (PostgreSQL) foreign keys, dropped for the load and rebuilt after.
    def secondary_indexes(self, table: str) -> list[tuple[str, str]]:
        if self.pg:
            return self.execute(
                "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x "
                "JOIN pg_class i ON i.oid = x.indexrelid WHERE x.indrelid = %s::regclass "
                "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid) "
                "ORDER BY i.relname",
                [f'"{table}"'],
            )
        return self.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s "
            "AND sql IS NOT NULL ORDER BY name",
            [table],
        )

    def foreign_keys(self, table: str) -> list[tuple[str, str]]:
        if not self.pg:
            return []
        return self.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype = 'f' ORDER BY conname",
            [f'"{table}"'],
        )


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _extra_columns(model, columns: list[str], writer: BulkWriter) -> tuple[list[str], tuple]:
    """Columns the generator does not know (added by later migrations) that cannot be NULL,
    with their model defaults, so that the raw inserts keep working as the schema grows."""
    from django.db import models

    names, values = [], []
    for field in model._meta.concrete_fields:
        if field.column in columns or field.null or field.primary_key:
            continue
        default = field.get_default()
        if isinstance(field, models.JSONField):
            value = json.dumps(default)
        elif isinstance(field, models.DateTimeField):
            value = writer.dt((default or datetime.now(UTC)).timestamp())
        elif isinstance(field, models.BooleanField):
            value = bool(default)
        else:
            value = field.get_db_prep_save(default, writer.connection)
        names.append(field.column)
        values.append(value)
    return columns + names, tuple(values)


# --- the generator ------------------------------------------------------------------------


@dataclass
class Summary:
    backend: str
    tickets: int
    events: int
    active: int
    contacts: int
    identities: int
    organizations: int
    agents: int
    groups: int
    seconds: float
    phases: dict
    bench_file: str

    @property
    def rows(self) -> int:
        return self.tickets + self.events + self.contacts + self.identities

    def __str__(self) -> str:
        phases = ", ".join(f"{k} {v:.1f}s" for k, v in self.phases.items())
        return (
            f"{self.backend}: {self.tickets:,} tickets, {self.events:,} events "
            f"({self.events / max(self.tickets, 1):.2f}/ticket), {self.active:,} active "
            f"({100 * self.active / max(self.tickets, 1):.1f}%), {self.contacts:,} contacts, "
            f"{self.identities:,} identities, {self.organizations:,} organizations, "
            f"{self.agents} agents in {self.groups} groups\n"
            f"elapsed {self.seconds:.1f}s, {self.rows / max(self.seconds, 1e-9):,.0f} rows/s "
            f"({self.tickets / max(self.seconds, 1e-9):,.0f} tickets/s); {phases}\n"
            f"benchmark file: {self.bench_file}"
        )


def insert_active_clocks(writer: BulkWriter, *, seed: int, now: datetime) -> int:
    """An SLA clock row for every active ticket, as ``start_clocks`` would have left it: the
    ticket's policy, its targets' states (first response met or running, paused while pending
    or on hold) and a next deadline between an hour and five days ahead, with the due times
    and the ticket's group and owner that the queues and counts read from the clock's indexes
    (``sla.services._clock_fields``). Returns the rows. Used by the generator and by
    ``bench.sla_sweep``, which refills them."""
    import random

    from sampark.sla.clocks import ClockState, DueTimes
    from sampark.sla.models import SLAPolicy, Target, TicketClock
    from sampark.tickets.models import ACTIVE_STATUSES, Ticket

    rng = random.Random(seed)
    by_priority: dict[int, SLAPolicy] = {}
    for policy in SLAPolicy.objects.filter(active=True).prefetch_related("priorities"):
        for priority in policy.priorities.all():
            by_priority.setdefault(priority.pk, policy)
    computed_at = writer.dt((now - EPOCH_UTC).total_seconds())
    columns = ["ticket_id", "policy_id", "clocks", "next_deadline", "computed_at"]
    columns += ["sla_due", "at_risk_from", "update_due", "ticket_group", "ticket_owner"]
    rows, total = [], 0
    tickets = (
        Ticket.objects.filter(status__in=ACTIVE_STATUSES)
        .values_list(
            "pk",
            "priority_id",
            "created_at",
            "first_responded_at",
            "status",
            "group_id",
            "owner_id",
        )
        .order_by()
    )

    def moment(value):
        return None if value is None else writer.dt((value - EPOCH_UTC).total_seconds())

    # Read to the end before writing: an open statement would hold a read snapshot.
    for pk, priority_id, created_at, responded_at, status, group_id, owner_id in list(tickets):
        policy = by_priority.get(priority_id)
        next_deadline = now + timedelta(seconds=rng.uniform(3600, 5 * 86400))
        states = {}
        if policy is not None:
            paused = status in ("pending", "on_hold")
            cycle = created_at.astimezone(UTC).isoformat()
            for target in Target:
                minutes = policy.target_minutes(target)
                if not minutes:
                    continue
                if target == Target.FIRST_RESPONSE and responded_at:
                    due = created_at + timedelta(minutes=minutes)
                    states[target] = ClockState(
                        due=due, met_at=responded_at, breached=responded_at > due, cycle=cycle
                    )
                elif target == Target.NEXT_RESPONSE and not responded_at:
                    states[target] = ClockState()
                elif paused:
                    states[target] = ClockState(paused=True, cycle=cycle)
                else:
                    due = next_deadline + timedelta(minutes=minutes * (1 - policy.warn_fraction))
                    states[target] = ClockState(due=due, warn_at=next_deadline, cycle=cycle)
        stored = {target: state.as_json() for target, state in states.items()}
        due = DueTimes.of(stored)
        rows.append(
            (
                pk,
                policy.pk if policy else None,
                json.dumps(stored),
                writer.dt((next_deadline - EPOCH_UTC).total_seconds()),
                computed_at,
                moment(due.sla_due),
                moment(due.at_risk_from),
                moment(due.update_due),
                group_id,
                owner_id,
            )
        )
        if len(rows) >= 20_000:
            writer.insert(TicketClock._meta.db_table, columns, rows)
            total += len(rows)
            rows = []
    writer.insert(TicketClock._meta.db_table, columns, rows)
    return total + len(rows)


class Generator:
    def __init__(
        self,
        *,
        tickets: int,
        events_per_ticket: float = 5.0,
        seed: int = 1,
        batch: int = 10_000,
        out: str | Path | None = None,
        rebuild_indexes: bool | None = None,
        progress: bool = True,
        end: datetime | None = None,
    ):
        from django.conf import settings
        from django.db import connection

        if tickets < 1:
            raise ValueError("need at least one ticket")
        self.n = tickets
        self.events_per_ticket = events_per_ticket
        self.rng = random.Random(seed)
        self.seed = seed
        self.batch = batch
        self.out = Path(out) if out else Path(settings.SAMPARK_HOME) / "bench.json"
        self.rebuild_indexes = tickets >= 50_000 if rebuild_indexes is None else rebuild_indexes
        self.progress = progress
        self.writer = BulkWriter(connection)
        self.connection = connection
        end = end or datetime.now(UTC).replace(second=0, microsecond=0)
        self.end = end.timestamp()
        self.start = self.end - SPAN_DAYS * DAY
        self.phases: dict[str, float] = {}

    # -- small tables, through services and the ORM --

    def _people(self) -> None:
        from django.contrib.auth import get_user_model

        from sampark.customers.models import Organization, OrganizationDomain
        from sampark.team.models import Group
        from sampark.team.services import create_agent, save_group
        from sampark.tickets.models import Priority

        rng = self.rng
        self.groups = []
        for i, (name, name_hi, tier) in enumerate(GROUPS):
            group = Group.objects.filter(is_default=True).first() if i == 0 else None
            group = group or Group.objects.filter(name=name).first()
            if group is None:
                group = save_group(name=name, name_hi=name_hi, tier=tier, is_default=i == 0)
            self.groups.append(group)

        users = get_user_model().objects
        self.members: list[list] = [[] for _ in self.groups]
        self.agents = []
        names = [(f, last) for f in FIRST_NAMES for last in LAST_NAMES]
        rng.shuffle(names)
        k = 0
        for tier, count, home in AGENT_TIERS:
            for j in range(count):
                (first, first_hi), (last, _last_hi) = names[k]
                k += 1
                email = f"{first}.{last}@sampark.example".lower()
                role = "agent"
                if k == 1:
                    role = "admin"
                elif j == 0 or (tier == "L1" and j == 1):
                    role = "supervisor"
                group_idx = [home[j % len(home)]]
                if tier == "L1":
                    group_idx.insert(0, 0)  # every L1 agent works the front desk
                elif j % 3 == 0:
                    group_idx.append(home[(j + 1) % len(home)])
                user = users.filter(email=email).first()
                if user is None:
                    profile = create_agent(
                        email=email,
                        name=f"{first} {last}",
                        role=role,
                        tier=tier,
                        groups=[self.groups[g] for g in group_idx],
                        languages=["hi", "en"] if j % 4 else ["en"],
                        capacity=rng.choice([15, 20, 25]),
                    )
                    user = profile.user
                ref = {"id": user.pk, "name": f"{first} {last}", "email": email}
                self.agents.append((user, tier, group_idx, ref))
                for g in group_idx:
                    self.members[g].append(user.pk)
        self.agent_ref = {user.pk: ref for user, _t, _g, ref in self.agents}
        # The benchmark agent: an L1 agent of the front desk (the biggest queue).
        self.bench_agent = self.agents[0][0] if self.agents[0][1] == "L1" else None
        for user, tier, group_idx, _ref in self.agents:
            if tier == "L1" and 0 in group_idx:
                self.bench_agent = user
                self.bench_groups = [self.groups[g].pk for g in group_idx]
                break

        # Organizations: the bigger ones mostly with an account manager; most with a domain.
        n_orgs = max(10, min(1500, self.n // 500))
        combos = [(w, t, s) for w in ORG_WORDS for t in ORG_TRADES for s in ORG_SUFFIXES]
        rng.shuffle(combos)
        managers = [user.pk for user, tier, _g, _r in self.agents if tier in ("L1", "L2")]
        orgs, used_domains, domains_for = [], set(), []
        for i in range(n_orgs):
            word, trade, suffix = combos[i % len(combos)]
            city = CITIES[(i // len(combos)) % len(CITIES)][0] if i >= len(combos) else ""
            name = " ".join(p for p in (word, trade, city, suffix) if p)
            tier = rng.choices(["standard", "business", "enterprise"], [70, 22, 8])[0]
            manager = (
                rng.choice(managers)
                if rng.random() < (0.8 if tier != "standard" else 0.2)
                else None
            )
            orgs.append(Organization(name=name, tier=tier, account_manager_id=manager))
            domain = None
            if rng.random() < 0.65:
                base = (word + trade).lower().replace(" ", "").replace("&", "")
                domain = (
                    f"{base}{'' if not city else city.lower()}.{rng.choice(['co.in', 'com', 'in'])}"
                )
                if domain in used_domains:
                    domain = f"{base}{i}.co.in"
                used_domains.add(domain)
            domains_for.append(domain)
        orgs = Organization.objects.bulk_create(orgs, batch_size=500)
        self.orgs = []  # (id, weight, email domain or None, account manager id or None)
        links = []
        for org, domain in zip(orgs, domains_for, strict=True):
            weight = {"standard": 1, "business": 4, "enterprise": 12}[org.tier]
            self.orgs.append((org.pk, weight, domain, org.account_manager_id))
            if domain:
                links.append(OrganizationDomain(organization=org, domain=domain))
        OrganizationDomain.objects.bulk_create(links, batch_size=500)

        self.priorities = {
            p.code: (p.pk, p.rank) for p in Priority.objects.filter(code__in=PRIORITY_WEIGHTS)
        }
        if len(self.priorities) != len(PRIORITY_WEIGHTS):
            raise SystemExit("priorities P1..P4 are missing; run the migrations first")
        self.priority_codes = list(PRIORITY_WEIGHTS)

    # -- contacts and identities, bulk --

    def _contacts(self) -> None:
        from sampark.customers.models import Contact, Identity

        rng, w = self.rng, self.writer
        rnd = rng.random
        n = self.n_contacts = max(1, self.n // 4)
        self.contact_base = (
            w.execute('SELECT COALESCE(MAX(id), 0) FROM "customers_contact"')[0][0] + 1
        )
        identity_id = w.execute('SELECT COALESCE(MAX(id), 0) FROM "customers_identity"')[0][0] + 1
        contact_cols, contact_extra = _extra_columns(
            Contact, ["id", "name", "language", "time_zone", "created_at", "organization_id"], w
        )
        identity_cols, identity_extra = _extra_columns(
            Identity, ["id", "kind", "value", "created_at", "contact_id"], w
        )
        org_cum = _cumulative([o[1] for o in self.orgs])
        self.c_org: list[int | None] = [None] * n
        self.c_lang: list[str] = ["en"] * n
        self.requester_samples = []
        sample_every = max(1, n // 200)
        self.identities = 0
        bar = self._bar(n, "contacts")
        for lo in range(0, n, 50_000):
            hi = min(n, lo + 50_000)
            contacts, identities = [], []
            for idx in range(lo, hi):
                cid = self.contact_base + idx
                first, first_hi = FIRST_NAMES[int(rnd() * len(FIRST_NAMES))]
                last, last_hi = LAST_NAMES[int(rnd() * len(LAST_NAMES))]
                lang = "hi" if rnd() < 0.5 else "en"
                name = (
                    f"{first_hi} {last_hi}" if lang == "hi" and rnd() < 0.6 else f"{first} {last}"
                )
                org = None
                domain = None
                if rnd() < 0.55:
                    org_id, _weight, domain, _am = self.orgs[
                        bisect.bisect_right(org_cum, rnd() * 0.999999)
                    ]
                    org = org_id
                if domain is None or rnd() < 0.1:
                    domain = FREE_MAIL[int(rnd() * len(FREE_MAIL))]
                created = w.dt(self.start - rnd() * 365 * DAY)
                contacts.append((cid, name, lang, "Asia/Kolkata", created, org))
                self.c_org[idx] = org
                self.c_lang[idx] = lang
                r = rnd()
                email = f"{first}.{last}.{cid}@{domain}".lower() if r < 0.95 else None
                phone = phone_for(cid) if r >= 0.10 else None
                if email:
                    identities.append((identity_id, "email", email, created, cid))
                    identity_id += 1
                if phone:
                    identities.append((identity_id, "phone", phone, created, cid))
                    identity_id += 1
                if (
                    email
                    and phone
                    and idx % sample_every == 0
                    and len(self.requester_samples) < 200
                ):
                    self.requester_samples.append(
                        {"id": cid, "name": name, "email": email, "phone": phone, "language": lang}
                    )
            with self._atomic():
                w.insert("customers_contact", contact_cols, contacts, contact_extra)
                w.insert("customers_identity", identity_cols, identities, identity_extra)
            self.identities += len(identities)
            bar.update(hi - lo)
        bar.close()

    # -- tickets and events, bulk --

    def _ticket_batch(self, lo: int, hi: int):
        rng, w = self.rng, self.writer
        rnd, expo = rng.random, rng.expovariate
        dt = w.dt
        n, start, end, span = self.n, self.start, self.end, self.end - self.start
        hour_cum = self.hour_cum
        topics, topic_cum = TOPICS, self.topic_cum
        codes, prio_cum, severe_cum = self.priority_codes, self.prio_cum, self.severe_cum
        active_statuses, active_cum = list(ACTIVE_STATUS_WEIGHTS), self.active_cum
        channel_cum = self.channel_cum
        members, groups = self.members, self.groups
        group_ids = [group.pk for group in groups]
        sample_set, sample_contacts = self.sample_set, self.sample_contacts
        ticket_base, contact_base, number_base = (
            self.ticket_base,
            self.contact_base,
            self.number_base,
        )
        c_org, c_lang, org_am = self.c_org, self.c_lang, self.org_am
        n_contacts, mult = self.n_contacts, self.contact_mult
        refs = self.agent_ref
        p_old = self.p_old
        target = self.events_per_ticket
        first_reply_mean = {"P1": 0.3 * HOUR, "P2": 1.5 * HOUR, "P3": 5 * HOUR, "P4": 12 * HOUR}
        dumps = json.dumps
        tickets, events = [], []
        event_id = self.next_event_id
        base_sum, base_n = self.base_sum, self.base_n
        for i in range(lo, hi):
            tid = ticket_base + i
            u = (i + rnd()) / n
            t0 = start + span * u**0.75
            local = t0 + IST_OFFSET
            day = local // DAY
            frac = (local - day * DAY) / DAY
            h = min(23, bisect.bisect_right(hour_cum, frac) - 1)
            t0 = day * DAY + (h + (frac - hour_cum[h]) / (hour_cum[h + 1] - hour_cum[h])) * HOUR
            t0 = min(t0 - IST_OFFSET, end - 60.0 * (1.0 - u) - 1.0)
            age = end - t0
            if rnd() < (RECENT_ACTIVE if age < RECENT_DAYS * DAY else p_old):
                status = active_statuses[bisect.bisect_right(active_cum, rnd())]
                if status == "new" and age > 7 * DAY and rnd() < 0.75:
                    status = "open"
            else:
                status = "solved" if age < 7 * DAY else "closed"

            topic = topics[bisect.bisect_right(topic_cum, rnd())]
            k = int(rnd() * n_contacts) if rnd() < 0.8 else int(n_contacts * rnd() ** 1.6)
            cidx = (k * mult) % n_contacts
            cid = contact_base + cidx
            if i in sample_set:
                sample_contacts.append(cid)
            lang = c_lang[cidx]
            if lang == "hi":
                variant = "hi" if rnd() < 0.6 else "hl"
            else:
                variant = "en" if rnd() < 0.85 else "hl"
            language = lang if variant == "hl" else variant
            code = codes[bisect.bisect_right(severe_cum if topic.severe else prio_cum, rnd())]
            prio_id, rank = self.priorities[code]
            channel = CHANNELS[bisect.bisect_right(channel_cum, rnd())]
            if status == "new" and channel == "phone":
                channel = "email"
            r = rnd()
            if r < 0.35:
                g = 0
            elif variant != "en" and r < 0.45:
                g = 2
            else:
                g = topic.groups[int(rnd() * len(topic.groups))]
            group_members = members[g] or members[0]
            member = group_members[int(rnd() * len(group_members))]
            org = c_org[cidx]
            am = org_am.get(org)
            if status == "new":
                owner, created_owner, reason = None, None, "queue"
            elif channel == "phone":
                owner = am if am and rnd() < 0.5 else member
                created_owner, reason = owner, "chosen"
            elif am and rnd() < 0.8:
                owner = created_owner = am
                reason = "account_manager"
            elif rnd() < 0.25:
                owner = created_owner = member
                reason = "returning_customer"
            else:
                owner, created_owner, reason = member, None, "queue"

            city_en, city_hi = CITIES[int(rnd() * len(CITIES))]
            subject, description = getattr(topic, variant)
            if "{" in subject or "{" in description:
                slots = {
                    "product": topic.products[int(rnd() * len(topic.products))],
                    "city": city_hi if variant == "hi" else city_en,
                    "order": f"OD{4_100_000_000 + int(rnd() * 899_999_999)}",
                    "amount": f"{int(199 + rnd() * 24_800):,}",
                    "days": 3 + int(rnd() * 18),
                    "serial": f"SN{int(rnd() * 0xFFFFFFFF):08X}",
                    "account": f"AC{10_000_000 + int(rnd() * 89_999_999)}",
                    "last4": f"{int(rnd() * 10_000):04d}",
                    "hour": 8 + int(rnd() * 12),
                }
                subject = subject.format(**slots)
                description = description.format(**slots)

            created_data = dumps(
                {
                    "subject": subject,
                    "priority": code,
                    "group": groups[g].name,
                    "owner": refs[created_owner] if created_owner else None,
                    "owner_reason": reason,
                }
            )
            # (gap seconds, kind, actor, contact, channel, public, body, data, time spent)
            evs = []
            if channel == "phone":
                duration = 60 + int(rnd() * 900)
                evs.append((0.0, "created", owner, None, "phone", False, "", created_data, None))
                evs.append(
                    (
                        30 + rnd() * 300,
                        "call",
                        owner,
                        cid,
                        "phone",
                        True,
                        description,
                        f'{{"direction": "inbound", "duration_seconds": {duration}}}',
                        duration,
                    )
                )
            else:
                evs.append((0.0, "created", None, cid, channel, False, "", created_data, None))
                evs.append((0.0, "message_in", None, cid, channel, True, description, "{}", None))
                if status != "new":
                    gap = expo(1.0 / first_reply_mean[code])
                    if created_owner is None:
                        data = dumps({"from": None, "to": refs[owner], "reason": "first_reply"})
                        evs.append((gap, "assigned", owner, None, "agent", False, "", data, None))
                        gap = 0.0
                    out = channel if channel in ("email", "chat", "messaging") else "email"
                    spent = 60 + int(rnd() * 900) if rnd() < 0.5 else None
                    reply = REPLIES[variant][int(rnd() * 6)]
                    evs.append((gap, "message_out", owner, None, out, True, reply, "{}", spent))
            tail = self.tails[status]
            # Extra messages, notes and calls bring the mean up to the target: the same rate for
            # every ticket, from the running mean of the fixed part of each history.
            base_sum += len(evs) + len(tail)
            base_n += 1
            extras = self._poisson(max(0.15, target - base_sum / base_n))
            for _ in range(extras):
                gap = expo(1.0 / (8 * HOUR))
                r = rnd()
                if status == "new" or r < 0.35:
                    body = FOLLOW_UPS[variant][int(rnd() * 5)]
                    evs.append((gap, "message_in", None, cid, channel, True, body, "{}", None))
                elif r < 0.6:
                    body = REPLIES[variant][int(rnd() * 6)]
                    evs.append((gap, "message_out", owner, None, "email", True, body, "{}", None))
                elif r < 0.85:
                    body = NOTES[int(rnd() * len(NOTES))]
                    actor = owner if rnd() < 0.6 else member
                    evs.append((gap, "note", actor, None, "agent", False, body, "{}", None))
                else:
                    duration = 30 + int(rnd() * 600)
                    direction = "outbound" if rnd() < 0.7 else "inbound"
                    body = CALLS[variant][int(rnd() * 3)]
                    data = f'{{"direction": "{direction}", "duration_seconds": {duration}}}'
                    evs.append((gap, "call", owner, cid, "phone", True, body, data, duration))
            for gap_mean, data, by_owner in tail:
                gap = gap_mean + expo(1.0 / (6 * HOUR))
                actor = owner if by_owner else None
                evs.append((gap, "status", actor, None, "agent", False, "", data, None))

            total = sum(e[0] for e in evs)
            limit = age * 0.95
            scale = limit / total if total > limit else 1.0
            t = t0
            first_response = solved = closed = None
            for gap, kind, actor, contact, ch, public, body, data, spent in evs:
                t += gap * scale
                at = dt(t)
                if first_response is None and kind in ("message_out", "call"):
                    first_response = at
                elif kind == "status":
                    if data is self.to_solved:
                        solved = at
                    elif data is self.to_closed:
                        closed = at
                events.append(
                    (event_id, tid, kind, actor, contact, ch, public, body, data, spent, at)
                )
                event_id += 1
            tickets.append(
                (
                    tid,
                    number_base + i,
                    subject,
                    description,
                    status,
                    prio_id,
                    rank,
                    topic.type,
                    topic.category,
                    channel,
                    language,
                    cid,
                    org,
                    owner,
                    group_ids[g],
                    GROUPS[g][2],
                    "{}",
                    len(evs) - 1,
                    dt(t0),
                    dt(t),
                    first_response,
                    solved,
                    closed,
                )
            )
        self.next_event_id = event_id
        self.base_sum, self.base_n = base_sum, base_n
        return tickets, events

    def _poisson(self, lam: float) -> int:
        limit, k, p = math.exp(-lam), 0, self.rng.random()
        while p > limit:
            k += 1
            p *= self.rng.random()
        return k

    def _tickets(self) -> None:
        from sampark.tickets.models import Ticket, TicketEvent

        w = self.writer
        self.ticket_base = w.execute('SELECT COALESCE(MAX(id), 0) FROM "tickets_ticket"')[0][0] + 1
        self.next_event_id = (
            w.execute('SELECT COALESCE(MAX(id), 0) FROM "tickets_ticketevent"')[0][0] + 1
        )
        counter = w.execute("SELECT value FROM tickets_counter WHERE name = 'ticket'")
        top = w.execute('SELECT COALESCE(MAX(number), 0) FROM "tickets_ticket"')[0][0]
        self.number_base = max(top, counter[0][0] if counter else 0) + 1
        ticket_cols, ticket_extra = _extra_columns(
            Ticket,
            [
                "id",
                "number",
                "subject",
                "description",
                "status",
                "priority_id",
                "priority_rank",
                "type",
                "category",
                "channel",
                "language",
                "requester_id",
                "organization_id",
                "owner_id",
                "group_id",
                "tier",
                "custom_fields",
                "version",
                "created_at",
                "updated_at",
                "first_responded_at",
                "solved_at",
                "closed_at",
            ],
            w,
        )
        event_cols, event_extra = _extra_columns(
            TicketEvent,
            [
                "id",
                "ticket_id",
                "kind",
                "actor_id",
                "contact_id",
                "channel",
                "public",
                "body",
                "data",
                "time_spent",
                "created_at",
            ],
            w,
        )
        # Distributions.
        self.hour_cum = [0.0, *_cumulative(HOUR_WEIGHTS)]
        self.topic_cum = _cumulative([t.weight for t in TOPICS])
        self.prio_cum = _cumulative([PRIORITY_WEIGHTS[c] for c in self.priority_codes])
        self.severe_cum = _cumulative([SEVERE_PRIORITY_WEIGHTS[c] for c in self.priority_codes])
        self.active_cum = _cumulative(list(ACTIVE_STATUS_WEIGHTS.values()))
        self.channel_cum = _cumulative(CHANNEL_WEIGHTS)
        self.org_am = {o[0]: o[3] for o in self.orgs if o[3]}
        self.contact_mult = _coprime_multiplier(self.n_contacts)
        recent = 1.0 - (1.0 - RECENT_DAYS / SPAN_DAYS) ** (1 / 0.75)
        self.p_old = max(0.01, (ACTIVE_SHARE - RECENT_ACTIVE * recent) / (1.0 - recent))
        self.to_solved = json.dumps({"from": "open", "to": "solved"})
        self.to_closed = json.dumps({"from": "solved", "to": "closed"})
        status_to = {s: json.dumps({"from": "open", "to": s}) for s in ("pending", "on_hold")}
        self.tails = {
            "new": [],
            "open": [],
            "pending": [(0.0, status_to["pending"], True)],
            "on_hold": [(0.0, status_to["on_hold"], True)],
            "solved": [(0.0, self.to_solved, True)],
            "closed": [(0.0, self.to_solved, True), (4 * DAY, self.to_closed, False)],
        }
        sample = self.rng.sample(range(self.n), min(self.n, 2000))
        self.sample_set = set(sample)
        self.sample_tickets = [self.ticket_base + i for i in sample]
        self.sample_contacts: list[int] = []

        self.events = 0
        self.active = 0
        self.base_sum, self.base_n = 0, 0
        self.generate_seconds = self.insert_seconds = 0.0
        bar = self._bar(self.n, "tickets")
        for tickets, events in self._pipelined_batches():
            started = time.perf_counter()
            with self._atomic():
                w.insert("tickets_ticket", ticket_cols, tickets, ticket_extra)
                w.insert("tickets_ticketevent", event_cols, events, event_extra)
            self.insert_seconds += time.perf_counter() - started
            self.events += len(events)
            self.active += sum(1 for t in tickets if t[4] not in ("solved", "closed"))
            bar.update(len(tickets))
            bar.set_postfix(events=f"{self.events:,}", refresh=False)
        bar.close()
        self.last_number = self.number_base + self.n - 1

    def _pipelined_batches(self):
        """Ticket batches, generated one ahead on a thread while the previous one is written
        (SQLite and the PostgreSQL client release the GIL while they work)."""
        spans = [(lo, min(self.n, lo + self.batch)) for lo in range(0, self.n, self.batch)]
        ready: queue.Queue = queue.Queue(maxsize=2)
        stop = threading.Event()

        def produce() -> None:
            try:
                for lo, hi in spans:
                    if stop.is_set():
                        return
                    started = time.perf_counter()
                    batch = self._ticket_batch(lo, hi)
                    self.generate_seconds += time.perf_counter() - started
                    ready.put(batch)
                ready.put(None)
            except BaseException as error:  # handed to the consumer, which re-raises it
                ready.put(error)

        producer = threading.Thread(target=produce, name="bench-generate", daemon=True)
        producer.start()
        try:
            while True:
                item = ready.get()
                if item is None:
                    return
                if isinstance(item, BaseException):
                    raise item
                yield item
        finally:
            stop.set()
            while producer.is_alive():  # unblock a producer waiting on a full queue
                with contextlib.suppress(queue.Empty):
                    ready.get(timeout=0.1)
            producer.join()

    # -- helpers --

    def _bar(self, total: int, unit: str):
        from tqdm import tqdm

        return tqdm(
            total=total,
            unit=unit.removesuffix("es").removesuffix("s"),
            unit_scale=True,
            desc=unit,
            disable=not self.progress,
        )

    def _atomic(self):
        from django.db import transaction

        return transaction.atomic()

    def _phase(self, name: str, started: float) -> float:
        now = time.perf_counter()
        self.phases[name] = now - started
        return now

    BULK_TABLES = (
        "customers_contact",
        "customers_identity",
        "tickets_ticket",
        "tickets_ticketevent",
    )

    def _drop_indexes(self) -> None:
        w = self.writer
        self.dropped_indexes, self.dropped_fks = [], []
        with self._atomic():
            for table in self.BULK_TABLES:
                for name, definition in w.foreign_keys(table):
                    w.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
                    self.dropped_fks.append((table, name, definition))
                for name, definition in w.secondary_indexes(table):
                    w.execute(f'DROP INDEX "{name}"')
                    self.dropped_indexes.append((table, name, definition))

    def _restore_indexes(self) -> None:
        w = self.writer
        bar = self._bar(len(self.dropped_indexes) + len(self.dropped_fks), "indexes")
        for _table, _name, definition in self.dropped_indexes:
            with self._atomic():
                w.execute(definition)
            bar.update()
        for table, name, definition in self.dropped_fks:
            with self._atomic():
                w.execute(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}')
            bar.update()
        bar.close()
        self.dropped_indexes, self.dropped_fks = [], []

    def _session(self, loading: bool) -> None:
        """Loader settings for this connection: durability off while bulk loading."""
        if self.connection.in_atomic_block:
            return
        w = self.writer
        if w.pg:
            if loading:
                w.execute("SET synchronous_commit TO off")
                w.execute("SET maintenance_work_mem TO '512MB'")
            else:
                w.execute("RESET synchronous_commit")
                w.execute("RESET maintenance_work_mem")
        elif loading:
            w.execute("PRAGMA synchronous=OFF")
            w.execute("PRAGMA foreign_keys=OFF")
            w.execute("PRAGMA cache_size=-262144")
        else:
            w.execute("PRAGMA synchronous=NORMAL")
            w.execute("PRAGMA foreign_keys=ON")
            w.execute("PRAGMA cache_size=-65536")

    def _analyze(self) -> None:
        w = self.writer
        if w.pg:
            if self.connection.in_atomic_block:
                w.execute("ANALYZE")
            else:
                for table in self.BULK_TABLES:
                    w.execute(f'VACUUM (ANALYZE) "{table}"')
                w.execute("ANALYZE")
        else:
            # Full figures, as the worker's upkeep (sampark.db.statistics) leaves them: sampled
            # ones (analysis_limit) measured the group index and the active tickets' partial
            # index alike, and the group's count then read 350k rows instead of 35k entries.
            w.execute("ANALYZE")
            if not self.connection.in_atomic_block:
                w.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def _finish(self) -> None:
        w = self.writer
        with self._atomic():
            updated = w.execute(
                "UPDATE tickets_counter SET value = %s WHERE name = 'ticket' RETURNING value",
                [self.last_number],
            )
            if not updated:
                w.execute(
                    "INSERT INTO tickets_counter (name, value) VALUES ('ticket', %s)",
                    [self.last_number],
                )
            if w.pg:
                # Ticket numbers come from a sequence there (tickets.services._insert_numbered).
                from sampark.tickets.services import TICKET_NUMBERS

                w.execute(f"SELECT setval('{TICKET_NUMBERS}', %s)", [self.last_number])
                for table in self.BULK_TABLES:
                    top = w.execute(f"SELECT MAX(id) FROM {_quote(table)}")[0][0]  # noqa: S608
                    if top:
                        sequence = "SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)"
                        w.execute(sequence, [_quote(table), top])

    def _bench_file(self) -> None:
        from sampark.team.services import issue_token

        _token, secret = issue_token(self.bench_agent, name="bench")
        ref = self.agent_ref[self.bench_agent.pk]
        contacts = list(dict.fromkeys(self.sample_contacts))
        payload = {
            "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "backend": self.writer.vendor,
            "seed": self.seed,
            "tickets": self.n,
            "events": self.events,
            "contacts": self.n_contacts,
            "token": secret,
            "agent": ref,
            "group_ids": self.bench_groups,
            "big_group_id": self.bench_groups[0],
            "ticket_ids": self.sample_tickets,
            "contact_ids": contacts,
            "requesters": self.requester_samples,
        }
        self.out.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.out.with_suffix(".tmp")
        tmp.write_text(json.dumps(payload, ensure_ascii=False, indent=1))
        tmp.chmod(0o600)
        tmp.replace(self.out)

    def run(self) -> Summary:
        from sampark.tickets.models import Ticket

        if Ticket.objects.exists():
            raise SystemExit(
                "This database already has tickets. Point SAMPARK_HOME or SAMPARK_DATABASE_URL "
                "at an empty database."
            )
        began = t = time.perf_counter()
        self._people()
        t = self._phase("people", t)
        self._session(loading=True)
        try:
            if self.rebuild_indexes:
                self._drop_indexes()
            try:
                self._contacts()
                t = self._phase("contacts", t)
                self._tickets()
                t = self._phase("tickets", t)
            finally:
                if self.rebuild_indexes:
                    self._restore_indexes()
                    t = self._phase("indexes", t)
            self._finish()
            # The board's rollup: the triggers wrote a row per active ticket while loading;
            # counted afresh it is a row per key, as the worker's folding leaves it.
            from sampark.tickets import active_counts

            active_counts.rebuild()
            t = self._phase("finish", t)
            with self._atomic():
                # Deadlines ahead of the moment the set is made (not of its last ticket), so
                # that a benchmark run soon after finds most clocks on track, as a help desk's.
                now = max(datetime.fromtimestamp(self.end, UTC), datetime.now(UTC))
                self.clocks = insert_active_clocks(self.writer, seed=self.seed, now=now)
            t = self._phase("SLA clocks", t)
        finally:
            self._session(loading=False)
        self._analyze()
        t = self._phase("analyze", t)
        self._bench_file()
        self.phases["tickets: generating (thread)"] = self.generate_seconds
        self.phases["tickets: writing"] = self.insert_seconds
        return Summary(
            backend=self.writer.vendor,
            tickets=self.n,
            events=self.events,
            active=self.active,
            contacts=self.n_contacts,
            identities=self.identities,
            organizations=len(self.orgs),
            agents=len(self.agents),
            groups=len(self.groups),
            seconds=time.perf_counter() - began,
            phases=dict(self.phases),
            bench_file=str(self.out),
        )


def generate(**options) -> Summary:
    """Generate the data set on Django's default database; see :class:`Generator`."""
    return Generator(**options).run()


def _count(text: str) -> int:
    return int(text.replace("_", "").replace(",", ""))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.generate", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--tickets", type=_count, default=1_000_000)
    parser.add_argument("--events-per-ticket", type=float, default=5.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--batch", type=_count, default=10_000, help="tickets per transaction")
    parser.add_argument("--out", help="benchmark file (default $SAMPARK_HOME/bench.json)")
    parser.add_argument(
        "--end",
        type=lambda s: datetime.fromisoformat(s).replace(tzinfo=UTC),
        help="UTC date the two years of history end on (default now); fix it to repeat a run",
    )
    parser.add_argument(
        "--keep-indexes",
        action="store_true",
        help="insert with all indexes in place instead of rebuilding them afterwards",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sampark.settings")
    import django

    django.setup()
    from django.core.management import call_command

    started = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    print(f"migrated in {time.perf_counter() - started:.1f}s", file=sys.stderr)
    summary = generate(
        tickets=args.tickets,
        events_per_ticket=args.events_per_ticket,
        seed=args.seed,
        batch=args.batch,
        out=args.out,
        rebuild_indexes=False if args.keep_indexes else None,
        progress=not args.quiet,
        end=args.end,
    )
    print(summary)
    return 0


if __name__ == "__main__":
    sys.exit(main())
