"""The cast and the words of the demo.

Everything here is invented: the support company (Sahyog Techserve, which sells and maintains
printers, networks and PCs and makes the Lekha accounting and Sanjeevani HIS software), its
agents, its customers and their equipment. Email domains use the reserved ``.example`` top-level
domain so that nothing the demo loads can ever reach a real mailbox.

Customer-facing text comes in three registers, as customers really write: ``en`` (English),
``hi`` (Hindi in Devanagari) and ``hing`` (Hinglish: Roman Hindi mixed with English). Hindi
written for agents avoids gendered first-person verbs, so any agent can say it.
"""

# ruff: noqa: E501 - prose reads better on one line than cut into fragments.

from dataclasses import dataclass, field

COMPANY = "Sahyog Techserve"
COMPANY_HI = "सहयोग टेकसर्व"

ADMIN_EMAIL = "admin@sampark.local"
ADMIN_PASSWORD = "sampark-demo"  # noqa: S105 - the published password of the demo admin
ADMIN_NAME = "Sampark Admin"
AGENT_DOMAIN = "sampark.local"
# Every demo agent signs in to the workspace with this published password too.
AGENT_PASSWORD = ADMIN_PASSWORD
# The two the demo's summary names: a front-desk agent and a supervisor.
SAMPLE_AGENT_EMAIL = "ankit.sharma@sampark.local"
SAMPLE_SUPERVISOR_EMAIL = "meenakshi.rao@sampark.local"


# --- the support team ---------------------------------------------------------------------


@dataclass(frozen=True)
class GroupSpec:
    key: str
    name: str
    name_hi: str
    tier: str
    description: str


# "front" is the default group that the migrations seed; the demo keeps it as it is.
# Automatic escalations (an SLA breach) go one tier up along these lines.
ESCALATIONS = [
    ("front", "network"),
    ("field", "network"),
    ("billing", "apps"),
    ("network", "engineering"),
    ("apps", "engineering"),
]

OUTAGE_WORDS = [
    "server down",
    "site down",
    "link down",
    "net nahi chal raha",
    "sab band hai",
    "सर्वर बंद",
    "नेटवर्क बंद",
    "इंटरनेट बंद",
]

# The company's priority criteria for new tickets, tried in order.
PRIORITY_RULES = [
    {
        "name": "Outage at an enterprise account",
        "position": 10,
        "organization_tiers": ["enterprise"],
        "keywords": OUTAGE_WORDS,
        "priority_code": "P1",
    },
    {
        "name": "Outage anywhere else",
        "position": 20,
        "keywords": OUTAGE_WORDS,
        "impact": "medium",
        "urgency": "high",
    },
    {
        "name": "Planned installations and moves",
        "position": 30,
        "keywords": ["installation", "shifting", "new connection", "इंस्टॉलेशन", "शिफ्टिंग"],
        "priority_code": "P4",
    },
]

# Routing rules of the demo desk: they leave every new ticket in the front desk's queue (the
# stories move tickets on from there) and say what it needs: the skills to ask for, and tags
# that the coordinators filter on.
ROUTING_RULES = [
    {
        "name": "Key accounts",
        "position": 10,
        "continue_matching": True,
        "organization_tiers": ["enterprise"],
        "skills": ["key accounts"],
        "tags": ["key account"],
    },
    {
        "name": "Outage outside business hours",
        "position": 20,
        "continue_matching": True,
        "business_hours": "outside",
        "keywords": OUTAGE_WORDS,
        "tags": ["after hours"],
    },
    {
        "name": "Customers writing in Hindi",
        "position": 30,
        "languages": ["hi", "hinglish"],
        "skills": ["hindi"],
    },
]

GROUPS = [
    GroupSpec(
        "field",
        "Field service desk",
        "फ़ील्ड सर्विस डेस्क",
        "L1",
        "Printer repairs, installations, moves and every visit to a customer's site.",
    ),
    GroupSpec(
        "billing",
        "Billing and accounts",
        "बिलिंग और लेखा",
        "L1",
        "Invoices, payments, refunds, and licence and AMC renewals.",
    ),
    GroupSpec(
        "network",
        "Network and hardware",
        "नेटवर्क और हार्डवेयर",
        "L2",
        "Specialists for links, Wi-Fi, VPN, servers, UPS and hardware failures.",
    ),
    GroupSpec(
        "apps",
        "Applications and licences",
        "एप्लिकेशन और लाइसेंस",
        "L2",
        "Specialists for Lekha and Sanjeevani HIS: licences, data and configuration.",
    ),
    GroupSpec(
        "engineering",
        "Product engineering",
        "प्रोडक्ट इंजीनियरिंग",
        "L3",
        "The developers of Lekha and Sanjeevani HIS: product defects and hotfixes.",
    ),
]


@dataclass(frozen=True)
class AgentSpec:
    key: str
    name: str
    name_hi: str  # the first name in Devanagari, used when the agent writes in Hindi
    role: str
    tier: str
    groups: tuple[str, ...]
    skills: tuple[str, ...]
    languages: tuple[str, ...]
    presence: str = "offline"


# fmt: off
AGENTS = [
    AgentSpec("meenakshi", "Meenakshi Rao", "मीनाक्षी", "supervisor", "L2", ("front", "field"), ("escalations", "quality review", "sla"), ("en", "hi"), "online"),
    AgentSpec("harpreet", "Harpreet Kaur", "हरप्रीत", "supervisor", "L2", ("network", "apps"), ("network", "vendor management"), ("en", "hi"), "online"),
    AgentSpec("ankit", "Ankit Sharma", "अंकित", "agent", "L1", ("front",), ("printers", "windows", "email"), ("hi", "en"), "online"),
    AgentSpec("pooja", "Pooja Yadav", "पूजा", "agent", "L1", ("front",), ("printers", "lekha"), ("hi",), "online"),
    AgentSpec("rahul", "Rahul Verma", "राहुल", "agent", "L1", ("front",), ("hospital accounts", "network"), ("hi", "en"), "online"),
    AgentSpec("sneha", "Sneha Kulkarni", "स्नेहा", "agent", "L1", ("front",), ("banking", "passbook printers"), ("en", "hi"), "away"),
    AgentSpec("imran", "Imran Qureshi", "इमरान", "agent", "L1", ("front",), ("lekha", "gst"), ("hi", "en"), "online"),
    AgentSpec("divya", "Divya Nair", "दिव्या", "agent", "L1", ("front",), ("email", "laptops"), ("en",)),
    AgentSpec("kavita", "Kavita Joshi", "कविता", "agent", "L1", ("front", "billing"), ("logistics accounts", "lekha"), ("hi", "en"), "online"),
    AgentSpec("suresh", "Suresh Patel", "सुरेश", "agent", "L1", ("field",), ("printers", "installation", "site visits"), ("hi", "en"), "online"),
    AgentSpec("ramesh", "Ramesh Chauhan", "रमेश", "agent", "L1", ("field",), ("installation", "cabling", "ups"), ("hi",), "away"),
    AgentSpec("neha", "Neha Tiwari", "नेहा", "agent", "L1", ("field",), ("printers", "thermal printers"), ("hi", "en")),
    AgentSpec("aarti", "Aarti Mishra", "आरती", "agent", "L1", ("billing",), ("billing", "gst", "invoices"), ("hi", "en"), "online"),
    AgentSpec("vikram", "Vikram Singh Rathore", "विक्रम", "agent", "L1", ("billing",), ("renewals", "amc", "refunds"), ("hi", "en")),
    AgentSpec("arjun", "Arjun Menon", "अर्जुन", "agent", "L2", ("network",), ("network", "firewall", "wifi"), ("en", "hi"), "online"),
    AgentSpec("sanjay", "Sanjay Gupta", "संजय", "agent", "L2", ("network",), ("hardware", "ups", "storage"), ("hi", "en")),
    AgentSpec("farhan", "Farhan Ali", "फ़रहान", "agent", "L2", ("network",), ("routing", "vpn", "isp escalation"), ("hi", "en"), "online"),
    AgentSpec("priyanka", "Priyanka Bhattacharya", "प्रियंका", "agent", "L2", ("apps",), ("lekha", "licences", "database"), ("en", "hi"), "online"),
    AgentSpec("deepak", "Deepak Saxena", "दीपक", "agent", "L2", ("apps",), ("sanjeevani his", "integrations"), ("hi", "en")),
    AgentSpec("karthik", "Karthik Subramanian", "कार्तिक", "agent", "L3", ("engineering",), ("lekha", "e-invoicing", "python"), ("en",), "online"),
    AgentSpec("shalini", "Shalini Agarwal", "शालिनी", "agent", "L3", ("engineering",), ("sanjeevani his", "database", "performance"), ("hi", "en")),
]
# fmt: on


# --- customers ----------------------------------------------------------------------------


@dataclass(frozen=True)
class AssetSpec:
    """A device, licence or contract, with what the help desk needs at intake. ``kinds`` say
    which problems it can have; ``cover`` is its warranty state (the custom field)."""

    kinds: tuple[str, ...]
    name: str
    model: str = ""
    serial: str = ""
    licence: str = ""
    account: str = ""
    location: str = ""
    site: str = ""
    site_hi: str = ""
    cover: str = ""


@dataclass(frozen=True)
class ContactSpec:
    key: str
    name: str
    language: str
    short: str  # how agents address them in English and Hinglish
    short_hi: str  # ... and in Hindi
    emails: tuple[str, ...] = ()
    phone: bool = True  # an Indian mobile number is generated for them
    messaging: str = ""  # a messaging handle
    chat: bool = False  # a web-chat visitor id is generated for them
    sees: tuple[int, ...] | None = None  # the organization's assets they ask about (indexes)
    assets: tuple[AssetSpec, ...] = ()  # a consumer's own equipment


@dataclass(frozen=True)
class OrgSpec:
    key: str
    name: str
    tier: str
    domains: tuple[str, ...]
    manager: str  # the account manager's agent key, or ""
    notes: str
    assets: tuple[AssetSpec, ...]
    contacts: tuple[ContactSpec, ...]


