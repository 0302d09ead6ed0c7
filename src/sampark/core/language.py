"""Which language a customer wrote in: Hindi in Devanagari (``hi``), English (``en``), Hindi in
Latin script (``hinglish``) or both scripts carrying words (``mixed``).

Two steps, both in memory and without a model (tens of microseconds a text):

1. **Script.** Words are counted by script. Tokens that say nothing about the language are left
   out: numbers, e-mail addresses and links, and short all-capital acronyms (SLA, OTP, UPI).
   When at least :data:`MIXED_SHARE` of the remaining words are in each script, the text is
   ``mixed``; mostly Devanagari is ``hi``.
2. **Latin words: English or Hindi?** Each Latin word is looked up in two compact lexicons:
   :data:`HINGLISH` (Hindi function words, pronouns, verbs and the help-desk words customers
   write in Latin script, in their common spellings) and :data:`ENGLISH` (English function
   words and help-desk words). Words common to both languages (``to``, ``do``, ``me``,
   ``main``, ``band``, ``the``) count for neither. A word in no lexicon counts for Hindi when it
   ends like a Hindi verb form (``aayega``, ``bhejiye``, ``karunga``) and for English when it
   ends like an English word (``working``, ``connection``, ``fixed``). The text is
   ``hinglish`` when the Hindi words are at least :data:`HINGLISH_SHARE` of the words that
   decided and there are two of them (or only Hindi words decided), else ``en``.

A text with no letters gives ``""``: the caller decides (the intake falls back to the
requester's language). Measured on the labelled set in ``tests/data/languages.tsv``: see
docs/help-desk.md, "The language of a text".
"""

from __future__ import annotations

import re

from django.db import models
from django.utils.translation import gettext_lazy as _


class TextLanguage(models.TextChoices):
    """The language a text is written in, as the intake detects it."""

    HINDI = "hi", _("Hindi")
    ENGLISH = "en", _("English")
    HINGLISH = "hinglish", _("Hinglish")
    MIXED = "mixed", _("Hindi and English")


# The ``lang`` attribute of a text in each language: Hinglish is Hindi in Latin script; a mixed
# text has none of its own (each script is read as it is).
HTML_LANG = {"hi": "hi", "en": "en", "hinglish": "hi-Latn", "mixed": ""}

# At least this share of the words in each script makes a text mixed.
MIXED_SHARE = 0.25
# At least this share of Hindi among the Latin words that decided makes a text Hinglish.
HINGLISH_SHARE = 0.3

# Addresses and links say nothing about the language; a Devanagari word has at least one letter
# (not only a danda, digits or signs); a Latin word is ASCII letters (digits split it off: the
# "AX" of "AX-3000" is then an acronym).
_ADDRESS = re.compile(r"\S+@\S+|https?://\S+|www\.\S+")
_DEVANAGARI_WORD = re.compile(
    r"[\u0900-\u097F]*[\u0904-\u0939\u0958-\u0961\u0972-\u097F][\u0900-\u097F]*"
)
_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z']*")


def _words(text: str) -> frozenset[str]:
    """A word list written as text, a few words a line."""
    return frozenset(text.split())


HINGLISH = _words(
    """
    aap aapka aapki aapke aapko aapne ap apka apki apke apko apne apna apni mera meri mere mujhe
    mujhko muje mjhe humara hamara humari hamari humare hamare hume humein hamein hum ham tum
    tumhara tumhari tera teri tere tujhe yeh ye yah woh wo vo voh iska iski iske uska uski uske
    inka unka unki unke isko usko inko unko isse usse unse inse kisi kisko kaun kya kyaa kyu
    kyun kyon kab kaise kaisa kaisi kahan kahaan kidhar kitna kitni kitne jab tab jaisa waisa
    yahan wahan idhar udhar ho hona hone hai hain hei he hoon hu hun tha thi the thay hoga hogi
    honge hota hoti hote hua hui hue huya nahi nahin nai nhi nahee mat na haan haa ji jee ka ki
    ke ko se mein mai mei pe par tak liye lie wala wali wale waala waali waale sath saath aur ya
    lekin magar par kyunki kyuki isliye toh phir fir bhi sirf bas abhi abhee turant jaldi jaldee
    kal aaj parso subah sham shaam raat din hafta hafte mahina mahine saal ghanta ghante pehle
    pahle baad dobara dubara baar kai sab sabhi kuch kuchh koi ek teen chaar paanch bahut bohot
    bahot zyada jyada kam thoda thodi accha acha achha achchha theek thik sahi galat bura buri
    kharab kharaab naya nayi naye purana purani karo karein kariye kijiye kijie karna karne
    karni karke kar kiya kiye kiyaa karta karti karte raha rahi rahe rha rhi rhe gaya gayi gaye
    gya gyi gye diya diye dijiye dijie dena dene de dedo dijiyega lena lene liya liye lijiye
    mila mili mile milega milegi milenge milta milti milna milne aaya aayi aaye aya ayi aaye
    aata aati aate aana aane ana jana jane jaata jaati jaate jata jati jate chal chala chali
    chalta chalti chalu chalega bata batao bataye bataiye batana bataya samajh samjha samjho
    samjhe dekho dekhiye dekha dekhna bhejo bhejiye bheja bheji bhejna sakta sakti sakte sake
    chahiye chahie chaiye chahta chahti chahte lagta lagti lagi laga lag rakho rakha rakhi hatao
    hata bolo bola boli kaho kaha kahi suno suniye socha pata maloom malum bhai bhaiya didi
    sahab sahib madam mam dost paisa paise rupaye rupay rupee wapas vapas khata kaam samasya
    dikkat dikat pareshani pareshaan shikayat jawab javab jankari jaankari madad sawal sawaal
    baat ghar dukan dukaan bijli batti pani gaadi gadi naam pata mahina kripya dhanyavad
    dhanyawad shukriya
    """
)

