"""Tell which language a message is in, without flipping on short or mixed messages.

Measured here: lingua's high-accuracy models cost about 140 MB for Ukrainian and Russian
alone, so the script decides first and letters settle the close pairs: Ukrainian has і ї є ґ,
Russian ы э ъ ё; Persian and Dari have پ چ ژ گ, Arabic ة ى, and where neither shows, a few
function words each language has and the other lacks decide. ي ك against ی ک only say which
keyboard was used: many Afghans and Iranians type on Arabic layouts. Only Latin-script text
goes to lingua, in its small low-accuracy mode, together with a few languages we do not
serve so that we can say so. German office words ("Jobcenter", "Ausländerbehörde") are
removed first: they make any sentence look German. Short messages ("ok", "salam", "2")
keep the resident's language.

Languages hubbot does not serve are named, with their code where a translation provider can
use it: Pashto, Sorani Kurdish and Urdu by the letters Arabic and Persian never use (lingua
knows none of them, and read Pashto as Persian); Kurmanji Kurdish, which lingua takes for
Turkish or Albanian, by ê and its everyday words; Tigrinya and Amharic by their script.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lingua import Language as LinguaLanguage
from lingua import LanguageDetector, LanguageDetectorBuilder

from bot.services.normalise import normalise_for_matching
from bot.services.transliteration import is_latin_typed, reads_as_transliterated

MIN_LETTERS = 12
MIN_WORDS = 3
MIN_CONFIDENCE = 0.6

_SERVED_LATIN = {
    LinguaLanguage.GERMAN: "de",
    LinguaLanguage.ENGLISH: "en",
    LinguaLanguage.TURKISH: "tr",
    LinguaLanguage.FRENCH: "fr",
}
# Languages newcomers in Germany also write that hubbot does not serve (yet).
_UNSERVED_LATIN = (
    LinguaLanguage.SPANISH,
    LinguaLanguage.ITALIAN,
    LinguaLanguage.PORTUGUESE,
    LinguaLanguage.POLISH,
    LinguaLanguage.ROMANIAN,
    LinguaLanguage.ALBANIAN,
    LinguaLanguage.SOMALI,
    LinguaLanguage.DUTCH,
)
_UKRAINIAN_ONLY = set("іїєґ")
_RUSSIAN_ONLY = set("ыэъё")
_PERSIAN_ONLY = set("پچژگ")
_ARABIC_ONLY = set("ةى")
# Common words of one language that the other does not use, after normalise_for_matching
# (ي→ی, ك→ک, ة→ه, أ→ا). Words both use ("من", "ما", "این", "الان", "ممکن", Persian
# "الی" in "۹ الی ۵") are left out.
_PERSIAN_WORDS = frozenset(
    "است هست هستم هستید استم استین را ره از که می نمی میخواهم میخوام برای دارم داری دارید "
    "کنم کنید کردم بکنم شده بود بودم نیست شما چطور کجا چرا چند کدام خیلی باید میتوانم "
    "میتونم اینجا یک یه مه بله ممنون تشکر خوب در با کمک".split()
)
_ARABIC_WORDS = frozenset(
    "فی عن هذا هذه ذلک الذی التی انا ارید کیف ماذا لماذا هل لیس شو وین ایش شلون بدی "
    "عایز عاوز کنت لدی عندی احتاج اللی مع انت مین عم شکرا بعرف بتعرف حدا هلا "
    "کتیر بغیت فینی اعمل مرحبا الیوم قدیش بکرا معی خلص اذا سمحت بدو هیک هلق تسلم واش "
    "لیش منیح فهمت عنی کیفک کیفکم".split()
)
_LETTER = re.compile(r"[^\W\d_]", re.UNICODE)
# Letters of languages written in Arabic script that Arabic and Persian never use. Dari texts
# name Pashto places ("ننګرهار"), so a quarter of the words, or two, must carry them. Checked on
# the 8,380 Arabic and Persian training and test sentences: none is taken for one of these.
_UNSERVED_ARABIC_SCRIPT = (
    ("Pashto", "ps", frozenset("ټډړږښګڼېۍځڅ")),
    ("Kurdish", "ckb", frozenset("ڕڵۆێە")),
    ("Urdu", "ur", frozenset("ٹڈڑںے")),
)
UNSERVED_SHARE = 0.25
# Kurmanji's everyday words; none is a Turkish word on its own. With "ê", which Turkish does not
# write, they tell Kurmanji from the Turkish lingua sees (none of the 3,175 Turkish sentences
# of the NLU data has two of them or an ê).
_KURMANJI_WORDS = frozenset(
    "ez û ji li bo xwe jî hûn em min silav spas çawa heye tune nîne dixwazim".split()
)
_KURMANJI_LOOKALIKES = (LinguaLanguage.TURKISH, LinguaLanguage.ALBANIAN)


def _looks_kurmanji(text: str) -> bool:
    words = [word.strip(".,!?;:") for word in text.split()]
    return "ê" in text or sum(word in _KURMANJI_WORDS for word in words) >= 2


@dataclass(frozen=True, slots=True)
class Detection:
    """The language of a message: a served code, or `supported=False` with lingua's name."""

    language: str
    supported: bool = True
    confident: bool = True
    # For an unserved language, its ISO 639 code where known (what translation providers take).
    code: str | None = None


_SCRIPT_OF = {"ar": "arabic", "fa": "arabic", "prs": "arabic", "uk": "cyrillic", "ru": "cyrillic"}