# fmt: off
ORGANIZATIONS = [
    OrgSpec(
        "narmada", "Narmada Care Hospital", "enterprise", ("narmadacare.example",), "rahul",
        "350-bed multispeciality hospital on Hoshangabad Road, Bhopal, open round the clock. AMC NCH/AMC/2024/118 covers printers, network and UPS. Runs Sanjeevani HIS.",
        (
            AssetSpec(("printer", "amc"), "Ward 3 nursing station printer", "Mudra LX-420", "MLX420-24-0317", "NCH/AMC/2024/118", "SAH-ACC-10421", "Ward 3 nursing station, 2nd floor, Narmada Care Hospital, Hoshangabad Road, Bhopal", "Ward 3", "वार्ड 3", "amc"),
            AssetSpec(("thermal", "amc"), "OPD billing receipt printer", "Mudra TH-80", "MTH80-23-1190", "NCH/AMC/2024/118", "SAH-ACC-10421", "OPD billing counter 2, ground floor, Narmada Care Hospital, Bhopal", "the OPD billing counter", "ओपीडी बिलिंग काउंटर", "amc"),
            AssetSpec(("router",), "Hospital WAN router", "Setu R-900", "SR900-22-0088", "NCH/AMC/2024/118", "SAH-ACC-10421", "Server room, basement B1, Narmada Care Hospital, Bhopal", "the hospital", "अस्पताल", "amc"),
            AssetSpec(("wifi",), "ICU Wi-Fi access point", "Setu AP-3", "SAP3-23-4410", "NCH/AMC/2024/118", "SAH-ACC-10421", "ICU, 3rd floor, Narmada Care Hospital, Bhopal", "the ICU", "आईसीयू", "amc"),
            AssetSpec(("ups", "amc"), "Server room UPS", "Urja 10 kVA", "UJ10K-21-0042", "NCH/AMC/2024/118", "SAH-ACC-10421", "Server room, basement B1, Narmada Care Hospital, Bhopal", "the server room", "सर्वर रूम", "amc"),
            AssetSpec(("his", "account"), "Sanjeevani HIS enterprise licence", "Sanjeevani HIS 3.12", "SNJ312-0042-DC2", "SNJ-ENT-2023-0042", "SAH-ACC-10421", "Data centre rack 2, basement B1, Narmada Care Hospital, Bhopal", "the hospital", "अस्पताल"),
            AssetSpec(("computer",), "Pathology lab desktops", "Kriti D-510", "KD510-23-7781", "WTY-KD510-23-7781", "SAH-ACC-10421", "Pathology lab, 1st floor, Narmada Care Hospital, Bhopal", "the pathology lab", "पैथोलॉजी लैब", "in_warranty"),
        ),
        (
            ContactSpec("alok", "Dr. Alok Shrivastava", "en", "Dr. Shrivastava", "डॉ. श्रीवास्तव", ("alok.shrivastava@narmadacare.example",)),
            ContactSpec("sunita", "सुनीता वर्मा", "hi", "Sunita", "सुनीता", ("sunita.verma@narmadacare.example",), messaging="tg:sunita_verma_ward3", sees=(0, 3, 6)),
            ContactSpec("manoj", "Manoj Dubey", "hi", "Manoj", "मनोज", ("manoj.dubey@narmadacare.example", "it.support@narmadacare.example"), chat=True),
            ContactSpec("farah", "Farah Siddiqui", "en", "Farah", "फ़रह", ("farah.siddiqui@narmadacare.example",), sees=(1, 5)),
        ),
    ),
    OrgSpec(
        "gomti", "Gomti Sahkari Bank", "enterprise", ("gomtibank.example",), "sneha",
        "Cooperative bank with 42 branches across the Lucknow division. Branch hardware under AMC GSB/AMC/2023/031; payroll on Lekha Enterprise.",
        (
            AssetSpec(("passbook", "amc"), "Passbook printer, counter 2", "Mudra PB-24", "MPB24-22-0561", "GSB/AMC/2023/031", "SAH-ACC-20877", "Counter 2, Hazratganj branch, Gomti Sahkari Bank, Lucknow", "the Hazratganj branch", "हज़रतगंज शाखा", "amc"),
            AssetSpec(("passbook", "amc"), "Passbook printer", "Mudra PB-24", "MPB24-22-0598", "GSB/AMC/2023/031", "SAH-ACC-20877", "Counter 1, Aminabad branch, Gomti Sahkari Bank, Lucknow", "the Aminabad branch", "अमीनाबाद शाखा", "amc"),
            AssetSpec(("router",), "Branch router", "Setu R-900", "SR900-21-0412", "GSB/AMC/2023/031", "SAH-ACC-20877", "Network rack, Aminabad branch, Gomti Sahkari Bank, Lucknow", "the Aminabad branch", "अमीनाबाद शाखा", "amc"),
            AssetSpec(("router",), "Head office firewall router", "Setu R-900", "SR900-21-0007", "GSB/AMC/2023/031", "SAH-ACC-20877", "Head office, Vidhan Sabha Marg, Lucknow", "the head office", "मुख्य कार्यालय", "amc"),
            AssetSpec(("ups", "amc"), "Branch UPS", "Urja 3 kVA", "UJ3K-22-1312", "GSB/AMC/2023/031", "SAH-ACC-20877", "Gomti Nagar branch, Gomti Sahkari Bank, Lucknow", "the Gomti Nagar branch", "गोमती नगर शाखा", "amc"),
            AssetSpec(("lekha", "account"), "Lekha Enterprise (payroll)", "Lekha 7.4", "LK74-5520-GSB-S1", "LKH-ENT-5520-GSB", "SAH-ACC-20877", "Head office, Vidhan Sabha Marg, Lucknow", "the head office", "मुख्य कार्यालय"),
            AssetSpec(("computer",), "Teller desktops", "Kriti D-510", "KD510-22-3307", "WTY-KD510-22-3307", "SAH-ACC-20877", "Teller counters, Hazratganj branch, Gomti Sahkari Bank, Lucknow", "the Hazratganj branch", "हज़रतगंज शाखा", "in_warranty"),
        ),
        (
            ContactSpec("rajeev", "Rajeev Srivastava", "en", "Rajeev", "राजीव", ("rajeev.srivastava@gomtibank.example",)),
            ContactSpec("anuradha", "अनुराधा त्रिपाठी", "hi", "Anuradha", "अनुराधा", ("anuradha.tripathi@gomtibank.example", "hazratganj.branch@gomtibank.example"), messaging="tg:anuradha_gsb_hzg", sees=(0, 6)),
            ContactSpec("pankaj", "Pankaj Awasthi", "hi", "Pankaj", "पंकज", ("pankaj.awasthi@gomtibank.example",), sees=(1, 2)),
            ContactSpec("shweta", "Shweta Kapoor", "en", "Shweta", "श्वेता", ("shweta.kapoor@gomtibank.example",), sees=(5,)),
        ),
    ),
    OrgSpec(
        "chambal", "Chambal Agro Foods Ltd", "enterprise", ("chambalagro.example", "chambalfoods.example"), "imran",
        "Food processing. Plant in the Malanpur industrial area, head office in Gwalior. GST billing and e-invoicing on Lekha Enterprise.",
        (
            AssetSpec(("lekha", "account"), "Lekha Enterprise (GST billing)", "Lekha 7.4", "LK74-3307-CAF-S1", "LKH-ENT-3307-CAF", "SAH-ACC-31150", "Head office server room, City Centre, Gwalior", "the head office", "मुख्य कार्यालय"),
            AssetSpec(("router",), "Plant router", "Setu R-900", "SR900-23-0190", "CAF/AMC/2024/009", "SAH-ACC-31150", "Admin block, Malanpur plant, Chambal Agro Foods", "the Malanpur plant", "मालनपुर प्लांट", "amc"),
            AssetSpec(("computer",), "Weighbridge PC", "Kriti D-510", "KD510-21-0954", "", "SAH-ACC-31150", "Weighbridge cabin, plant gate, Malanpur", "the weighbridge cabin", "धर्मकाँटा केबिन", "out_of_warranty"),
            AssetSpec(("printer", "amc"), "Dispatch office printer", "Mudra LX-420", "MLX420-22-0733", "CAF/AMC/2024/009", "SAH-ACC-31150", "Dispatch office, Malanpur plant, Chambal Agro Foods", "the dispatch office", "डिस्पैच ऑफ़िस", "amc"),
            AssetSpec(("ups", "amc"), "Plant server UPS", "Urja 6 kVA", "UJ6K-22-0311", "CAF/AMC/2024/009", "SAH-ACC-31150", "Server room, Malanpur plant, Chambal Agro Foods", "the plant server room", "प्लांट सर्वर रूम", "amc"),
        ),
        (
            ContactSpec("nitin", "Nitin Jain", "en", "Nitin", "नितिन", ("nitin.jain@chambalagro.example",)),
            ContactSpec("ramniwas", "रामनिवास गुर्जर", "hi", "Ramniwas", "रामनिवास", ("ramniwas.gurjar@chambalfoods.example",), messaging="tg:ramniwas_malanpur", sees=(1, 2, 3, 4)),
            ContactSpec("deepa", "Deepa Bhadoria", "hi", "Deepa", "दीपा", ("deepa.bhadoria@chambalagro.example",), sees=(0,)),
        ),
    ),
    OrgSpec(
        "shivalik", "Shivalik Institute of Technology", "business", ("shivalikinstitute.example",), "ankit",
        "Engineering college in Dehradun with 2,400 students, campus Wi-Fi and two computer labs. Fee accounts on Lekha.",
        (
            AssetSpec(("computer",), "Computer Lab 2 desktops (40)", "Kriti D-510", "KD510-23-LAB2", "WTY-KD510-23-LAB2", "SAH-ACC-40213", "Computer Lab 2, Block B, Shivalik Institute of Technology, Dehradun", "Computer Lab 2", "कंप्यूटर लैब 2", "in_warranty"),
            AssetSpec(("wifi",), "Library Wi-Fi access point", "Setu AP-3", "SAP3-22-0918", "", "SAH-ACC-40213", "Central library, Block C, Shivalik Institute of Technology, Dehradun", "the library", "लाइब्रेरी", "out_of_warranty"),
            AssetSpec(("printer", "amc"), "Exam cell printer", "Mudra LX-420", "MLX420-21-0456", "SIT/AMC/2024/004", "SAH-ACC-40213", "Exam cell, admin block, Shivalik Institute of Technology, Dehradun", "the exam cell", "परीक्षा विभाग", "amc"),
            AssetSpec(("lekha", "account"), "Lekha Standard (fee accounts)", "Lekha 7.4", "LK74-7781-SIT-S1", "LKH-STD-7781-SIT", "SAH-ACC-40213", "Accounts office, admin block, Shivalik Institute of Technology, Dehradun", "the accounts office", "अकाउंट्स ऑफ़िस"),
        ),
        (
            ContactSpec("gaurav", "Prof. Gaurav Negi", "en", "Prof. Negi", "प्रो. नेगी", ("gaurav.negi@shivalikinstitute.example",), sees=(0, 1, 2)),
            ContactSpec("ritu", "Ritu Rawat", "hi", "Ritu", "रितु", ("ritu.rawat@shivalikinstitute.example",), messaging="tg:ritu_rawat_sit", sees=(2, 3)),
            ContactSpec("sandeep", "Sandeep Bisht", "hi", "Sandeep", "संदीप", ("sandeep.bisht@shivalikinstitute.example", "netadmin@shivalikinstitute.example"), chat=True),
        ),
    ),
    OrgSpec(
        "ganga", "Ganga Freight and Logistics", "business", ("gangafreight.example",), "",
        "Road freight with warehouses in Fatuha (Patna) and Muzaffarpur; field staff on laptops.",
        (
            AssetSpec(("thermal",), "Label printer", "Mudra TH-80", "MTH80-22-0871", "", "SAH-ACC-51902", "Dispatch bay, Warehouse 1, Fatuha, Patna", "the Fatuha warehouse", "फतुहा गोदाम", "out_of_warranty"),
            AssetSpec(("laptop", "computer"), "Field staff laptops", "Kriti N-14", "KN14-23-1504", "WTY-KN14-23-1504", "SAH-ACC-51902", "Head office, Boring Road, Patna", "the head office", "मुख्य कार्यालय", "in_warranty"),
            AssetSpec(("router",), "Warehouse router", "Setu R-900", "SR900-23-0655", "", "SAH-ACC-51902", "Warehouse 2, Muzaffarpur", "the Muzaffarpur warehouse", "मुज़फ़्फ़रपुर गोदाम", "in_warranty"),
            AssetSpec(("lekha", "account"), "Lekha Standard", "Lekha 7.4", "LK74-4410-GFL-S1", "LKH-STD-4410-GFL", "SAH-ACC-51902", "Head office, Boring Road, Patna", "the head office", "मुख्य कार्यालय"),
        ),
        (
            ContactSpec("amit", "Amit Kumar Sinha", "hi", "Amit", "अमित", ("amit.sinha@gangafreight.example",), messaging="tg:amit_gfl_patna"),
            ContactSpec("priya", "प्रिया रंजन", "hi", "Priya", "प्रिया", ("priya.ranjan@gangafreight.example",), sees=(3,)),
            ContactSpec("shahid", "Mohammed Shahid", "en", "Shahid", "शाहिद", ("m.shahid@gangafreight.example",), sees=(0, 1, 2)),
        ),
    ),
    OrgSpec(
        "marudhar", "Marudhar Textiles", "business", ("marudhartextiles.example",), "",
        "Textile mill in the Basni industrial area and a showroom in Sardarpura, Jodhpur.",
        (
            AssetSpec(("lekha", "account"), "Lekha Standard", "Lekha 7.4", "LK74-2290-MTX-S1", "LKH-STD-2290-MTX", "SAH-ACC-60118", "Accounts office, Basni industrial area, Jodhpur", "the accounts office", "अकाउंट्स ऑफ़िस"),
            AssetSpec(("printer",), "Showroom printer", "Mudra LX-420", "MLX420-23-0188", "WTY-MLX420-23-0188", "SAH-ACC-60118", "Showroom, Sardarpura, Jodhpur", "the showroom", "शोरूम", "in_warranty"),
            AssetSpec(("ups",), "Office UPS", "Urja 3 kVA", "UJ3K-20-0877", "", "SAH-ACC-60118", "Basni office, Marudhar Textiles, Jodhpur", "the Basni office", "बासनी ऑफ़िस", "out_of_warranty"),
        ),
        (
            ContactSpec("mahendra", "Mahendra Singh Bhati", "hi", "Mahendra", "महेंद्र", ("mahendra.bhati@marudhartextiles.example",)),
            ContactSpec("kavya", "Kavya Bohra", "en", "Kavya", "काव्या", ("kavya.bohra@marudhartextiles.example",)),
        ),
    ),
    OrgSpec(
        "svn", "Saraswati Vidya Niketan", "standard", ("svnindore.example",), "",
        "CBSE school in Vijay Nagar, Indore, with one computer lab.",
        (
            AssetSpec(("printer",), "Office printer", "Mudra LX-420", "MLX420-20-0051", "", "SAH-ACC-61207", "Principal's office, Saraswati Vidya Niketan, Vijay Nagar, Indore", "the school office", "स्कूल ऑफ़िस", "out_of_warranty"),
            AssetSpec(("computer",), "Computer lab desktops", "Kriti D-510", "KD510-21-SVN1", "", "SAH-ACC-61207", "Computer lab, 1st floor, Saraswati Vidya Niketan, Indore", "the computer lab", "कंप्यूटर लैब", "out_of_warranty"),
            AssetSpec(("wifi",), "School Wi-Fi", "Setu AP-3", "SAP3-21-0302", "", "SAH-ACC-61207", "Staff room, Saraswati Vidya Niketan, Indore", "the staff room", "स्टाफ़ रूम", "out_of_warranty"),
        ),
        (
            ContactSpec("usha", "उषा पाठक", "hi", "Usha", "उषा", ("principal@svnindore.example", "usha.pathak@svnindore.example")),
            ContactSpec("rohit", "Rohit Malviya", "hi", "Rohit", "रोहित", ("rohit.malviya@svnindore.example",), messaging="tg:rohit_sir_svn"),
        ),
    ),
    OrgSpec(
        "aravali", "Aravali Diagnostics", "standard", ("aravalidiagnostics.example",), "",
        "Pathology lab in Malviya Nagar, Jaipur, with four collection centres.",
        (
            AssetSpec(("printer",), "Report printer", "Mudra LX-420", "MLX420-22-0649", "WTY-MLX420-22-0649", "SAH-ACC-70444", "Report desk, Aravali Diagnostics, Malviya Nagar, Jaipur", "the report desk", "रिपोर्ट डेस्क", "in_warranty"),
            AssetSpec(("lekha", "account"), "Lekha Standard", "Lekha 7.4", "LK74-6032-ARD-S1", "LKH-STD-6032-ARD", "SAH-ACC-70444", "Accounts, Aravali Diagnostics, Malviya Nagar, Jaipur", "accounts", "अकाउंट्स"),
            AssetSpec(("router",), "Lab router", "Setu R-900", "SR900-22-0733", "", "SAH-ACC-70444", "Aravali Diagnostics, Malviya Nagar, Jaipur", "the lab", "लैब", "in_warranty"),
        ),
        (
            ContactSpec("neelam", "Dr. Neelam Choudhary", "en", "Dr. Choudhary", "डॉ. चौधरी", ("neelam@aravalidiagnostics.example",)),
            ContactSpec("lokesh", "Lokesh Saini", "hi", "Lokesh", "लोकेश", ("lokesh.saini@aravalidiagnostics.example",), messaging="tg:lokesh_ard"),
        ),
    ),
    OrgSpec(
        "sahyadri", "Sahyadri & Co., Chartered Accountants", "standard", ("sahyadrica.example",), "",
        "CA firm near Deccan Gymkhana, Pune, keeping the books of about 60 client companies on Lekha Professional.",
        (
            AssetSpec(("lekha", "account"), "Lekha Professional", "Lekha 7.4", "LK74-1187-SCA-S1", "LKH-PRO-1187-SCA", "SAH-ACC-80561", "Office, Deccan Gymkhana, Pune", "the office", "ऑफ़िस"),
            AssetSpec(("laptop", "computer"), "Partner laptops", "Kriti N-14", "KN14-22-0420", "WTY-KN14-22-0420", "SAH-ACC-80561", "Office, Deccan Gymkhana, Pune", "the office", "ऑफ़िस", "in_warranty"),
        ),
        (
            ContactSpec("aditya", "Aditya Deshpande", "en", "Aditya", "आदित्य", ("aditya@sahyadrica.example",)),
            ContactSpec("manasi", "Manasi Gokhale", "en", "Manasi", "मानसी", ("manasi.gokhale@sahyadrica.example",), chat=True),
        ),
    ),
    OrgSpec(
        "konark", "Konark Hotels", "business", ("konarkhotels.example",), "meenakshi",
        "Two hotels, in Bhubaneswar and Puri. Guest Wi-Fi and restaurant billing are the busy season's pain points.",
        (
            AssetSpec(("wifi",), "Guest Wi-Fi", "Setu AP-3", "SAP3-23-1177", "", "SAH-ACC-90310", "Lobby and floors 1-4, Konark Hotels, Puri", "the Puri hotel", "पुरी होटल", "in_warranty"),
            AssetSpec(("thermal",), "Restaurant POS printer", "Mudra TH-80", "MTH80-23-0245", "", "SAH-ACC-90310", "Restaurant, Konark Hotels, Bhubaneswar", "the restaurant", "रेस्टोरेंट", "in_warranty"),
            AssetSpec(("computer",), "Front office PCs", "Kriti D-510", "KD510-23-0660", "WTY-KD510-23-0660", "SAH-ACC-90310", "Front office, Konark Hotels, Bhubaneswar", "the front office", "फ्रंट ऑफ़िस", "in_warranty"),
            AssetSpec(("lekha", "account"), "Lekha Standard", "Lekha 7.4", "LK74-9021-KH-S1", "LKH-STD-9021-KH", "SAH-ACC-90310", "Accounts, Konark Hotels, Bhubaneswar", "accounts", "अकाउंट्स"),
        ),
        (
            ContactSpec("subhashree", "Subhashree Mohanty", "en", "Subhashree", "शुभश्री", ("subhashree.mohanty@konarkhotels.example",)),
            ContactSpec("bikash", "Bikash Nayak", "en", "Bikash", "बिकाश", ("bikash.nayak@konarkhotels.example",), chat=True),
        ),
    ),
]
# fmt: on