ENGLISH = _words(
    """
    i i'm im my mine we our you your yours he she it its they their them this that these those
    there here what which who whom whose why how when where am is are was were be been being
    have has had having does did done doing will would shall should can could may might must not
    no yes don't dont can't cant won't isn't wasn't didn't doesn't haven't hasn't it's i've i'll
    the a an of in on at by for with from about into over after before under again than and or
    but if because so as also just still yet only very too please thanks thank kindly regards
    hello hi dear sir team issue issues problem problems error errors working work works worked
    help need needs want wanted received receive get got getting sent send sending delivered
    delivery order orders refund refunded payment paid charged twice account login password
    reset update updated change changed cancel cancelled canceled request requested ticket
    support service customer number phone email mail message call called calling reply since
    days day week weeks month months hours hour minutes today yesterday tomorrow still already
    now soon asap urgent immediately unable able cannot failed fail fails showing shows show
    stopped stop started start keeps keep broken damaged wrong missing slow down not-working
    access open opened close closed item product bill invoice amount money back return replace
    replacement wrong new old same another other second first next last following attached
    screenshot check checked let know any some all every each more most many much also while
    during still
    """
)

# Hindi verb endings that English words rarely have (aayega, bhejiye, karunga, milenge), and
# English endings that romanised Hindi rarely has (working, connection, fixed, quickly).
_HINDI_ENDINGS = tuple(f"{vowel}{end}" for vowel in "aeiouy" for end in ("ga", "gi")) + (
    "enge",
    "unga",
    "ungi",
    "oge",
    "iye",
    "iyo",
    "vaa",
    "waa",
)
_ENGLISH_ENDINGS = ("ing", "tion", "sion", "ment", "ness", "ed", "ly", "ful", "able")

TEXT_LIMIT = 4000


def _counts(text: str) -> tuple[int, int, int, int]:
    """(Devanagari words, Latin words, Hindi-in-Latin words, English words) of ``text``."""
    text = text[:TEXT_LIMIT]
    if "@" in text or "http" in text or "www." in text:
        text = _ADDRESS.sub(" ", text)
    deva = len(_DEVANAGARI_WORD.findall(text))
    latin = hindi = english = 0
    for raw in _LATIN_WORD.findall(text):
        if 1 < len(raw) <= 5 and raw.isupper():
            continue  # an acronym: SLA, OTP, UPI
        latin += 1
        word = raw.lower()  # ASCII letters only: no Unicode normalisation needed
        in_hindi, in_english = word in HINGLISH, word in ENGLISH
        if in_hindi and not in_english:
            hindi += 1
        elif in_english and not in_hindi:
            english += 1
        elif not in_hindi and not in_english and len(word) > 3:
            if word.endswith(_HINDI_ENDINGS):
                hindi += 1
            elif word.endswith(_ENGLISH_ENDINGS):
                english += 1
    return deva, latin, hindi, english


def detect_language(text: str) -> str:
    """``hi``, ``en``, ``hinglish`` or ``mixed`` for ``text``; ``""`` when it has no words that
    say (no letters: only numbers, acronyms, addresses)."""
    deva, latin, hindi, english = _counts(text or "")
    if deva == 0 and latin == 0:
        return ""
    if deva and latin and min(deva, latin) / (deva + latin) >= MIXED_SHARE:
        return TextLanguage.MIXED
    if deva > latin:
        return TextLanguage.HINDI
    # One Hindi word ("ji", "bhai") among English ones is a courtesy, not Hinglish.
    if (hindi >= 2 or (hindi and not english)) and hindi / (hindi + english) >= HINGLISH_SHARE:
        return TextLanguage.HINGLISH
    return TextLanguage.ENGLISH
