"""content/safety.yml: real crises in every language match, ordinary hub questions do not.

Needs no database and no sandbox: it reads the YAML and uses the regular expressions only.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.services.safety import SafetyCheck, normalise_for_safety, required_scripts

SAFETY_FILE = Path(__file__).resolve().parents[2] / "content" / "safety.yml"
PATTERN_LANGUAGES = ("de", "en", "ar", "fa", "uk", "ru", "tr", "fr")
REPLY_LANGUAGES = ("de", "en", "ar", "fa", "prs", "uk", "ru", "tr", "fr")
CATEGORIES = ("medical", "violence", "suicidal")
NUMBERS = ("112", "110", "116117", "0800 1110111", "0800 1110222", "116016", "116111")


@cache
def _safety() -> dict[str, Any]:
    with SAFETY_FILE.open(encoding="utf-8") as handle:
        data: dict[str, Any] = yaml.safe_load(handle)
    return data


@cache
def _compiled() -> dict[str, list[tuple[str, re.Pattern[str]]]]:
    """Return, per category, every language's patterns compiled (language, pattern)."""
    compiled: dict[str, list[tuple[str, re.Pattern[str]]]] = {}
    for category, spec in _safety()["categories"].items():
        compiled[category] = [
            (language, re.compile(pattern))
            for language, patterns in spec["patterns"].items()
            for pattern in patterns
        ]
    return compiled


def test_patterns_are_lower_case() -> None:
    """The bot searches lowercased text without re.IGNORECASE: capitals would never match."""
    for category, spec in _safety()["categories"].items():
        for language, patterns in spec["patterns"].items():
            for pattern in patterns:
                # Escapes such as \b, \S and \W and group names are not letters to match.
                letters = re.sub(r"\\[A-Za-z]|\(\?P<[^>]*>", "", pattern)
                assert letters == letters.lower(), (category, language, pattern)


def _matches(text: str) -> dict[str, list[str]]:
    """Return, per category, the patterns (of any language) that fire on the message."""
    normalised = normalise_for_safety(text)
    found: dict[str, list[str]] = {}
    for category, patterns in _compiled().items():
        hits = [f"{lang}: {p.pattern}" for lang, p in patterns if p.search(normalised)]
        if hits:
            found[category] = hits
    return found