# fmt: off
CONSUMERS = [
    ContactSpec("rameshy", "Ramesh Kumar Yadav", "hi", "Ramesh", "रमेश", ("ramesh.yadav1972@chitthi.example",), assets=(AssetSpec(("laptop", "computer"), "Laptop", "Kriti N-14", "KN14-23-8812", "WTY-KN14-23-8812", "", "House 14, Kidwai Nagar, Kanpur", "home", "घर", "in_warranty"),)),
    ContactSpec("savita", "सविता देवी", "hi", "Savita", "सविता", (), messaging="tg:savita_devi_lanka", assets=(AssetSpec(("printer",), "Home printer", "Mudra IJ-210", "MIJ210-24-3321", "WTY-MIJ210-24-3321", "", "Near Lanka crossing, Varanasi", "home", "घर", "in_warranty"),)),
    ContactSpec("arjunk", "Arjun Khanna", "en", "Arjun", "अर्जुन", ("arjun.khanna@dakbox.example",), assets=(AssetSpec(("router", "wifi"), "Home Wi-Fi router", "Setu H-300", "SH300-24-7710", "WTY-SH300-24-7710", "", "Flat 302, Sector 62, Noida", "home", "घर", "in_warranty"),)),
    ContactSpec("nandini", "Nandini Iyer", "en", "Nandini", "नंदिनी", ("nandini.iyer@inboxbharat.example",), messaging="tg:nandini_iyer", assets=(AssetSpec(("laptop", "computer"), "Laptop", "Kriti N-14", "KN14-24-0107", "WTY-KN14-24-0107", "", "Koramangala 4th Block, Bengaluru", "home", "घर", "in_warranty"),)),
    ContactSpec("sunil", "Sunil Prajapati", "hi", "Sunil", "सुनील", ("sunilprajapati@chitthi.example",), assets=(AssetSpec(("printer",), "Studio printer", "Mudra IJ-210", "MIJ210-23-0917", "", "", "Prajapati Photo Studio, Katra Bazaar, Sagar", "the studio", "स्टूडियो", "out_of_warranty"),)),
    ContactSpec("zoya", "Zoya Khan", "en", "Zoya", "ज़ोया", ("zoya.khan@dakbox.example",), chat=True, assets=(AssetSpec(("laptop", "computer"), "Laptop", "Kriti N-14", "KN14-23-5520", "", "", "Aliganj, Lucknow", "home", "घर", "out_of_warranty"),)),
    ContactSpec("mukesh", "Mukesh Choudhary", "hi", "Mukesh", "मुकेश", ("mukesh.choudhary@inboxbharat.example",), assets=(AssetSpec(("lekha", "account"), "Lekha Personal", "Lekha 7.4", "LK74-3391-S1", "LKH-PER-3391", "SAH-ACC-C-1173", "Choudhary Kirana Store, Station Road, Sikar", "the shop", "दुकान"),)),
    ContactSpec("ishita", "Ishita Banerjee", "en", "Ishita", "इशिता", ("ishita.b@inboxbharat.example",), assets=(AssetSpec(("router", "wifi"), "Home Wi-Fi router", "Setu H-300", "SH300-23-2045", "", "", "Salt Lake Sector 2, Kolkata", "home", "घर", "out_of_warranty"),)),
    ContactSpec("harish", "Harish Pandey", "hi", "Harish", "हरीश", ("harish.pandey@chitthi.example",), assets=(AssetSpec(("ups",), "Home UPS", "Urja 1 kVA", "UJ1K-22-2284", "WTY-UJ1K-22-2284", "", "Rajpur Road, Dehradun", "home", "घर", "in_warranty"),)),
    ContactSpec("babita", "Babita Saxena", "hi", "Babita", "बबीता", ("babita.saxena@dakbox.example",), messaging="tg:babita_bareilly", assets=(AssetSpec(("printer",), "Home printer", "Mudra IJ-210", "MIJ210-24-1188", "WTY-MIJ210-24-1188", "", "Civil Lines, Bareilly", "home", "घर", "in_warranty"),)),
    ContactSpec("tarun", "Tarun Goyal", "en", "Tarun", "तरुण", ("tarun.goyal@dakbox.example",), assets=(AssetSpec(("laptop", "computer"), "Laptop", "Kriti N-14", "KN14-23-9904", "WTY-KN14-23-9904", "", "Shastri Nagar, Meerut", "home", "घर", "in_warranty"),)),
    ContactSpec("geeta", "गीता शर्मा", "hi", "Geeta", "गीता", (), messaging="tg:sharma_medical_jhansi", assets=(AssetSpec(("lekha", "account"), "Lekha Personal", "Lekha 7.4", "LK74-5120-S1", "LKH-PER-5120", "SAH-ACC-C-2208", "Sharma Medical Store, Sipri Bazaar, Jhansi", "the shop", "दुकान"),)),
]
# fmt: on

# The other address of people who wrote from two addresses (the scripted stories): Sunita's
# and Tarun's contact records were merged; Zoya's second record waits for a supervisor to
# merge it from the workspace's contact page.
SECOND_ADDRESSES = {
    "sunita": "sunita.verma.bpl@chitthi.example",
    "tarun": "goyal.tarun84@inboxbharat.example",
    "zoya": "zoya.k.lko@chitthi.example",
}


# --- customers who write in once ----------------------------------------------------------
# Walk-ins are not created up front: their first message creates them, as with any new
# customer, and their ticket waits in a queue until an agent picks it up.

# fmt: off
FIRST_NAMES = [
    ("Rekha", "रेखा"), ("Sanjay", "संजय"), ("Anita", "अनीता"), ("Vivek", "विवेक"),
    ("Pushpa", "पुष्पा"), ("Alok", "आलोक"), ("Meera", "मीरा"), ("Deepak", "दीपक"),
    ("Shabnam", "शबनम"), ("Gopal", "गोपाल"), ("Kiran", "किरण"), ("Naveen", "नवीन"),
    ("Sarita", "सरिता"), ("Yusuf", "यूसुफ़"), ("Lata", "लता"), ("Prakash", "प्रकाश"),
    ("Jyoti", "ज्योति"), ("Ravi", "रवि"), ("Farida", "फ़रीदा"), ("Hemant", "हेमंत"),
    ("Poonam", "पूनम"), ("Ashok", "अशोक"), ("Nidhi", "निधि"), ("Manish", "मनीष"),
]
SURNAMES = [
    ("Sharma", "शर्मा"), ("Verma", "वर्मा"), ("Gupta", "गुप्ता"), ("Yadav", "यादव"),
    ("Singh", "सिंह"), ("Mishra", "मिश्रा"), ("Ansari", "अंसारी"), ("Chauhan", "चौहान"),
    ("Agarwal", "अग्रवाल"), ("Tiwari", "तिवारी"), ("Kushwaha", "कुशवाहा"), ("Rastogi", "रस्तोगी"),
    ("Meena", "मीणा"), ("Pathak", "पाठक"), ("Saxena", "सक्सेना"), ("Khan", "ख़ान"),
]
TOWNS = [
    "Agra", "Aligarh", "Ajmer", "Bilaspur", "Gorakhpur", "Gwalior", "Haldwani", "Hisar",
    "Jabalpur", "Jhansi", "Kota", "Raipur", "Ranchi", "Rohtak", "Satna", "Udaipur",
]
# fmt: on
MAIL_DOMAINS = ["chitthi.example", "dakbox.example", "inboxbharat.example"]
# What a walk-in owns: (kinds, name, model, serial prefix, with a warranty card).
HOME_EQUIPMENT = [
    (("laptop", "computer"), "Laptop", "Kriti N-14", "KN14-24-", True),
    (("printer",), "Home printer", "Mudra IJ-210", "MIJ210-24-", True),
    (("router", "wifi"), "Home Wi-Fi router", "Setu H-300", "SH300-24-", True),
    (("ups",), "Home UPS", "Urja 1 kVA", "UJ1K-23-", False),
    (("lekha", "account"), "Lekha Personal", "Lekha 7.4", "LK74-PER-", False),
]


# --- custom ticket fields -----------------------------------------------------------------

FIELD_DEFINITIONS = [
    {
        "key": "warranty",
        "label": "Warranty",
        "label_hi": "वारंटी",
        "kind": "choice",
        "choices": ["in_warranty", "out_of_warranty", "amc"],
    },
    {
        "key": "site_visit_needed",
        "label": "Site visit needed",
        "label_hi": "साइट विज़िट ज़रूरी",
        "kind": "boolean",
    },
    {
        "key": "visit_date",
        "label": "Planned visit date",
        "label_hi": "विज़िट की तारीख़",
        "kind": "date",
    },
    {
        "key": "invoice_number",
        "label": "Invoice number",
        "label_hi": "इनवॉइस नंबर",
        "kind": "text",
        "max_length": 40,
    },
]


# --- the problems customers bring ---------------------------------------------------------


@dataclass
class Problem:
    """One kind of problem, with the words of a ticket about it.

    Texts may use {site}, {asset}, {model}, {serial}, {licence}, {account} and {location}.
    ``escalate`` names the groups the ticket climbs to (L2, then L3), ``escalation`` the
    reason given at each step, ``specialist`` what the last specialist finds.
    """

    key: str
    assets: tuple[str, ...]  # asset kinds it needs; empty: none
    audience: str  # "any", "org" or "consumer"
    category: str
    type: str
    group: str
    weight: int
    priorities: dict[str, int]
    tags: tuple[str, ...]
    subject: dict[str, str]
    opening: dict[str, str]
    fix: dict[str, str]
    note: str
    call: str = ""
    escalate: tuple[str, ...] = ()
    escalation: tuple[str, ...] = ()
    specialist: str = ""
    hold: str = ""  # what it may wait for: "part" or "patch"
    site_visit: bool = False
    warranty: bool = False
    extra: dict = field(default_factory=dict)