def _script(text: str) -> str:
    counts = {"latin": 0, "cyrillic": 0, "arabic": 0, "ethiopic": 0, "other": 0}
    for char in text:
        if not char.isalpha():
            continue
        code = ord(char)
        if code < 0x250:
            counts["latin"] += 1
        elif 0x400 <= code < 0x530:
            counts["cyrillic"] += 1
        elif 0x600 <= code < 0x700 or 0xFB50 <= code < 0xFF00:
            counts["arabic"] += 1
        elif 0x1200 <= code < 0x13A0:
            counts["ethiopic"] += 1
        else:
            counts["other"] += 1
    return max(counts, key=lambda name: counts[name])


class MessageLanguage:
    """Decide the language of each message from its text and the resident's own choice."""

    def __init__(self, *, office_terms: set[str], latin: LanguageDetector | None = None) -> None:
        self._office_terms = {normalise_for_matching(term) for term in office_terms}
        self._latin = (
            latin
            or LanguageDetectorBuilder.from_languages(*_SERVED_LATIN, *_UNSERVED_LATIN)
            .with_low_accuracy_mode()
            .build()
        )

    def _without_office_terms(self, text: str) -> str:
        words = [
            word for word in text.split() if word.strip(".,!?;:()\"'") not in self._office_terms
        ]
        return " ".join(words)

    def of_description(self, text: str, *, chosen: str | None) -> str | None:
        """Return the language whose word lists count for a self-description, or None for all.

        The detected language when detection is sure; else the resident's chosen language when
        the text is in its script; else None, so that a short answer in another language than
        the chosen one ("çiftçiyim" from a resident who reads German) still finds its words.
        Russian or Ukrainian typed in Latin letters by a resident who chose that language
        ("pratsyuvala v Kyievi") keeps the chosen language, so that it is also read in Cyrillic.
        """
        detection = self.detect(text, prior=chosen)
        if detection.confident:
            return detection.language if detection.supported else None
        if chosen is not None and _script(text) == _SCRIPT_OF.get(chosen, "latin"):
            return chosen
        if is_latin_typed(text, chosen) and reads_as_transliterated(text):
            return chosen
        return None

    def detect(self, text: str, *, prior: str | None) -> Detection:
        """Return the message's language; the prior wins whenever the text is not clear."""
        fallback = Detection(prior or "en", confident=False)
        cleaned = self._without_office_terms(normalise_for_matching(text))
        letters = len(_LETTER.findall(cleaned))
        if letters < MIN_LETTERS or len(cleaned.split()) < MIN_WORDS:
            return fallback
        script = _script(cleaned)
        if script == "cyrillic":
            return self._cyrillic(set(cleaned), prior)
        if script == "arabic":
            return self._arabic(text, cleaned, prior)
        if script == "ethiopic":
            return Detection("Tigrinya or Amharic", supported=False)
        if script == "latin":
            return self._latin_language(cleaned, prior, fallback)
        return Detection("unknown", supported=False, confident=False)

    @staticmethod
    def _cyrillic(chars: set[str], prior: str | None) -> Detection:
        ukrainian, russian = bool(chars & _UKRAINIAN_ONLY), bool(chars & _RUSSIAN_ONLY)
        if ukrainian and not russian:
            return Detection("uk")
        if russian and not ukrainian:
            return Detection("ru")
        return Detection(prior if prior in ("uk", "ru") else "ru", confident=False)

    @staticmethod
    def _arabic(text: str, cleaned: str, prior: str | None) -> Detection:
        chars = set(text)
        words = cleaned.split()
        for name, code, letters in _UNSERVED_ARABIC_SCRIPT:
            marked = sum(1 for word in text.split() if letters & set(word))
            if marked and (marked >= 2 or marked >= UNSERVED_SHARE * len(words)):
                return Detection(name, supported=False, code=code)
        persian_words = sum(word in _PERSIAN_WORDS for word in words)
        arabic_words = sum(word in _ARABIC_WORDS for word in words)
        persian, arabic = bool(chars & _PERSIAN_ONLY), bool(chars & _ARABIC_ONLY)
        # Iraqi and Gulf Arabic write چ and گ too ("شلون اگدر"): their words still count.
        if persian == arabic or (persian and arabic_words > persian_words):
            persian, arabic = persian_words > arabic_words, arabic_words > persian_words
        if persian and not arabic:
            # One NLU language serves both; the reply keeps the resident's own variety.
            return Detection("prs" if prior == "prs" else "fa")
        if arabic and not persian:
            return Detection("ar")
        if prior in ("ar", "fa", "prs"):
            return Detection(prior, confident=False)
        # Only the keyboard's letters are left to go by.
        keyboard = "fa" if "ی" in chars or "ک" in chars else "ar"
        return Detection(keyboard, confident=False)

    def _latin_language(self, text: str, prior: str | None, fallback: Detection) -> Detection:
        if prior in ("ar", "fa", "prs", "uk", "ru"):
            # Arabic, Persian or Russian typed in Latin letters fools every detector.
            return fallback
        values = self._latin.compute_language_confidence_values(text)
        best = values[0].language if values else None
        sure = bool(values) and values[0].value >= MIN_CONFIDENCE
        # French and Portuguese write ê too, and Portuguese has "em": Kurmanji is looked for
        # only where lingua is unsure or sees what it mistakes Kurmanji for.
        if (not sure or best in _KURMANJI_LOOKALIKES) and _looks_kurmanji(text):
            return Detection("Kurdish", supported=False, code="ku")
        if best is None or not sure:
            return fallback
        if best in _SERVED_LATIN:
            return Detection(_SERVED_LATIN[best])
        return Detection(best.name.title(), supported=False, code=best.iso_code_639_1.name.lower())