# At least three real crisis messages per language and category: typos, no accents,
# colloquial wording, Arabizi, Finglish and transliteration included.
CRISES: dict[tuple[str, str], list[str]] = {
    ("de", "medical"): [
        "Notfall!! Mein Vater ist umgefallen und bewusstlos",
        "mein kind atmet nicht mehr bitte schnell",
        "Wie rufe ich einen Krankenwagen? Meine Frau hat starke Schmerzen in der Brust",
        "Ich glaube meine Oma hat einen Schlaganfall",
        "er blutet sehr stark, hört nicht auf",
        "Mein Sohn hat Putzmittel getrunken",
        "Unfall vor dem Hub, ein Mann liegt auf der Straße",
        "ich krieg keine luft mehr",
    ],
    ("de", "violence"): [
        "Mein Mann schlägt mich jeden Tag",
        "Er hat mich gestern wieder geschlagen und ich habe Angst",
        "Ich habe Angst vor meinem Ex, er bedroht mich mit einem Messer",
        "jemand verfolgt mich seit der U-Bahn",
        "Ich brauche einen Platz im Frauenhaus",
        "Mein Vater will mich zwangsverheiraten",
        "Der Junge von nebenan wird zu Hause geschlagen",
    ],
    ("de", "suicidal"): [
        "Ich will nicht mehr leben",
        "ich denke an selbstmord",
        "Manchmal will ich mich einfach umbringen",
        "Ich kann nicht mehr.",
        "Mein Leben hat keinen Sinn mehr",
        "ich ritze mich wieder",
        "Allen wäre besser ohne mich",
    ],
    ("en", "medical"): [
        "EMERGENCY my friend collapsed in the kitchen",
        "my baby is not breathing please help",
        "I can't breathe properly and my chest hurts, chest pain since an hour",
        "call an ambulance, my husband is having a heart attack",
        "she is bleeding a lot and it won't stop",
        "my son swallowed pills from the cupboard",
        "I think my mum had a stroke, her face is drooping",
        "there was a car accident in front of the hub",
    ],
    ("en", "violence"): [
        "My husband beats me when he is drunk",
        "he hit me again last night",
        "Someone is following me home every night",
        "I was raped and I don't know where to go",
        "my boyfriend threatened to kill me",
        "I'm scared of my husband, domestic violence",
        "he locked me in the flat and took my phone",
    ],
    ("en", "suicidal"): [
        "I want to die",
        "I keep thinking about killing myself",
        "there is no reason to live anymore",
        "I can't go on like this",
        "i dont want to live anymore",
        "I have been cutting myself again",
        "i want to end my life",
    ],
    ("ar", "medical"): [
        "طوارئ! ابني ما عم يتنفس",
        "بدي إسعاف بسرعة، أبي مغمى عليه",
        "لا أستطيع التنفس",
        "زوجتي عندها نزيف قوي",
        "صار حادث سير قدام البيت",
        "أمي عندها جلطة على ما أظن",
        "الولد شرب كلور، شو أعمل؟",
        "es3af please ibni mish 3am yetnafas",
    ],
    ("ar", "violence"): [
        "زوجي يضربني كل يوم",
        "جوزي ضربني امبارح وهددني بالقتل",
        "في واحد عم يلاحقني من المدرسة",
        "أنا خايفة من زوجي، عنف أسري",
        "تعرضت للتحرش في الشغل",
        "أهلي يجبروني على الزواج",
        "jozi bidrobni kil yom",
    ],
    ("ar", "suicidal"): [
        "بدي موت",
        "بفكر بالانتحار",
        "ما بدي عيش",
        "أريد أن أقتل نفسي",
        "ما في سبب للعيش",
        "كرهت حياتي ما عاد فيني كمل",
        "bdi mout, ma 3ad fini",
        "بدي انتحر",
    ],
    ("fa", "medical"): [
        "اورژانس! پدرم بیهوش شده",
        "بچه‌ام نفس نمی‌کشه",
        "نمیتونم نفس بکشم",
        "آمبولانس لازم داریم، مادرم سکته کرده",
        "خونریزی شدید داره",
        "طفلم از کلکین افتاد",
        "تصادف کردیم کمک کنید",
        "شماره ایمرجنسی؟ پدرم نفس گرفته نمی‌تانه",
    ],
    ("fa", "violence"): [
        "شوهرم منو می‌زنه",
        "شوهرم هر روز کتکم میزنه",
        "شوهرم مرا لت و کوب می‌کند",
        "یکی دنبالم افتاده، می‌ترسم",
        "به من تجاوز کرد",
        "تهدیدم می‌کنه که منو بکشه",
        "از شوهرم می‌ترسم، خشونت خانگی",
    ],
    ("fa", "suicidal"): [
        "میخوام خودکشی کنم",
        "دیگه نمی‌خوام زندگی کنم",
        "دلم میخواد بمیرم",
        "mikham khodkoshi konam",
        "زندگی کرده نمی‌توانم، می‌خواهم خود را بکشم",
        "هیچ دلیلی برای زندگی ندارم",
        "از زندگی سیر شدم",
    ],
    ("uk", "medical"): [
        "Терміново! Дитина не дихає",
        "Викличте швидку, чоловік без свідомості",
        "У мами інсульт, що робити",
        "сильна кровотеча з руки",
        "потрапили в аварію на дорозі",
        "Здається, у тата інфаркт",
        "не можу дихати",
    ],
    ("uk", "violence"): [
        "Чоловік б'є мене",
        "Чоловік бʼє мене і дітей",
        "Він погрожує мені вбити",
        "Мене побив колишній",
        "Хтось переслідує мене біля дому",
        "домашнє насильство, допоможіть",
        "боюся свого чоловіка",
    ],
    ("uk", "suicidal"): [
        "Я хочу померти",
        "не хочу більше жити",
        "думаю про самогубство",
        "Не бачу сенсу жити",
        "Я не можу більше.",
        "хочу покінчити з собою",
    ],
    ("ru", "medical"): [
        "Срочно! Ребёнок не дышит",
        "вызовите скорую, отец без сознания",
        "у мужа инфаркт",
        "сильное кровотечение, что делать",
        "попали в аварию",
        "ne mozhet dyshat, pomogite",
        "Кажется, у мамы инсульт",
    ],
    ("ru", "violence"): [
        "Муж бьёт меня",
        "муж бьет меня и детей",
        "Он угрожает убить меня",
        "меня избил бывший",
        "Кто-то преследует меня",
        "домашнее насилие, помогите",
        "боюсь мужа",
    ],
    ("ru", "suicidal"): [
        "Хочу умереть",
        "не хочу больше жить",
        "думаю о самоубийстве",
        "hochu umeret",
        "Не вижу смысла жить",
        "хочу покончить с собой",
    ],
    ("tr", "medical"): [
        "Acil durum! Babam bayıldı",
        "cocugum nefes alamiyor",
        "Ambulans çağırın lütfen",
        "Annem kalp krizi geçiriyor",
        "çok kanaması var durmuyor, ağır kanama",
        "kaza geçirdik yardım edin",
        "oglum deterjan yuttu",
    ],
    ("tr", "violence"): [
        "Kocam beni dövüyor",
        "kocam beni dovuyor her gun",
        "Beni öldürmekle tehdit ediyor",
        "Biri beni takip ediyor",
        "Aile içi şiddet görüyorum",
        "tecavüze uğradım",
        "kocamdan çok korkuyorum",
    ],
    ("tr", "suicidal"): [
        "Ölmek istiyorum",
        "olmek istiyorum artik",
        "İntihar etmeyi düşünüyorum",
        "Yaşamak istemiyorum",
        "kendimi öldürmek istiyorum",
        "Artık dayanamıyorum.",
        "hayatıma son vermek istiyorum",
    ],
    ("fr", "medical"): [
        "Urgence ! Mon fils ne respire plus",
        "Appelez une ambulance, ma femme est inconsciente",
        "Je crois que mon mari fait une crise cardiaque",
        "elle saigne beaucoup",
        "mon fils a avalé des médicaments",
        "il y a eu un accident devant le hub",
        "j'arrive pas à respirer",
    ],
    ("fr", "violence"): [
        "Mon mari me frappe",
        "il m'a frappée hier soir",
        "Il me menace de mort",
        "Quelqu'un me suit depuis la gare",
        "J'ai été violée",
        "violences conjugales, j'ai peur de mon mari",
        "mes parents veulent me marier de force",
    ],
    ("fr", "suicidal"): [
        "Je veux mourir",
        "je pense au suicide",
        "Je veux me tuer",
        "je n'en peux plus.",
        "Je ne veux plus vivre",
        "ma vie n'a plus aucun sens",
    ],
}