PROBLEMS = [
    Problem(
        key="printer_jam",
        assets=("printer",),
        audience="any",
        category="printer",
        type="incident",
        group="field",
        weight=10,
        priorities={"P2": 1, "P3": 6, "P4": 1},
        tags=("printer", "paper-jam"),
        subject={
            "en": "Printer at {site} keeps jamming",
            "hi": "{site} का प्रिंटर बार-बार पेपर जाम कर रहा है",
            "hing": "{site} wala printer baar baar jam ho raha hai",
        },
        opening={
            "en": "The {model} at {site} shows a paper jam every two or three pages. We opened the tray and the back cover and nothing is stuck inside. Serial number {serial}. Please send someone soon, we use it all day.",
            "hi": "{site} में लगा {model} प्रिंटर हर दो-तीन पेज के बाद पेपर जाम दिखा रहा है। ट्रे और पीछे का कवर खोलकर देखा, अंदर कोई कागज़ नहीं फँसा है। सीरियल नंबर {serial} है। कृपया जल्दी किसी को भेजिए, सारा काम रुका हुआ है।",
            "hing": "Hello, {site} me jo {model} printer hai woh har 2-3 page ke baad paper jam bata raha hai. Andar check kiya, koi paper nahi fasa. Serial no. {serial}. Please kisi ko jaldi bhejo, kaam ruka hua hai.",
        },
        fix={
            "en": "Our engineer replaced the worn pick-up roller and cleaned the paper path of the {model}. Fifty test pages went through without a jam. Please use 70-75 gsm paper; the thicker stock in the tray was part of the problem.",
            "hi": "हमारे इंजीनियर ने {model} का घिसा हुआ पिक-अप रोलर बदल दिया है और कागज़ का रास्ता साफ़ कर दिया है। पचास टेस्ट पेज बिना जाम के निकले। कृपया 70-75 GSM का कागज़ ही इस्तेमाल करें, ट्रे में रखा मोटा कागज़ भी जाम की एक वजह था।",
            "hing": "Pick-up roller ghis gaya tha, engineer ne replace kar diya aur paper path clean kar diya. 50 test pages bina jam ke print hue. Please 70-75 GSM paper hi use karein, mota paper bhi problem kar raha tha.",
        },
        note="Jam log shows misfeeds from tray 1 only, no sensor errors. Most likely the pick-up roller. Booking a site visit.",
        call="Called to confirm the engineer's visit between 11 am and 1 pm; the printer stays switched off until then.",
        escalate=("network",),
        escalation=(
            "Roller replaced on the first visit but the jams came back within a day; needs a hardware specialist to check the fuser and the sensors.",
        ),
        specialist="Read the error log remotely: repeated J-102 misfeed codes, no sensor fault. Roller kit is in the regional store; the fuser is fine.",
        hold="part",
        site_visit=True,
        warranty=True,
    ),
    Problem(
        key="print_faded",
        assets=("printer",),
        audience="any",
        category="printer",
        type="request",
        group="field",
        weight=6,
        priorities={"P3": 3, "P4": 2},
        tags=("printer", "toner"),
        subject={
            "en": "Faded prints and a black line from the {model}",
            "hi": "प्रिंट हल्के आ रहे हैं, हर पेज पर काली लकीर",
            "hing": "Print bahut light aa raha hai, toner change karna padega kya?",
        },
        opening={
            "en": "Prints from the {model} at {site} have become very light and there is a black line down the left side of every page. We changed the toner cartridge last month. Is this covered? Our contract or warranty number is {licence}.",
            "hi": "{site} के {model} से प्रिंट बहुत हल्के आ रहे हैं और हर पेज पर बाईं तरफ़ एक काली लकीर आती है। टोनर पिछले महीने ही बदला था। क्या यह कवर होगा? हमारा कॉन्ट्रैक्ट या वारंटी नंबर {licence} है।",
            "hing": "{model} se print bahut light aa rahe hain aur har page pe left side ek kaali line aa rahi hai. Toner to last month hi badla tha. Kya ye cover hoga? Contract/warranty no. {licence} hai.",
        },
        fix={
            "en": "The drum unit had a scratch, which made the black line, and the toner was a refilled one that prints light. We have fitted a new drum; please use original cartridges so that the cover stays valid.",
            "hi": "ड्रम यूनिट पर खरोंच थी, उसी से काली लकीर आ रही थी, और टोनर रीफ़िल किया हुआ था जिससे प्रिंट हल्के आ रहे थे। नया ड्रम लगा दिया गया है। कवर बना रहे, इसके लिए ओरिजिनल कार्ट्रिज ही लगाएँ।",
            "hing": "Drum unit pe scratch tha, usi se line aa rahi thi. Toner bhi refill wala tha isliye print light aa raha tha. Naya drum laga diya hai. Please original cartridge hi use karein warna cover me problem hogi.",
        },
        note="Customer's photo shows the line repeating every 94 mm: a drum defect, not toner. Drum is covered, the refilled toner is not.",
        call="Spoke about the refilled cartridge; the customer agreed to order two original cartridges through billing.",
        hold="part",
        warranty=True,
    ),
    Problem(
        key="passbook",
        assets=("passbook",),
        audience="org",
        category="printer",
        type="incident",
        group="field",
        weight=5,
        priorities={"P2": 2, "P3": 3},
        tags=("printer", "passbook", "branch"),
        subject={
            "en": "Passbook printer at {site} not taking passbooks",
            "hi": "{site} में पासबुक प्रिंटर पासबुक नहीं ले रहा",
            "hing": "Passbook printer passbook andar nahi le raha, counter pe line lag gayi hai",
        },
        opening={
            "en": "The {model} passbook printer at {site} pulls the passbook halfway in and throws it back out with a red light. Customers are queuing for passbook updates. Serial {serial}.",
            "hi": "{site} का {model} पासबुक प्रिंटर पासबुक को आधा अंदर लेकर वापस बाहर निकाल देता है और लाल बत्ती जलने लगती है। ग्राहक पासबुक अपडेट के लिए लाइन में खड़े हैं। सीरियल {serial}।",
            "hing": "{site} me passbook printer passbook aadha andar leke wapas nikal deta hai, red light aa jaati hai. Customers line me khade hain, please urgent dekhiye. Serial {serial}.",
        },
        fix={
            "en": "The page-edge sensor was dusty and the magnetic stripe head had shifted when the counter was moved. Both are fixed and the printer is recalibrated; we updated ten passbooks at the counter as a test.",
            "hi": "पेज-एज सेंसर पर धूल जमी थी और काउंटर खिसकाने के बाद मैग्नेटिक स्ट्राइप हेड अपनी जगह से हट गया था। दोनों ठीक कर दिए हैं और प्रिंटर को दोबारा कैलिब्रेट कर दिया गया है। जाँच के लिए काउंटर पर दस पासबुक अपडेट करके देखी गईं।",
            "hing": "Edge sensor pe dust tha aur counter shift karne ke baad head thoda hil gaya tha. Dono theek kar diye, printer recalibrate ho gaya hai. Counter pe 10 passbook update karke check kiya, sab theek hai.",
        },
        note="Branch confirms the counter was moved last week. Probably calibration; the engineer will carry a sensor kit in case.",
        call="Branch manager asked for the visit before 10 am tomorrow to avoid the rush; engineer confirmed.",
        site_visit=True,
        warranty=True,
    ),
    Problem(
        key="thermal_blank",
        assets=("thermal",),
        audience="org",
        category="printer",
        type="incident",
        group="field",
        weight=5,
        priorities={"P2": 2, "P3": 3},
        tags=("printer", "receipt-printer"),
        subject={
            "en": "Receipt printer printing blank slips",
            "hi": "रसीद प्रिंटर से खाली पर्ची निकल रही है",
            "hing": "Billing counter ka receipt printer blank slip de raha hai",
        },
        opening={
            "en": "The {model} receipt printer at {site} feeds paper but the slips come out blank. We tried a new roll. Billing is stuck and we are writing receipts by hand.",
            "hi": "{site} पर {model} रसीद प्रिंटर से कागज़ तो निकलता है पर पर्ची बिल्कुल खाली आती है। नया रोल डालकर भी देखा। बिलिंग रुकी हुई है, हाथ से रसीदें बना रहे हैं।",
            "hing": "{site} pe receipt printer se slip to nikal rahi hai par bilkul blank. Naya roll bhi daal ke dekha. Abhi haath se bill bana rahe hain, please help.",
        },
        fix={
            "en": "The roll was loaded with the coated side facing down, so nothing showed, and the print head was dirty. The head is cleaned, and there is now a small diagram inside the cover showing which way the roll goes.",
            "hi": "रोल उल्टा लगा हुआ था, यानी कोटिंग वाली तरफ़ नीचे थी, इसलिए कुछ छप नहीं रहा था। प्रिंट हेड भी गंदा था, उसे साफ़ कर दिया है। कवर के अंदर एक छोटा चित्र चिपका दिया है कि रोल किस तरफ़ लगाना है।",
            "hing": "Roll ulta laga tha, coated side neeche thi isliye print nahi aa raha tha. Head bhi clean kar diya. Cover ke andar ek chhota sticker laga diya hai ki roll kaise lagana hai.",
        },
        note="Thermal printers print blank mostly when the roll is reversed. Asked them to scratch the paper with a fingernail: the coated side turns dark.",
        call="Walked the cashier through reloading the roll on the phone; the first slip printed fine.",
    ),
    Problem(
        key="link_down",
        assets=("router",),
        audience="org",
        category="network",
        type="incident",
        group="front",
        weight=5,
        priorities={"P1": 2, "P2": 3, "P3": 1},
        tags=("network", "outage"),
        subject={
            "en": "Internet and server link down at {site}",
            "hi": "{site} में इंटरनेट और सर्वर लिंक बंद",
            "hing": "{site} me net aur server dono down hain",
        },
        opening={
            "en": "Since this morning nobody at {site} can reach the internet or our central server. The {model} router shows a steady orange light on the WAN port. We have restarted it twice. All work at the site has stopped.",
            "hi": "आज सुबह से {site} में किसी का भी इंटरनेट या सेंट्रल सर्वर नहीं चल रहा। {model} राउटर के WAN पोर्ट पर नारंगी बत्ती लगातार जल रही है। दो बार रीस्टार्ट कर चुके हैं। पूरी साइट का काम ठप है।",
            "hing": "Subah se {site} me net nahi chal raha, server bhi connect nahi ho raha. Router ({model}) pe WAN wali light orange hai. 2 baar restart kar diya. Poora kaam band hai, please urgent.",
        },
        fix={
            "en": "The fault was in the provider's fibre line, which was cut during road work nearby. We moved your traffic to the backup 4G link in the meantime and chased the provider; the main link has been stable for the last two hours. Both links are monitored now, so we will see a drop before you do.",
            "hi": "ख़राबी इंटरनेट प्रदाता की फ़ाइबर लाइन में थी, जो पास में सड़क के काम के दौरान कट गई थी। तब तक आपका काम बैकअप 4G लिंक पर चलाया गया और प्रदाता से लाइन ठीक करवाई गई। मुख्य लिंक पिछले दो घंटे से ठीक चल रहा है। अब दोनों लिंक की निगरानी हो रही है।",
            "hing": "Problem ISP ki fibre line me thi, paas me road ka kaam chal raha tha wahan cut ho gayi thi. Tab tak backup 4G link pe shift kar diya tha. Main link ab 2 ghante se stable hai, dono links ko monitor kar rahe hain.",
        },
        note="Router reachable over the 4G backup; WAN port sees no light from the provider's side. Not our hardware. Raising a docket with the ISP and asking L2 to force failover.",
        call="Update call: failover is working, the provider's crew is on site, restore expected in about two hours. Customer is fine running on backup till then.",
        escalate=("network",),
        escalation=(
            "Whole site down and the ISP docket is not moving; needs Network and hardware to force failover to the 4G link and chase the provider's NOC.",
        ),
        specialist="Forced failover to the 4G backup, site traffic is flowing. Escalated the docket with the provider's NOC; they confirm a fibre cut near the site.",
    ),
    Problem(
        key="wifi_slow",
        assets=("wifi",),
        audience="any",
        category="network",
        type="problem",
        group="front",
        weight=7,
        priorities={"P2": 1, "P3": 5, "P4": 1},
        tags=("wifi",),
        subject={
            "en": "Wi-Fi keeps disconnecting at {site}",
            "hi": "{site} में वाई-फ़ाई बार-बार कट रहा है",
            "hing": "{site} me WiFi har 10 minute me disconnect ho raha hai",
        },
        opening={
            "en": "The Wi-Fi at {site} drops every few minutes and comes back on its own. It is worst between 11 and 1 when most people are connected. The access point is a {model}, serial {serial}.",
            "hi": "{site} में वाई-फ़ाई हर कुछ मिनट में कट जाता है और अपने आप वापस आ जाता है। सुबह 11 से 1 बजे के बीच सबसे ज़्यादा दिक़्क़त होती है, जब सबसे ज़्यादा लोग जुड़े होते हैं। एक्सेस पॉइंट {model} है।",
            "hing": "{site} ka WiFi har kuch minute me cut ho jaata hai fir apne aap aa jaata hai. 11 se 1 ke beech sabse zyada problem hai jab sab log connected hote hain. Access point {model} hai.",
        },
        fix={
            "en": "The access point shared its channel with two neighbouring networks and hit its client limit at peak hours. We moved it to a clear 5 GHz channel and turned on band steering; there have been no drops since yesterday. We have also suggested a second access point for next month.",
            "hi": "एक्सेस पॉइंट आस-पास के दो नेटवर्क वाले चैनल पर ही था और भीड़ के समय उसकी क्लाइंट सीमा पूरी हो जाती थी। उसे 5 GHz के खाली चैनल पर कर दिया गया है और बैंड स्टीयरिंग चालू कर दी है। कल से कनेक्शन नहीं कटा है। अगले महीने एक और एक्सेस पॉइंट लगाने का सुझाव भी भेजा है।",
            "hing": "AP paas ke do networks wale channel pe hi tha aur peak time pe client limit full ho jaati thi. 5 GHz ke free channel pe shift kar diya aur band steering on kar di. Kal se disconnect nahi hua. Next month ek aur AP lagane ka suggestion bhi bhej diya hai.",
        },
        note="Controller shows 60+ clients on one AP at noon and overlap with two neighbour networks on channel 6. Needs a channel plan.",
        call="Checked at the noon peak: no drops in the last hour.",
        escalate=("network",),
        escalation=(
            "Interference and client overload on the access point; needs a channel plan from Network and hardware.",
        ),
        specialist="Remote survey: channel 6 shared with two neighbour SSIDs. Moved to 5 GHz channel 44, band steering on, client cap raised. Recommend a second AP.",
    ),
    Problem(
        key="vpn",
        assets=("router",),
        audience="org",
        category="network",
        type="incident",
        group="front",
        weight=4,
        priorities={"P2": 1, "P3": 4},
        tags=("network", "vpn", "remote-access"),
        subject={
            "en": "VPN not connecting for staff working from home",
            "hi": "घर से काम करने वालों का VPN नहीं जुड़ रहा",
            "hing": "Ghar se VPN connect nahi ho raha, error 809 aa raha hai",
        },
        opening={
            "en": "Since Monday our staff cannot connect to the office VPN from home. The client shows error 809 after a minute. Inside the office everything works. The router at {site} is a {model}.",
            "hi": "सोमवार से हमारे कर्मचारी घर से दफ़्तर का VPN नहीं जोड़ पा रहे। एक मिनट बाद एरर 809 आता है। दफ़्तर के अंदर सब ठीक चलता है। {site} में {model} राउटर लगा है।",
            "hing": "Monday se ghar se office VPN connect nahi ho raha, 1 minute baad error 809 aata hai. Office ke andar sab theek hai. {site} me router {model} hai.",
        },
        fix={
            "en": "Your provider changed the office's public IP on Monday and the VPN profile still pointed at the old address. The profile now uses a dynamic DNS name that follows the IP, and the new profile is pushed to all laptops. Please ask staff to reconnect once.",
            "hi": "सोमवार को इंटरनेट प्रदाता ने दफ़्तर का पब्लिक IP बदल दिया था और VPN प्रोफ़ाइल अब भी पुराने पते पर जा रही थी। प्रोफ़ाइल को ऐसे DNS नाम पर कर दिया है जो IP बदलने पर अपने आप बदल जाता है, और नई प्रोफ़ाइल सभी लैपटॉप पर भेज दी है। कर्मचारी एक बार दोबारा कनेक्ट कर लें।",
            "hing": "ISP ne Monday ko office ka public IP change kar diya tha, VPN profile purane IP pe ja rahi thi. Ab dynamic DNS name laga diya hai jo IP ke saath update hota hai, aur nayi profile sab laptops pe push kar di. Staff ek baar reconnect kar le.",
        },
        note="Error 809 only from outside. Router log shows the public IP changed on Monday at 06:10.",
        call="Tested with two staff members on a call; both connected after reinstalling the profile.",
        escalate=("network",),
        escalation=(
            "The VPN endpoint needs reconfiguring on the router; L1 has no access to the customer's firewall.",
        ),
        specialist="Confirmed the public IP change. Configured dynamic DNS and updated the VPN profile; tested from a home connection.",
    ),
    Problem(
        key="pc_slow",
        assets=("computer",),
        audience="any",
        category="hardware",
        type="problem",
        group="front",
        weight=8,
        priorities={"P2": 1, "P3": 6, "P4": 1},
        tags=("desktop", "performance"),
        subject={
            "en": "{model} very slow, takes 15 minutes to start",
            "hi": "कंप्यूटर बहुत धीमा, चालू होने में 15 मिनट",
            "hing": "Computer bahut slow hai, start hone me hi 15 min lagte hain",
        },
        opening={
            "en": "The {model} at {site} has become extremely slow. It takes about 15 minutes to reach the desktop and opening any file freezes it. Serial {serial}. We need it for daily work.",
            "hi": "{site} वाला {model} बहुत धीमा हो गया है। डेस्कटॉप आने में लगभग 15 मिनट लगते हैं और कोई भी फ़ाइल खोलो तो अटक जाता है। सीरियल {serial}। रोज़ का काम इसी पर होता है।",
            "hing": "{site} wala {model} bahut slow ho gaya hai. Desktop aane me 15 min lagte hain, file kholo to hang ho jaata hai. Daily kaam isi pe hota hai, jaldi dekhiye please.",
        },
        fix={
            "en": "The hard disk was failing (over 300 bad sectors), which is why everything froze. We replaced it with an SSD, restored your data from the backup, and the machine now starts in under a minute.",
            "hi": "हार्ड डिस्क ख़राब हो रही थी (300 से ज़्यादा बैड सेक्टर), इसी से सब अटक रहा था। उसकी जगह SSD लगा दी है, बैकअप से आपका डेटा वापस डाल दिया है और अब मशीन एक मिनट से कम में चालू हो जाती है।",
            "hing": "Hard disk kharab ho rahi thi, 300+ bad sectors the. SSD laga di hai, backup se data restore kar diya. Ab machine 1 minute me start ho jaati hai.",
        },
        note="Remote session: disk at 100% with SMART warnings. Needs a hardware replacement; checking cover.",
        call="Told the customer the disk will be replaced tomorrow and asked them to copy open work to the shared drive tonight.",
        escalate=("network",),
        escalation=(
            "SMART errors on the disk; needs a hardware specialist to confirm and replace it.",
        ),
        specialist="Disk health test failed with 312 reallocated sectors. SSD swap approved; data copied before the swap.",
        hold="part",
        warranty=True,
    ),
    Problem(
        key="laptop_charging",
        assets=("laptop",),
        audience="any",
        category="hardware",
        type="incident",
        group="front",
        weight=6,
        priorities={"P3": 5, "P4": 1},
        tags=("laptop", "battery"),
        subject={
            "en": "Laptop not charging, battery stuck at 0%",
            "hi": "लैपटॉप चार्ज नहीं हो रहा, बैटरी 0% पर अटकी",
            "hing": "Laptop charge nahi ho raha, 'plugged in not charging' dikha raha hai",
        },
        opening={
            "en": "My {model} says 'plugged in, not charging' and the battery stays at 0%. It only works on the charger. I think it is under warranty, serial {serial}.",
            "hi": "मेरा {model} लैपटॉप 'plugged in, not charging' दिखा रहा है और बैटरी 0% पर अटकी है। सिर्फ़ चार्जर लगाकर चलता है। शायद वारंटी में है, सीरियल {serial}।",
            "hing": "Mera {model} laptop 'plugged in not charging' bol raha hai, battery 0% pe hi hai. Charger hatate hi band ho jaata hai. Warranty me hoga shayad, serial {serial}.",
        },
        fix={
            "en": "The battery failed its health check: it held 8% of its design capacity. A new battery is fitted and the laptop charged to 100% in our test. Please keep battery-care mode on in the Kriti utility.",
            "hi": "जाँच में बैटरी फ़ेल निकली, उसकी क्षमता सिर्फ़ 8% रह गई थी। नई बैटरी लगा दी गई है और जाँच में लैपटॉप 100% तक चार्ज हुआ। कृपया Kriti यूटिलिटी में बैटरी-केयर मोड चालू रखें।",
            "hing": "Battery ki health sirf 8% thi, isliye charge nahi ho rahi thi. Nayi battery laga di hai, test me 100% charge ho gaya. Kriti utility me battery care mode on rakhiye.",
        },
        note="Battery report: full-charge capacity is 8% of design. Checking cover and arranging a pickup.",
        call="Confirmed the pickup address and that the customer has a backup of their files.",
        hold="part",
        warranty=True,
    ),
    Problem(
        key="pc_install",
        assets=("computer",),
        audience="org",
        category="installation",
        type="request",
        group="field",
        weight=3,
        priorities={"P3": 1, "P4": 4},
        tags=("installation", "new-setup"),
        subject={
            "en": "Install and set up 5 new desktops at {site}",
            "hi": "{site} में 5 नए कंप्यूटर लगवाने हैं",
            "hing": "{site} me 5 naye computer install karne hain next week",
        },
        opening={
            "en": "Five new {model} desktops have arrived for {site}. Please send an engineer to install them, join them to our network and set up the printer and the Lekha client. Any day next week before 4 pm works.",
            "hi": "{site} के लिए पाँच नए {model} कंप्यूटर आ गए हैं। कृपया इंजीनियर भेजकर इन्हें लगवाइए, नेटवर्क से जोड़िए और प्रिंटर व Lekha क्लाइंट सेट कर दीजिए। अगले हफ़्ते किसी भी दिन शाम 4 बजे से पहले आ सकते हैं।",
            "hing": "{site} ke liye 5 naye {model} aa gaye hain. Engineer bhej dijiye install karne ke liye, network aur printer setup bhi karna hai, Lekha client bhi. Next week koi bhi din 4 baje se pehle chalega.",
        },
        fix={
            "en": "All five desktops are installed and on the network, with the printer and the Lekha client set up and tested with your staff. Each machine has an asset tag, and the serial numbers are added to your account.",
            "hi": "पाँचों कंप्यूटर लग गए हैं और नेटवर्क से जुड़ गए हैं। प्रिंटर और Lekha क्लाइंट सेट करके आपके स्टाफ़ के साथ जाँच लिए गए हैं। हर मशीन पर एसेट टैग लगा दिया है और सीरियल नंबर आपके खाते में जोड़ दिए हैं।",
            "hing": "Paanchon desktop install ho gaye, network pe hain, printer aur Lekha client setup karke staff ke saath test kar liya. Har machine pe asset tag laga diya hai.",
        },
        note="Planned visit. Needs five network points at the site; the customer confirms they are ready.",
        call="Fixed the visit for Tuesday 11 am; the customer will keep the admin password ready.",
        site_visit=True,
    ),
    Problem(
        key="ups_backup",
        assets=("ups",),
        audience="any",
        category="hardware",
        type="incident",
        group="field",
        weight=5,
        priorities={"P2": 2, "P3": 4},
        tags=("ups", "power"),
        subject={
            "en": "UPS beeping, backup lasts only 2 minutes",
            "hi": "UPS लगातार बीप कर रहा है, बैकअप सिर्फ़ 2 मिनट",
            "hing": "UPS beep kar raha hai, light jaate hi sab band",
        },
        opening={
            "en": "The {model} UPS at {site} beeps all the time, and when the power goes everything shuts down within two minutes. It used to give 30 minutes. Serial {serial}.",
            "hi": "{site} का {model} UPS लगातार बीप कर रहा है और बिजली जाते ही दो मिनट में सब बंद हो जाता है। पहले 30 मिनट का बैकअप मिलता था। सीरियल {serial}।",
            "hing": "{site} ka UPS ({model}) continuously beep kar raha hai. Light jaate hi 2 minute me sab band ho jaata hai, pehle aadha ghanta chalta tha.",
        },
        fix={
            "en": "Four of the eight batteries had swollen and failed. We replaced the whole battery bank (mixing old and new shortens their life) and ran a 20-minute test at 70% load. Backup is back to about 35 minutes.",
            "hi": "UPS की आठ में से चार बैटरियाँ फूल गई थीं और ख़राब हो चुकी थीं। पूरा बैटरी सेट बदल दिया गया है (पुरानी और नई मिलाकर लगाने से उम्र घटती है) और 70% लोड पर 20 मिनट की जाँच की गई। अब लगभग 35 मिनट का बैकअप मिल रहा है।",
            "hing": "8 me se 4 batteries phool gayi thi. Poora battery set badal diya (purani-nayi mix karne se life kam hoti hai). 70% load pe 20 min test kiya, ab lagbhag 35 min backup mil raha hai.",
        },
        note="UPS self-test fails with a battery fault. Batteries are three and a half years old.",
        call="Warned that the UPS will be on bypass for 30 minutes during the battery change.",
        escalate=("network",),
        escalation=(
            "Battery bank replacement needs a load test and a quote from Network and hardware.",
        ),
        specialist="Load test confirms a weak battery string. Replacement of the full bank approved; stock reserved.",
        hold="part",
        site_visit=True,
        warranty=True,
    ),
    Problem(
        key="lekha_activation",
        assets=("lekha",),
        audience="any",
        category="software licence",
        type="incident",
        group="front",
        weight=5,
        priorities={"P2": 3, "P3": 3},
        tags=("lekha", "licence"),
        subject={
            "en": "Lekha says licence expired after renewal",
            "hi": "रिन्यूअल के बाद भी Lekha में लाइसेंस एक्सपायर दिख रहा है",
            "hing": "Renewal ke baad bhi Lekha licence expired bata raha hai",
        },
        opening={
            "en": "We paid the Lekha renewal last week, but since this morning the software says 'Licence {licence} expired' and opens read-only. Nobody can post entries. Account number {account}.",
            "hi": "हमने पिछले हफ़्ते Lekha का रिन्यूअल भुगतान कर दिया था, फिर भी आज सुबह से सॉफ़्टवेयर 'Licence {licence} expired' दिखा रहा है और सिर्फ़ पढ़ने के मोड में खुल रहा है। कोई एंट्री नहीं हो पा रही। खाता संख्या {account}।",
            "hing": "Lekha renewal ka payment last week kar diya tha, phir bhi aaj subah se 'Licence {licence} expired' aa raha hai aur read-only mode me khul raha hai. Entry nahi ho pa rahi. Account no. {account}.",
        },
        fix={
            "en": "Your payment had reached us but the new licence key had not been pushed to your server. Licence {licence} is now active until next March and refreshed on your server, so Lekha opens in full mode again. Nothing was lost during the read-only period.",
            "hi": "आपका भुगतान मिल गया था, पर नई लाइसेंस की आपके सर्वर तक नहीं पहुँची थी। लाइसेंस {licence} अगले मार्च तक सक्रिय कर दिया गया है और सर्वर पर भी अपडेट हो गया है। Lekha अब पूरे मोड में खुल रहा है। रीड-ओनली के दौरान कोई डेटा नहीं गया।",
            "hing": "Payment mil gaya tha par nayi licence key server tak push nahi hui thi. Licence {licence} ab next March tak active hai aur server pe refresh kar di. Lekha ab full mode me khul raha hai, koi data loss nahi hua.",
        },
        note="Billing shows the payment and the receipt, but the licence server still has the old expiry. The key has to be re-issued.",
        call="Confirmed with the customer's accounts team that they can post entries again.",
        escalate=("apps",),
        escalation=(
            "Renewal is paid but the licence server did not issue the new key; needs Applications and licences to re-issue it.",
        ),
        specialist="The key regeneration job had failed for this account during the renewal run. Re-issued the key and pushed it to the customer's server.",
    ),
    Problem(
        key="gst_irn",
        assets=("lekha",),
        audience="org",
        category="software",
        type="problem",
        group="front",
        weight=3,
        priorities={"P2": 3, "P3": 2},
        tags=("lekha", "gst", "e-invoice"),
        subject={
            "en": "E-invoice rejected: IRN error 2150 in Lekha",
            "hi": "Lekha में ई-इनवॉइस पर IRN एरर 2150",
            "hing": "E-invoice generate nahi ho raha, IRN error 2150 aa raha hai",
        },
        opening={
            "en": "Since yesterday Lekha cannot generate e-invoices. Every invoice fails with 'Error 2150: duplicate IRN', even with new invoice numbers. We have 40 dispatches waiting for invoices today. Licence {licence}.",
            "hi": "कल से Lekha में ई-इनवॉइस नहीं बन रहे। हर इनवॉइस पर 'Error 2150: duplicate IRN' आता है, नए इनवॉइस नंबर पर भी। आज 40 गाड़ियाँ माल लेकर इनवॉइस के इंतज़ार में खड़ी हैं। लाइसेंस {licence}।",
            "hing": "Kal se Lekha me e-invoice generate nahi ho raha. Har invoice pe 'Error 2150 duplicate IRN' aa raha hai, naye number pe bhi. Aaj 40 dispatch pending hain invoice ke bina. Licence {licence}.",
        },
        fix={
            "en": "Lekha was taking the previous financial year's invoice series when it built the IRN request, so the portal saw duplicates. Our engineering team released patch 7.4.2 to fix the series selection; it is installed on your server and the pending invoices have gone through.",
            "hi": "IRN बनाते समय Lekha पिछले वित्त वर्ष की इनवॉइस सीरीज़ उठा रहा था, इसलिए पोर्टल उन्हें डुप्लिकेट मान रहा था। हमारी इंजीनियरिंग टीम ने पैच 7.4.2 जारी किया है जिससे यह ठीक हो गया है। पैच आपके सर्वर पर लग गया है और रुके हुए सभी इनवॉइस बन गए हैं।",
            "hing": "Lekha IRN banate time purane financial year ki invoice series utha raha tha, isliye portal duplicate bol raha tha. Engineering team ne patch 7.4.2 diya hai, aapke server pe install ho gaya hai aur pending invoices bhi generate ho gaye.",
        },
        note="Reproduced on a copy of their company file: the IRN payload carries last year's series prefix. Looks like a product defect, not their data.",
        call="Explained the manual-series workaround so that today's urgent dispatches can go; patch expected tomorrow.",
        escalate=("apps", "engineering"),
        escalation=(
            "Reproduced with the customer's data: the IRN payload uses the wrong invoice series. Needs Applications and licences to confirm it is not configuration.",
            "Confirmed defect in the e-invoice module's series selection after the year change; needs a product fix from engineering.",
        ),
        specialist="Traced to the series lookup after the year-end rollover. Fixed in patch 7.4.2. Workaround until then: set the series by hand on each invoice.",
        hold="patch",
    ),
    Problem(
        key="lekha_backup",
        assets=("lekha",),
        audience="any",
        category="software",
        type="problem",
        group="front",
        weight=4,
        priorities={"P3": 4, "P4": 1},
        tags=("lekha", "backup"),
        subject={
            "en": "Lekha backup failing every night",
            "hi": "Lekha का रात वाला बैकअप फ़ेल हो रहा है",
            "hing": "Lekha ka daily backup fail ho raha hai, roz mail aa raha hai",
        },
        opening={
            "en": "For a week we get a mail every morning saying the Lekha nightly backup failed with 'disk full'. As far as we can see the server has plenty of space. We are worried about our data.",
            "hi": "पिछले एक हफ़्ते से रोज़ सुबह मेल आ रहा है कि Lekha का रात वाला बैकअप 'disk full' की वजह से फ़ेल हो गया। हमें तो सर्वर पर काफ़ी जगह दिख रही है। डेटा को लेकर चिंता है।",
            "hing": "1 week se roz subah mail aa raha hai ki Lekha ka night backup fail hua, 'disk full' bol raha hai. Server pe to space hai. Data ko leke tension hai.",
        },
        fix={
            "en": "The backups were going to an external drive that was full of old copies from 2022. Lekha now keeps the last 30 backups and copies one a week to your cloud folder. Last night's backup completed and we test-restored it.",
            "hi": "बैकअप एक बाहरी ड्राइव पर जा रहे थे जो 2022 की पुरानी कॉपियों से भरी हुई थी। अब Lekha सिर्फ़ पिछले 30 बैकअप रखेगा और हफ़्ते में एक बैकअप आपके क्लाउड फ़ोल्डर में भी जाएगा। कल रात का बैकअप पूरा हुआ और उसे रीस्टोर करके भी जाँचा गया।",
            "hing": "Backup external drive pe ja raha tha jo 2022 ki purani copies se full thi. Ab sirf last 30 backups rakhega aur weekly ek copy cloud folder me bhi jayegi. Kal raat ka backup complete hua, restore karke bhi check kiya.",
        },
        note="Backup target is drive E: (external), 100% used. Not the server disk.",
        call="Explained the new backup schedule; the customer will keep the external drive connected.",
        escalate=("apps",),
        escalation=(
            "The backup policy has to be changed on the customer's server; Applications and licences to set the retention.",
        ),
        specialist="Set retention to 30, added a weekly copy to cloud storage, test restore OK.",
    ),
    Problem(
        key="add_users",
        assets=("lekha",),
        audience="org",
        category="software licence",
        type="request",
        group="billing",
        weight=3,
        priorities={"P4": 1},
        tags=("lekha", "licence", "upgrade"),
        subject={
            "en": "Need 3 more Lekha user licences",
            "hi": "Lekha के 3 और यूज़र लाइसेंस चाहिए",
            "hing": "Lekha me 3 aur users add karne hain",
        },
        opening={
            "en": "Three people are joining our accounts team next month. Please send a quote for three more Lekha users on licence {licence}, and activate them once we pay.",
            "hi": "अगले महीने से हमारी अकाउंट्स टीम में तीन लोग और जुड़ रहे हैं। कृपया हमारे लाइसेंस {licence} पर तीन और Lekha यूज़र का कोटेशन भेजें और भुगतान के बाद उन्हें चालू कर दें।",
            "hing": "Next month se accounts team me 3 log aur aa rahe hain. Licence {licence} pe 3 aur Lekha users ka quotation bhej dijiye, payment ke baad activate kar dena.",
        },
        fix={
            "en": "Payment received, thank you. Three more users are active on licence {licence}; your admin can create their logins under Settings > Users. The tax invoice is in your account portal under account {account}.",
            "hi": "भुगतान मिल गया, धन्यवाद। लाइसेंस {licence} पर तीन और यूज़र चालू हो गए हैं; आपके एडमिन Settings > Users में उनके लॉगिन बना सकते हैं। टैक्स इनवॉइस आपके खाते {account} के पोर्टल में है।",
            "hing": "Payment mil gaya, thanks. Licence {licence} pe 3 naye users active ho gaye hain, admin Settings > Users me login bana sakte hain. Tax invoice portal me account {account} ke andar hai.",
        },
        note="Quote sent at the annual rate, pro-rated to the renewal date. Waiting for the PO.",
        call="Called accounts to get the PO number for the invoice.",
    ),
    Problem(
        key="his_reports",
        assets=("his",),
        audience="org",
        category="software",
        type="incident",
        group="front",
        weight=3,
        priorities={"P1": 1, "P2": 4},
        tags=("sanjeevani", "lab-reports"),
        subject={
            "en": "Lab reports not printing from Sanjeevani HIS",
            "hi": "Sanjeevani HIS से लैब रिपोर्ट प्रिंट नहीं हो रहीं",
            "hing": "HIS se lab report print nahi ho rahi, patients wait kar rahe hain",
        },
        opening={
            "en": "Since Sunday's update, lab reports in Sanjeevani HIS open as a blank page when we click Print. Patients are waiting at the lab counter for their reports. Licence {licence}.",
            "hi": "रविवार के अपडेट के बाद से Sanjeevani HIS में प्रिंट दबाने पर लैब रिपोर्ट ख़ाली पेज के रूप में खुलती है। लैब काउंटर पर मरीज़ अपनी रिपोर्ट के लिए इंतज़ार कर रहे हैं।",
            "hing": "Sunday wale update ke baad HIS me lab report print karo to blank page aata hai. Lab counter pe patients report ke liye ruke hue hain, urgent hai.",
        },
        fix={
            "en": "Sunday's update changed the report template path, so printing found no template. Engineering shipped hotfix 3.12.1; it is installed and lab reports print again. We have added a check for this to our update process.",
            "hi": "रविवार के अपडेट में रिपोर्ट टेम्पलेट का पाथ बदल गया था, इसलिए प्रिंट को टेम्पलेट नहीं मिल रहा था। इंजीनियरिंग टीम ने हॉटफ़िक्स 3.12.1 दिया है, वह लग गया है और लैब रिपोर्ट फिर से प्रिंट हो रही हैं। आगे से अपडेट में इसकी जाँच भी जोड़ दी गई है।",
            "hing": "Sunday ke update me report template ka path change ho gaya tha, isliye blank aa raha tha. Engineering ne hotfix 3.12.1 diya hai, install ho gaya hai aur reports print ho rahi hain.",
        },
        note="Workaround given: export the report as PDF and print the PDF. Works, but slow at the counter.",
        call="Told the lab in-charge about the PDF workaround and when the hotfix is expected.",
        escalate=("apps", "engineering"),
        escalation=(
            "Blank print after Sunday's update, reproducible on every lab report; needs Applications and licences to check the update.",
            "Template path regression in release 3.12; needs a hotfix from product engineering.",
        ),
        specialist="Regression: the template path constant changed in 3.12. Hotfix 3.12.1 built and tested on the staging copy.",
        hold="patch",
    ),
    Problem(
        key="invoice_copy",
        assets=("account",),
        audience="any",
        category="billing",
        type="question",
        group="billing",
        weight=6,
        priorities={"P4": 1},
        tags=("billing", "invoice"),
        subject={
            "en": "Need GST invoice copies for the last quarter",
            "hi": "पिछली तिमाही के GST इनवॉइस की कॉपी चाहिए",
            "hing": "Last quarter ki GST invoice copy chahiye",
        },
        opening={
            "en": "Our auditor needs copies of all GST invoices raised on account {account} in the last quarter, with our GSTIN printed on them. Can you send them as PDFs?",
            "hi": "हमारे ऑडिटर को खाता {account} पर पिछली तिमाही में बने सभी GST इनवॉइस की कॉपी चाहिए, जिन पर हमारा GSTIN छपा हो। क्या PDF में भेज सकते हैं?",
            "hing": "Auditor ko account {account} ke last quarter ke saare GST invoices chahiye, GSTIN ke saath. PDF me bhej sakte ho kya?",
        },
        fix={
            "en": "The invoices for the last quarter on account {account} are on their way to your registered email as PDFs, all with your GSTIN. You can also download them any time from the customer portal under Billing > Invoices.",
            "hi": "खाता {account} की पिछली तिमाही के सभी इनवॉइस PDF में आपके रजिस्टर्ड ईमेल पर भेज दिए हैं, सब पर आपका GSTIN छपा है। ये कस्टमर पोर्टल में Billing > Invoices में भी कभी भी मिल जाएँगे।",
            "hing": "Account {account} ke last quarter ke saare invoices PDF me aapke registered email pe bhej diye hain, sab pe GSTIN hai. Portal me Billing > Invoices me bhi mil jayenge.",
        },
        note="Six invoices in the quarter; one had the old billing address and was regenerated with the current one.",
        call="Called to confirm the auditor received the PDFs.",
        extra={"invoice": True},
    ),
    Problem(
        key="payment_twice",
        assets=("account",),
        audience="any",
        category="billing",
        type="complaint",
        group="billing",
        weight=5,
        priorities={"P2": 1, "P3": 4},
        tags=("billing", "payment", "refund"),
        subject={
            "en": "Paid twice but still getting payment reminders",
            "hi": "भुगतान दो बार कट गया, फिर भी रिमाइंडर आ रहे हैं",
            "hing": "Payment 2 baar cut gaya phir bhi reminder aa rahe hain",
        },
        opening={
            "en": "We paid the invoice on account {account} by UPI on the 3rd and the amount was debited twice. Your system still sends payment reminders. Please refund the extra amount and stop the reminders.",
            "hi": "हमने खाता {account} का भुगतान 3 तारीख़ को UPI से किया था और पैसे दो बार कट गए। फिर भी आपकी तरफ़ से भुगतान के रिमाइंडर आ रहे हैं। कृपया अतिरिक्त राशि वापस करें और रिमाइंडर बंद करें।",
            "hing": "Account {account} ka payment 3 tareekh ko UPI se kiya tha, paise 2 baar cut gaye. Upar se reminder bhi aa rahe hain. Extra amount refund karo aur reminders band karo please.",
        },
        fix={
            "en": "Both UPI payments reached us. One is applied to your invoice and the duplicate has been refunded to the same UPI account; the reference is in your portal and it takes 5-7 working days to show. Reminders on account {account} are stopped. Sorry for the trouble.",
            "hi": "आपके दोनों UPI भुगतान हमें मिले थे। एक आपके इनवॉइस में लगा दिया गया है और दूसरा उसी UPI खाते में वापस भेज दिया गया है; रेफ़रेंस पोर्टल में है और दिखने में 5-7 कार्य-दिवस लगते हैं। खाता {account} पर रिमाइंडर बंद कर दिए गए हैं। असुविधा के लिए खेद है।",
            "hing": "Dono UPI payments aaye the. Ek invoice me adjust ho gaya, doosra usi UPI account me refund kar diya (reference portal me hai, 5-7 working days lagenge). Reminders band kar diye hain. Sorry for the trouble.",
        },
        note="Gateway report shows two captures 40 seconds apart; reconciliation missed both because the invoice reference was missing.",
        call="Apologised on the phone and shared the refund reference.",
        extra={"invoice": True},
    ),
    Problem(
        key="amc_renewal",
        assets=("amc",),
        audience="org",
        category="billing",
        type="request",
        group="billing",
        weight=3,
        priorities={"P4": 1},
        tags=("billing", "amc", "renewal"),
        subject={
            "en": "AMC renewal quote for contract {licence}",
            "hi": "AMC {licence} के रिन्यूअल का कोटेशन",
            "hing": "AMC {licence} renew karna hai, quotation bhejo",
        },
        opening={
            "en": "Our annual maintenance contract {licence} ends next month. Please send the renewal quote, and tell us whether the two new printers at {site} can be added to the same contract.",
            "hi": "हमारा सालाना रखरखाव कॉन्ट्रैक्ट {licence} अगले महीने ख़त्म हो रहा है। कृपया रिन्यूअल का कोटेशन भेजें और बताएँ कि क्या {site} के दो नए प्रिंटर भी इसी कॉन्ट्रैक्ट में जुड़ सकते हैं।",
            "hing": "AMC {licence} next month khatam ho raha hai. Renewal quote bhejiye, aur {site} ke 2 naye printers bhi isi contract me add ho sakte hain kya?",
        },
        fix={
            "en": "Contract {licence} is renewed for another year and now includes the two new printers at {site}. The contract copy and the invoice are in your account portal.",
            "hi": "{licence} का रिन्यूअल एक और साल के लिए हो गया है, {site} के दोनों नए प्रिंटर भी इसमें जुड़ गए हैं। कॉन्ट्रैक्ट की कॉपी और इनवॉइस आपके पोर्टल में हैं।",
            "hing": "{licence} ek saal ke liye renew ho gaya, {site} ke dono naye printers bhi add ho gaye. Contract copy aur invoice portal me hai.",
        },
        note="Renewal at last year's rate plus two devices; 5% loyalty discount approved by the account manager.",
        call="Walked the customer through the quote line by line.",
        extra={"invoice": True},
    ),
    Problem(
        key="email_locked",
        assets=(),
        audience="org",
        category="email",
        type="incident",
        group="front",
        weight=5,
        priorities={"P3": 4, "P2": 1},
        tags=("email", "password"),
        subject={
            "en": "Email account locked after a password change",
            "hi": "पासवर्ड बदलने के बाद ईमेल लॉक हो गया",
            "hing": "Password change kiya aur email lock ho gaya",
        },
        opening={
            "en": "I changed my mail password yesterday, and now my phone keeps asking for the password and the account is locked. No mail has come in since the morning.",
            "hi": "कल मैंने अपना मेल पासवर्ड बदला था, अब फ़ोन बार-बार पासवर्ड माँग रहा है और अकाउंट लॉक हो गया है। सुबह से कोई मेल नहीं आया।",
            "hing": "Kal mail ka password change kiya, ab phone baar baar password maang raha hai aur account lock ho gaya. Subah se koi mail nahi aaya.",
        },
        fix={
            "en": "Your phone kept trying the old password, which locked the account after ten attempts. It is unlocked now: please update the password in the phone's mail app first, then on the laptop. All the mail that came while it was locked is in your inbox.",
            "hi": "आपका फ़ोन पुराना पासवर्ड ही डाल रहा था और दस ग़लत कोशिशों के बाद अकाउंट लॉक हो गया। अकाउंट खोल दिया गया है। पहले फ़ोन के मेल ऐप में नया पासवर्ड डालें, फिर लैपटॉप में। लॉक के दौरान आए सारे मेल आपके इनबॉक्स में हैं।",
            "hing": "Phone purana password try kar raha tha, 10 galat attempts ke baad lock ho gaya. Unlock kar diya hai. Pehle phone ke mail app me naya password daalo, fir laptop me. Saare mails inbox me aa gaye hain.",
        },
        note="Sign-in log: repeated failures from a mobile client with the old password. Unlocking.",
        call="Stayed on the line while the customer updated the password on the phone.",
    ),
    Problem(
        key="lekha_howto",
        assets=("lekha",),
        audience="any",
        category="software",
        type="question",
        group="front",
        weight=4,
        priorities={"P4": 1},
        tags=("lekha", "how-to"),
        subject={
            "en": "How do we do the year-end closing in Lekha?",
            "hi": "Lekha में साल के अंत की क्लोज़िंग कैसे करें?",
            "hing": "Lekha me year end closing kaise karte hain?",
        },
        opening={
            "en": "This is our first year on Lekha. How do we close the financial year and carry the balances forward? We do not want to lose any data.",
            "hi": "Lekha में हमारा पहला साल है। वित्त वर्ष कैसे बंद करें और बैलेंस आगे कैसे ले जाएँ? कोई डेटा खोना नहीं चाहते।",
            "hing": "Lekha me hamara pehla saal hai. Financial year close kaise karein aur balance carry forward kaise hoga? Data nahi jana chahiye.",
        },
        fix={
            "en": "Take a backup first (File > Backup). Then go to Company > Year-end > Close year: Lekha creates the new year and carries ledger balances and stock forward, and the old year stays readable. Our two-page guide with screenshots is attached.",
            "hi": "पहले बैकअप लें (File > Backup)। फिर Company > Year-end > Close year पर जाएँ; Lekha नया साल बना देगा और लेजर बैलेंस व स्टॉक आगे ले जाएगा। पुराना साल देखने के लिए खुला रहेगा। स्क्रीनशॉट वाली दो पन्नों की गाइड साथ में भेजी है।",
            "hing": "Pehle backup le lo (File > Backup). Fir Company > Year-end > Close year pe jao, Lekha naya saal bana dega aur balances carry forward kar dega. Purana saal read ke liye khula rahega. Screenshot wali guide bhi bhej di hai.",
        },
        note="Common question around March and April; answered from the year-end closing guide.",
    ),
    Problem(
        key="missed_visit",
        assets=("printer", "computer", "ups", "passbook", "thermal"),
        audience="org",
        category="field service",
        type="complaint",
        group="field",
        weight=3,
        priorities={"P3": 1},
        tags=("complaint", "site-visit"),
        subject={
            "en": "Engineer did not come for the scheduled visit",
            "hi": "तय समय पर इंजीनियर नहीं आया",
            "hing": "Engineer aaya hi nahi, poora din wait kiya",
        },
        opening={
            "en": "We were told an engineer would come yesterday between 10 and 1 for the {asset} at {site}. Nobody came and nobody called. Our staff waited all day. This is the second time.",
            "hi": "हमें बताया गया था कि कल 10 से 1 बजे के बीच {site} में {asset} के लिए इंजीनियर आएगा। न कोई आया, न किसी ने फ़ोन किया। हमारा स्टाफ़ पूरा दिन इंतज़ार करता रहा। यह दूसरी बार हुआ है।",
            "hing": "Kal 10 se 1 ke beech engineer aane wala tha {site} me {asset} ke liye. Na koi aaya na call kiya. Poora din wait kiya staff ne. Doosri baar ho raha hai ye.",
        },
        fix={
            "en": "I am sorry. The visit was booked against an old address, so the engineer went to the wrong place. Your address is corrected, the engineer came today and the {asset} is working. We will confirm every visit with you a day ahead from now on.",
            "hi": "माफ़ी चाहते हैं। विज़िट पुराने पते पर बुक हो गई थी, इसलिए इंजीनियर ग़लत जगह पहुँच गया। आपका पता ठीक कर दिया गया है, आज इंजीनियर आया और {asset} अब चल रहा है। आगे से हर विज़िट की पुष्टि आपको एक दिन पहले की जाएगी।",
            "hing": "Sorry, visit purane address pe book ho gayi thi, engineer galat jagah chala gaya. Address theek kar diya hai, aaj engineer aaya aur {asset} chal raha hai. Aage se har visit ka confirmation ek din pehle denge.",
        },
        note="Dispatch log shows the visit went to the address on file from 2021. Correcting the site address.",
        call="Called to apologise and fixed a new slot for today at 3 pm.",
        site_visit=True,
    ),
    Problem(
        key="move_printer",
        assets=("printer",),
        audience="org",
        category="installation",
        type="task",
        group="field",
        weight=2,
        priorities={"P4": 1},
        tags=("installation", "relocation"),
        subject={
            "en": "Move printer and network point to the new room",
            "hi": "प्रिंटर और नेटवर्क पॉइंट नए कमरे में शिफ़्ट करना है",
            "hing": "Printer aur LAN point naye room me shift karna hai",
        },
        opening={
            "en": "On Saturday our office moves from {site} to the new room on the first floor. Please plan to shift the {model} printer and set up a network point there. Saturday after 2 pm suits us.",
            "hi": "शनिवार को हमारा दफ़्तर {site} से पहली मंज़िल के नए कमरे में जा रहा है। कृपया {model} प्रिंटर शिफ़्ट करने और वहाँ नेटवर्क पॉइंट लगाने की योजना बनाइए। शनिवार दोपहर 2 बजे के बाद का समय ठीक रहेगा।",
            "hing": "Saturday ko office {site} se first floor wale naye room me shift ho raha hai. {model} printer shift karna hai aur wahan LAN point bhi chahiye. Saturday 2 baje ke baad aa jaiye.",
        },
        fix={
            "en": "The printer is working in the new room and the new network point is tested. It keeps the same IP address, so nobody needs to reinstall it. The location on your asset record is updated.",
            "hi": "प्रिंटर नए कमरे में लगकर चल रहा है और नया नेटवर्क पॉइंट भी जाँच लिया गया है। प्रिंटर का IP पता वही है, इसलिए किसी को दोबारा इंस्टॉल नहीं करना पड़ेगा। आपके एसेट रिकॉर्ड में नई जगह अपडेट कर दी गई है।",
            "hing": "Printer naye room me shift hokar chal raha hai, LAN point bhi test ho gaya. IP same hai to kisi ko reinstall nahi karna padega. Asset record me nayi location update kar di.",
        },
        note="Planned work; needs a cable run of about 20 m. The engineer will carry a crimping kit.",
        call="Confirmed Saturday 2:30 pm with the office manager.",
        site_visit=True,
    ),
]