# At least five ordinary hub messages per language that must not raise an alarm, many of
# them near misses (doctor, insurance, first-aid course, idioms with "kill"/"die"/"urgent").
ORDINARY: dict[str, list[str]] = {
    "de": [
        "Ich brauche einen Termin beim Arzt",
        "Krankenversicherung Frage",
        "Mein Kind braucht einen Kitaplatz",
        "Gibt es im Hub einen Erste-Hilfe-Kurs?",
        "Was kostet die Unfallversicherung beim Minijob?",
        "Ich kann nicht mehr zum Deutschkurs am Montag kommen",
        "Die Beraterin hat mir einen Sprachkurs vorgeschlagen",
        "Mein Fahrrad hat keine Luft mehr, gibt es eine Werkstatt?",
        "Mein Vermieter droht mit Kündigung, was soll ich tun?",
        "Ich habe Angst vor der Prüfung",
        "Wo finde ich eine Notunterkunft?",
    ],
    "en": [
        "I need a doctor appointment",
        "how do I kill time at the hub",
        "I'm dying to know when the party starts",
        "The Kita form asks for an emergency contact",
        "my child needs a Kita",
        "I can't go on the trip on Friday",
        "I deleted my photo by accident",
        "Can you help with my health insurance card?",
        "i need a dentist, my tooth is killing me",
        "Is there a breaststroke swimming course?",
        "Where can I do a first aid course?",
        "beats me why the Jobcenter is closed",
    ],
    "ar": [
        "أحتاج موعد عند الطبيب",
        "عندي سؤال عن التأمين الصحي",
        "ابني بحاجة لروضة",
        "ana ta3ban ktir mn el shoghl",
        "هل يوجد دورة إسعافات أولية في المركز؟",
        "عندي محادثة مع الجوب سنتر بكرا",
        "ما بقدر اجي على الكورس بكرا",
        "ما هي تمارين التنفس في اليوغا؟",
        "بدي عيش ببرلين مع عيلتي",
        "شلون أقدم على الإقامة؟",
    ],
    "fa": [
        "وقت دکتر می‌خواهم",
        "سوال درباره بیمه درمانی دارم",
        "بچه‌ام کیتا لازم دارد",
        "اعتماد به نفس ندارم و نمی‌دانم چه کار کنم",
        "به طور تصادفی فرم را پاک کردم",
        "سلام، ببخشید مزاحم شدم",
        "الهی بمیرم برات، چقدر کار داری",
        "دل مه تنگ است، شب خواب ندارم",
        "از بازار جنس ارزان کجا بخرم؟",
        "برای عمل بیهوشی لازم است؟",
    ],
    "uk": [
        "Мені потрібен запис до лікаря",
        "Питання щодо медичного страхування",
        "Моїй дитині потрібен садок",
        "Напишіть швидко, будь ласка, коли курс",
        "Зробила все на швидку руку",
        "Я дуже втомилася після роботи",
        "Чи є у хабі курс першої допомоги?",
        "Для мене бюро працює тільки зранку",
    ],
    "ru": [
        "Мне нужна запись к врачу",
        "Вопрос по медицинской страховке",
        "Ребёнку нужен детский сад",
        "Как убить время в хабе?",
        "Скорее бы начались курсы",
        "Я устала после работы",
        "Интернет отключился, не могу зайти",
        "Где пройти курсы первой помощи?",
    ],
    "tr": [
        "Doktordan randevu almam lazım",
        "Sağlık sigortası hakkında sorum var",
        "Çocuğum için kreş lazım",
        "Acil randevu lazım mı? Belgeyi yarın getirebilir miyim?",
        "Nöbetçi eczane nerede?",
        "Döviz bozdurmak istiyorum",
        "Dövüş sanatları kursu var mı?",
        "Bu şarkıya bayıldım",
        "Sığınma başvurusu için yardım lazım",
        "Başvurumu takip etmek istiyorum",
        "Şiddetli yağmur var, etkinlik iptal mi?",
    ],
    "fr": [
        "J'ai besoin d'un rendez-vous chez le médecin",
        "Question sur l'assurance maladie",
        "Mon enfant a besoin d'une place en Kita",
        "Je cherche un hébergement d'urgence",
        "J'ai supprimé le fichier par accident",
        "On prépare des carottes râpées et du fromage râpé pour la fête",
        "Je veux en finir avec ce dossier de la CAF",
        "Je n'arrive pas à remplir le formulaire",
    ],
}


def _crisis_cases() -> list[Any]:
    return [
        pytest.param(language, category, text, id=f"{language}-{category}-{index}")
        for (language, category), texts in CRISES.items()
        for index, text in enumerate(texts)
    ]


def _ordinary_cases() -> list[Any]:
    return [
        pytest.param(text, id=f"{language}-{index}")
        for language, texts in ORDINARY.items()
        for index, text in enumerate(texts)
    ]


def test_the_file_has_every_category_and_language() -> None:
    data = _safety()
    assert set(data["categories"]) == set(CATEGORIES)
    for category in CATEGORIES:
        patterns = data["categories"][category]["patterns"]
        assert set(patterns) == set(PATTERN_LANGUAGES), category
        for language in PATTERN_LANGUAGES:
            entries = patterns[language]
            assert 10 <= len(entries) <= 25, (category, language, len(entries))
            assert all(isinstance(entry, str) and entry.strip() for entry in entries)
            assert len(set(entries)) == len(entries), (category, language, "duplicate")


def test_every_pattern_compiles_and_matches_nothing_empty() -> None:
    for patterns in _compiled().values():
        for language, pattern in patterns:
            assert not pattern.search(""), (language, pattern.pattern)
            assert not pattern.search(" "), (language, pattern.pattern)


def test_the_test_data_covers_every_language_and_category() -> None:
    for language in PATTERN_LANGUAGES:
        for category in CATEGORIES:
            assert len(CRISES[(language, category)]) >= 3, (language, category)
        assert len(ORDINARY[language]) >= 5, language


@pytest.mark.parametrize(("language", "category", "text"), _crisis_cases())
def test_a_crisis_message_matches_its_category(language: str, category: str, text: str) -> None:
    assert category in _matches(text), (
        f"{language} {category} not detected: {text!r} → {normalise_for_safety(text)!r}"
    )


@pytest.mark.parametrize("text", _ordinary_cases())
def test_an_ordinary_hub_message_raises_no_alarm(text: str) -> None:
    assert _matches(text) == {}, f"false alarm on {text!r}"