PROBLEMS_BY_KEY = {problem.key: problem for problem in PROBLEMS}


# --- what people say on every kind of ticket ----------------------------------------------
# Placeholders: {first} (the customer), {agent} (the writing agent), {number} (the ticket),
# {team} / {team_hi} (a group), {old} (the previous owner), {other} (another ticket number).

PHRASES: dict[str, dict[str, list[str]]] = {
    # The owner's first public reply.
    "ack": {
        "en": [
            "Hello {first}, thank you for writing in. I am {agent}, and I will be your single point of contact for ticket #{number} until it is resolved. I am looking into it now and you will have an update within two hours.",
            "Hi {first}, {agent} from Sahyog support here. Ticket #{number} is with me. I am going through the service history and will come back to you shortly; reply to this message any time and it reaches me directly.",
            "Dear {first}, noted, thank you. I have taken up ticket #{number} and I am checking it now. If a call is easier, ring our helpline and quote the ticket number; the call will come to me.",
        ],
        "hi": [
            "नमस्ते {first} जी, आपकी शिकायत टिकट #{number} में दर्ज हो गई है। मेरा नाम {agent} है। इसके हल होने तक आपका संपर्क मुझसे ही रहेगा। जाँच शुरू हो गई है, दो घंटे के अंदर आपको अपडेट मिल जाएगा।",
            "{first} जी, नमस्कार। टिकट #{number} अब मेरे पास है। आपके उपकरण का पिछला सर्विस रिकॉर्ड देखा जा रहा है; जल्द ही आपको जानकारी दी जाएगी। इसी संदेश का जवाब देंगे तो सीधे मुझ तक पहुँचेगा।",
            "नमस्ते {first} जी, आपका संदेश मिल गया। टिकट #{number} पर काम शुरू हो गया है। फ़ोन करना चाहें तो हमारी हेल्पलाइन पर टिकट नंबर बताइए, कॉल मुझ तक ही आएगी।",
        ],
        "hing": [
            "Hi {first} ji, ticket #{number} ab mere paas hai. Jab tak ye solve nahi hota, aapka single point of contact main hi hoon. Check shuru kar diya hai, 2 ghante me update mil jayega.",
            "Namaste {first} ji, {agent} here. Aapki complaint note ho gayi hai (ticket #{number}). Service history check karke jaldi batate hain.",
            "{first} ji, message mil gaya. Ticket #{number} pe kaam shuru ho gaya hai. Call karna ho to helpline pe ticket number bataiye, call mere paas hi aayegi.",
        ],
    },
    # The owner asks for something and sets the ticket to pending; "details" answers the
    # question with the same position. The last one only makes sense at a site.
    "ask": {
        "en": [
            "Could you send a photo or screenshot of the error, and tell me since when this has been happening? I will keep the ticket pending until I hear from you.",
            "One question before we send an engineer: does this happen all the time or only at certain hours? A photo of the error would help too.",
            "Could you check whether anyone else near you has the same problem, and send me a photo of the error? That tells us whether it is one device or the whole site.",
        ],
        "hi": [
            "जाँच आगे बढ़ाने के लिए कृपया एरर का फ़ोटो भेजें और बताएँ कि यह कब से हो रहा है। तब तक टिकट आपके जवाब के इंतज़ार में रहेगा।",
            "इंजीनियर भेजने से पहले एक बात बताइए: क्या यह हर समय होता है या किसी ख़ास समय पर? एरर का फ़ोटो भी भेज दें तो अच्छा रहेगा।",
            "क्या आपके आस-पास किसी और को भी यही दिक़्क़त आ रही है? एरर का फ़ोटो भी भेज दीजिए। इससे पता चलेगा कि ख़राबी एक मशीन में है या पूरी साइट पर।",
        ],
        "hing": [
            "Ek photo bhej dijiye error ki, aur batayiye ye kab se ho raha hai. Tab tak ticket aapke reply ke liye pending rakh rahe hain.",
            "Engineer bhejne se pehle ek baat - ye har time hota hai ya kisi particular time pe? Error ka photo bhi bhej dein to best.",
            "Aas-paas kisi aur ko bhi same problem aa rahi hai kya? Error ka photo bhi bhej dijiye. Isse pata chalega ek machine ka issue hai ya poori site ka.",
        ],
    },
    # The customer answers the question asked in "ask".
    "details": {
        "en": [
            "Sending the photo now. It started on Monday after the power went off in the afternoon.",
            "It happens mostly in the morning, when we start work. Later in the day it is better.",
            "Only this one is affected, the others are fine. Photo of the error attached.",
        ],
        "hi": [
            "फ़ोटो भेज रहे हैं। सोमवार दोपहर बिजली जाने के बाद से यह शुरू हुआ।",
            "ज़्यादातर सुबह होता है जब काम शुरू करते हैं। दिन में बाद में थोड़ा ठीक रहता है।",
            "सिर्फ़ यही एक ख़राब है, बाक़ी सब ठीक चल रहे हैं। एरर का फ़ोटो साथ में है।",
        ],
        "hing": [
            "Photo bhej diya hai. Monday ko light gayi thi uske baad se ho raha hai.",
            "Zyada tar subah hota hai jab kaam start karte hain. Baad me thoda theek rehta hai.",
            "Sirf yehi wala kharab hai, baaki sab theek hain. Error ka photo attach kiya hai.",
        ],
    },
    # The customer asks for news.
    "chase": {
        "en": [
            "Any update on this? It is still not working and people here keep asking me.",
            "Hello, following up on ticket #{number}. When can we expect a fix?",
            "Please update us. We have been waiting since yesterday.",
        ],
        "hi": [
            "कोई अपडेट? अभी भी ठीक नहीं हुआ है और यहाँ सब मुझसे पूछ रहे हैं।",
            "टिकट #{number} के बारे में पूछना था, यह कब तक ठीक होगा?",
            "कृपया बताइए क्या स्थिति है, कल से इंतज़ार कर रहे हैं।",
        ],
        "hing": [
            "Koi update? Abhi tak theek nahi hua, sab log mujhse pooch rahe hain.",
            "Ticket #{number} ka kya hua? Kab tak ho jayega?",
            "Sir please update dijiye, kal se wait kar rahe hain.",
        ],
    },
    # The owner's progress reply while specialists work on it.
    "progress": {
        "en": [
            "Quick update on #{number}: our {team} team is working on this with me now. I stay your point of contact, so you will not have to explain anything again. Next update this evening.",
            "Update: the specialist has found the likely cause and is testing the fix. I will confirm as soon as it is done.",
        ],
        "hi": [
            "टिकट #{number} पर अपडेट: हमारी {team_hi} टीम अब इस पर साथ काम कर रही है। आपसे बात पहले की तरह मेरे ज़रिए ही होगी, आपको कुछ भी दोबारा समझाना नहीं पड़ेगा। अगला अपडेट आज शाम तक।",
            "अपडेट: विशेषज्ञ को संभावित कारण मिल गया है और समाधान की जाँच चल रही है। पूरा होते ही आपको बताया जाएगा।",
        ],
        "hing": [
            "Update: {team} team ab mere saath is pe kaam kar rahi hai. Aapko kuch dobara explain nahi karna padega, baat mere through hi hogi. Next update aaj shaam tak.",
            "Update - specialist ko cause mil gaya hai, fix test ho raha hai. Hote hi batate hain.",
        ],
    },
    # The owner puts the ticket on hold, waiting for a part or a patch.
    "hold_part": {
        "en": [
            "We need a spare part that is not in local stock. It is ordered and should reach us in three to four working days; the ticket is on hold until then, and I will call you as soon as it arrives."
        ],
        "hi": [
            "इसके लिए एक पुर्ज़ा चाहिए जो अभी स्थानीय स्टॉक में नहीं है। ऑर्डर कर दिया गया है, तीन-चार कार्य-दिवस में आ जाना चाहिए। तब तक टिकट होल्ड पर है; पुर्ज़ा आते ही आपको फ़ोन किया जाएगा।"
        ],
        "hing": [
            "Ek spare part chahiye jo local stock me nahi hai. Order kar diya hai, 3-4 working days me aa jayega. Tab tak ticket hold pe hai, part aate hi call karenge."
        ],
    },
    "hold_patch": {
        "en": [
            "The fix depends on a patch from our product team. The ticket is on hold while they finish it, and I will let you know the moment it is ready."
        ],
        "hi": [
            "समाधान हमारी प्रोडक्ट टीम के एक पैच पर निर्भर है। पैच तैयार होने तक टिकट होल्ड पर रखा है; तैयार होते ही आपको बताया जाएगा।"
        ],
        "hing": [
            "Fix product team ke patch pe depend hai. Patch ready hone tak ticket hold pe rakha hai, ready hote hi batayenge."
        ],
    },
    # The customer confirms the fix.
    "thanks": {
        "en": [
            "Working perfectly now. Thank you for the quick help!",
            "Confirmed, it is fine now. Thanks {agent}.",
            "Yes, all good from our side. You can close the ticket.",
        ],
        "hi": [
            "अब बिल्कुल ठीक चल रहा है। जल्दी मदद के लिए धन्यवाद!",
            "हाँ, अब ठीक है। {agent} जी, बहुत-बहुत धन्यवाद।",
            "हमारी तरफ़ से सब ठीक है, टिकट बंद कर सकते हैं।",
        ],
        "hing": [
            "Ab bilkul theek chal raha hai, thank you!",
            "Haan ab sahi hai. Thanks {agent} ji.",
            "Sab theek hai, ticket close kar dijiye.",
        ],
    },
    # The customer writes again after the ticket was solved.
    "broken_again": {
        "en": [
            "Sorry, it started again this morning. Same problem as before.",
            "It worked for a day but the problem is back.",
        ],
        "hi": [
            "माफ़ कीजिए, आज सुबह से फिर वही दिक़्क़त शुरू हो गई है।",
            "एक दिन ठीक चला, पर समस्या फिर से आ गई है।",
        ],
        "hing": [
            "Sorry, aaj subah se phir wahi problem shuru ho gayi.",
            "Ek din theek chala, ab phir same issue aa raha hai.",
        ],
    },
    "fixed_again": {
        "en": [
            "Sorry to hear that. I reopened the ticket and looked again: a setting had gone back to the old value after a restart. It is corrected and locked now; please check and tell me."
        ],
        "hi": [
            "यह सुनकर खेद हुआ। टिकट दोबारा खोलकर फिर से जाँच की गई: रीस्टार्ट के बाद एक सेटिंग पहले जैसी हो गई थी। उसे ठीक करके लॉक कर दिया है; कृपया जाँचकर बताइए।"
        ],
        "hing": [
            "Sorry, ticket reopen karke dobara check kiya. Restart ke baad ek setting wapas purani ho gayi thi. Theek karke lock kar di hai, please check karke batayiye."
        ],
    },
    # A colleague takes over while the owner is on leave.
    "handover": {
        "en": [
            "Hello {first}, {agent} here. {old} is on leave for a few days, so ticket #{number} is with me until then. I have read everything on the ticket, so you do not need to repeat anything."
        ],
        "hi": [
            "नमस्ते {first} जी, मेरा नाम {agent} है। {old} कुछ दिन छुट्टी पर हैं, तब तक टिकट #{number} मेरे पास है। टिकट पर अब तक का पूरा ब्योरा मैंने पढ़ लिया है, आपको कुछ भी दोबारा बताने की ज़रूरत नहीं है।"
        ],
        "hing": [
            "Namaste {first} ji, {agent} here. {old} kuch din leave pe hain, tab tak ticket #{number} mere paas hai. Poori history padh li hai, kuch repeat karne ki zaroorat nahi."
        ],
    },
    # The owner tells the customer about the duplicate they merged.
    "merged_duplicate": {
        "en": [
            "I saw your other message about this too and merged it into this ticket, so everything stays in one place. No need to write twice; I am on it."
        ],
        "hi": [
            "इसी बारे में आपका दूसरा संदेश भी मिला; उसे इसी टिकट में जोड़ दिया है ताकि सारी बात एक जगह रहे। दोबारा लिखने की ज़रूरत नहीं, काम चल रहा है।"
        ],
        "hing": [
            "Aapka doosra message bhi mila, usko isi ticket me merge kar diya hai taaki sab ek jagah rahe. Dobara likhne ki zaroorat nahi, kaam chal raha hai."
        ],
    },
    # The customer raises a second, unrelated problem in the same thread.
    "two_problems": {
        "en": ["I have two separate problems:"],
        "hi": ["मेरी दो अलग-अलग समस्याएँ हैं:"],
        "hing": ["Do alag alag problem hain:"],
    },
    "one_more_thing": {
        "en": ["One more thing, unrelated: "],
        "hi": ["एक और बात, यह अलग मामला है: "],
        "hing": ["Aur ek alag issue bhi hai: "],
    },
    "split_reply": {
        "en": [
            "About your second question: I have moved it into its own ticket #{other} so that our billing team can work on it directly. I stay your contact for both, and this ticket carries on with the first problem."
        ],
        "hi": [
            "आपके दूसरे सवाल के लिए अलग टिकट #{other} बना दिया है, ताकि हमारी बिलिंग टीम उस पर सीधे काम कर सके। दोनों टिकटों पर आपका संपर्क मैं ही हूँ, और यह टिकट पहली समस्या पर चलता रहेगा।"
        ],
        "hing": [
            "Aapke doosre sawaal ke liye alag ticket #{other} bana diya hai taaki billing team seedha us pe kaam kar sake. Dono tickets pe contact main hi hoon, ye ticket pehli problem ke liye chalta rahega."
        ],
    },
}