# How the same Arabic-script message can arrive: typed on an Arabic or a Persian keyboard,
# hamza forms dropped, the Persian half-space written as a space or left out.
_TO_PERSIAN_LETTERS = str.maketrans(
    {"ي": "ی", "ى": "ی", "ك": "ک", "ة": "ه", "أ": "ا", "إ": "ا", "آ": "ا", "ؤ": "و", "ئ": "ی"}
)
_TO_ARABIC_LETTERS = str.maketrans({"ی": "ي", "ک": "ك"})


def _letter_variants(text: str) -> list[str]:
    return [
        text.translate(_TO_PERSIAN_LETTERS),
        text.translate(_TO_ARABIC_LETTERS),
        text.replace("\u200c", " "),
        text.replace("\u200c", ""),
    ]


@pytest.mark.parametrize(
    ("category", "text"),
    [
        pytest.param(category, text, id=f"{language}-{category}-{index}")
        for (language, category), texts in CRISES.items()
        if language in ("ar", "fa")
        for index, text in enumerate(texts)
    ],
)
def test_arabic_script_crises_match_whatever_the_keyboard(category: str, text: str) -> None:
    for variant in _letter_variants(text):
        assert category in _matches(variant), f"not detected: {variant!r}"


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(text, id=f"{language}-{index}")
        for language in ("ar", "fa")
        for index, text in enumerate(ORDINARY[language])
    ],
)
def test_arabic_script_questions_raise_no_alarm_whatever_the_keyboard(text: str) -> None:
    for variant in _letter_variants(text):
        assert _matches(variant) == {}, f"false alarm on {variant!r}"


def test_the_reply_exists_in_all_nine_languages_with_every_number() -> None:
    replies = _safety()["replies"]
    assert set(replies) == set(REPLY_LANGUAGES)
    for language in REPLY_LANGUAGES:
        reply = replies[language].strip()
        assert len(reply) < 600, (language, len(reply))
        assert "112" in reply.splitlines()[0], language
        for number in NUMBERS:
            assert number in reply, (language, number)
        assert "hubbot" in reply, language
        # Plain text: nothing that Telegram Markdown/HTML or str.format would read.
        assert not re.search(r"[<>{}*_`\[\]]", reply), language


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("NOTFÄLLE", "notfalle"),
        ("Ölmek İstiyorum", "olmek istiyorum"),
        ("Ça suffit, j'étouffe", "ca suffit, j'etouffe"),
        ("Хочу   умерти, й", "хочу умерти, й"),
        ("Пойду, ёлка, їжак", "пойду, ёлка, їжак"),
        ("И\u0306", "й"),  # a decomposed й is recomposed, not stripped to и
        ("إِسْعَاف", "إسعاف"),  # harakat go, the hamza stays
        ("بدـــي", "بدي"),  # tatweel
        ("نمی\u200cتونم", "نمی\u200cتونم"),  # the half-space is left to the patterns
    ],
)
def test_normalise_for_safety(raw: str, expected: str) -> None:
    assert normalise_for_safety(raw) == expected


@cache
def _bot_check() -> SafetyCheck:
    return SafetyCheck.load(SAFETY_FILE.parent)


@pytest.mark.parametrize("text", [case.values[-1] for case in _crisis_cases() + _ordinary_cases()])
def test_the_bot_finds_what_every_pattern_searched_alone_finds(text: str) -> None:
    """The bot skips patterns that need letters of a script the message lacks: never a crisis."""
    found = _matches(text)
    expected = next((category for category in _safety()["categories"] if category in found), None)
    assert _bot_check().crisis_in(text) == expected


@pytest.mark.parametrize(
    ("pattern", "scripts"),
    [
        (r"\bnotf(a|ae)ll", {"LATIN"}),
        ("[اأإآ]ورژانس", {"ARABIC"}),
        ("посин[іi]", {"CYRILLIC"}),
        # Optional letters, branches of different scripts, lookarounds: nothing is certain.
        (r"(?<![\d.,/+-])112(?![.,/-]?\d|\s*(€|euro))", set()),
        ("(?:help )?112", set()),
        ("помогите|help", set()),
        (r"\w+\s+\d+", set()),
        ("[іi]", set()),
        ("(ambulance|paramedic)s?", {"LATIN"}),
        ("x{0,2}112", set()),
    ],
)
def test_required_scripts(pattern: str, scripts: set[str]) -> None:
    assert required_scripts(pattern) == scripts