# Internal notes, in the agents' own words (English, with some Hinglish).
NOTES = {
    "inbound_call": [
        "Inbound call from {first} about: {subject}. Took the details and the location ({location}) and promised an update within two hours.",
        "{first} ne call kiya: {subject}. Details aur location note kar li ({location}), 2 ghante me update ka bola.",
    ],
    "outbound_call": [
        "Called {first} with a progress update; happy to wait until tomorrow.",
        "Progress call to {first}: explained what the specialist found and the next step.",
        "{first} ko call karke update diya, kal tak ka time diya hai.",
    ],
    "l2_findings": [
        "Reproduced it on our test copy. Not a configuration problem; this needs the product team.",
    ],
    "watch": [
        "Watching this P1. {owner}, please update the customer every hour until it is restored, even if there is no news.",
    ],
    "supervisor_handover": [
        "{old} is on leave until Monday. Handing this ticket to {new}; the full history is above. Please call the customer today.",
    ],
    "duplicate": [
        "Same problem as #{other}, the customer also wrote on another channel. Merging into #{other}.",
        "Duplicate of #{other} (same customer, same issue, different channel). Merging.",
    ],
    "split": [
        "The customer raised a second, unrelated problem in this thread. Splitting it into its own ticket so that billing can route and work it separately.",
    ],
    "same_person": [
        "This is {first}, writing from a different address than the one on our records. Same person as our existing contact; asking a supervisor to merge the two records so that the full history is in one place.",
    ],
    "merged_contacts": [
        "Merged the duplicate contact record into the existing one. Their other address now reaches the same person, with all tickets and identities.",
    ],
    "resume_part": [
        "Part received today; engineer booked for the next morning.",
        "Spare aa gaya hai, engineer kal subah visit karega.",
    ],
    "resume_patch": [
        "Patch released by engineering; installing it on the customer's server now.",
    ],
    "billing_help": [
        "Billing here: quote prepared at the current rate, sent to the customer's accounts team. Will confirm once the payment lands.",
        "Payment received and matched to the invoice. Owner can confirm to the customer.",
    ],
    # Swarming: the owner asks a colleague for help; the colleague's answer; the summary.
    "swarm_ask": [
        "Has anyone seen this before? The customer is asking for a date and I want a second pair of eyes before I promise one.",
        "Kisi ne pehle ye dekha hai? Customer ko date chahiye, promise karne se pehle ek baar check kar lo please.",
    ],
    "swarm_answer": [
        "Seen it last month at another site: same symptom, it was the firmware. The workaround in the last note holds until the fix.",
        "Haan, pichhle mahine ek aur site pe yahi hua tha. Workaround se chal jayega jab tak fix nahi aata.",
    ],
    "swarm_summary": [
        "Known issue; workaround agreed with the specialist. Telling the customer the date once the fix is confirmed.",
    ],
    "deescalate": [
        "Fixed at our end and verified; back to the owner to confirm with the customer and close.",
        "L2 side ka kaam ho gaya, verify kar liya. Owner customer se confirm karke close karein.",
    ],
}

PRIORITY_REASONS = {
    "up": [
        "The customer confirms the whole site is affected, not one user.",
        "Customers are waiting at the counter; this stops their business.",
        "Month-end closing depends on it.",
    ],
    "down": [
        "A workaround is in place, so the customer can work in the meantime.",
        "The customer prefers a planned visit next week; not an outage.",
    ],
}

SIGNATURE = {
    "en": "\n\nRegards,\n{agent_full}\nSahyog Techserve Support",
    "hi": "\n\nधन्यवाद,\n{agent_full}\nसहयोग टेकसर्व सपोर्ट",
    "hing": "\n\nThanks,\n{agent_full}\nSahyog Techserve Support",
}
