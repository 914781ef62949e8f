"""Which language a message is in: clear cases switch, unclear ones keep the resident's."""

from __future__ import annotations

import pytest

from bot.config import PROJECT_ROOT
from bot.services.language import MessageLanguage
from db.content import read_terms

DETECT = MessageLanguage(office_terms=set(read_terms(PROJECT_ROOT / "content")))


@pytest.mark.parametrize(
    ("text", "prior", "expected"),
    [
        ("ok", "ar", "ar"),
        ("salam", "fa", "fa"),
        ("2", "de", "de"),
        ("Шукаю квартиру в Берліні, допоможіть", "ru", "uk"),
        ("Мне нужна помощь, где эта школа?", "uk", "ru"),
        ("من دنبال خانه هستم در برلین", "prs", "prs"),
        ("من دنبال خانه هستم در برلین", "ar", "fa"),
        ("أبحث عن شقة في برلين من فضلك", "de", "ar"),
        ("jobcenter mektup geldi anlamadim yardim lazim", "de", "tr"),
        ("I need help with my Anmeldung appointment please", "de", "en"),
        ("bdi sa2el 3an kita lal walad", "ar", "ar"),
        # Persian typed on an Arabic keyboard (ي ك): still Persian, with or without a choice.
        ("ميخواهم براي كورس زبان ثبت نام كنم", "fa", "fa"),
        ("ميخواهم براي كورس زبان ثبت نام كنم", "de", "fa"),
        ("سلام وقت بخير، كجا ميتوانم كمك بگيرم براي نامه جاب سنتر", "prs", "prs"),
        # Arabic in reply to a Persian choice: its words tell, also Iraqi with گ.
        ("كيف اسجل ابني في المدرسه", "fa", "ar"),
        ("شلون اگدر اسجل ابني بالمدرسه", "fa", "ar"),
    ],
)
def test_served_languages(text: str, prior: str, expected: str) -> None:
    detection = DETECT.detect(text, prior=prior)
    assert detection.supported and detection.language == expected


def test_office_words_do_not_make_a_sentence_german() -> None:
    text = "Ausländerbehörde Termin Jobcenter Bescheid Anmeldung"
    assert DETECT.detect(text, prior="tr").language == "tr"


def test_unserved_languages_are_named() -> None:
    detection = DETECT.detect("Hola, necesito ayuda con mi apartamento por favor", prior="de")
    assert not detection.supported and detection.language == "Spanish"
    assert not DETECT.detect("ሰላም ከመይ ኣለኹም ሓገዝ የድልየኒ ኣሎ", prior="de").supported


@pytest.mark.parametrize(
    ("text", "prior", "name", "code"),
    [
        # lingua has no Pashto and read it as Persian; its own letters tell.
        ("زه د کور په لټه کې یم، مرسته غواړم", "prs", "Pashto", "ps"),
        ("سڵاو، من بەدوای خانوودا دەگەڕێم", "ar", "Kurdish", "ckb"),
        ("مجھے گھر ڈھونڈنے میں مدد چاہیے", "de", "Urdu", "ur"),
        # Kurmanji, which lingua reads as Turkish or Albanian.
        ("Silav, ez li Berlînê dijîm û ez li kar digerim", "tr", "Kurdish", "ku"),
        ("Ez nexweş im, divê ez biçim cem doktor", None, "Kurdish", "ku"),
        ("Hola, necesito ayuda con mi apartamento por favor", "de", "Spanish", "es"),
    ],
)
def test_unserved_languages_carry_the_code_a_translation_provider_takes(
    text: str, prior: str | None, name: str, code: str
) -> None:
    detection = DETECT.detect(text, prior=prior)
    assert (detection.supported, detection.language, detection.code) == (False, name, code)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A Pashto place name in a Dari sentence, ê in French: still the served language.
        ("من در ننګرهار زندگی میکردم و حالا دنبال خانه هستم", "fa"),
        ("Je cherche une fête pour mes enfants, même le week-end", "fr"),
        ("wbs aldim ama ev bulamiyorum wbs ile nereye basvurulur", "tr"),
    ],
)
def test_a_letter_or_word_of_an_unserved_language_alone_changes_nothing(
    text: str, expected: str
) -> None:
    assert DETECT.detect(text, prior=None).language == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Portuguese writes ê and "em"; Italian has "li": still what they are, not Kurdish.
        ("Você pode me ajudar? Eu moro em Berlim e preciso de um médico em casa", "Portuguese"),
        ("Li ho cercati dappertutto, mi serve un appartamento a Berlino per favore", "Italian"),
    ],
)
def test_other_unserved_languages_are_not_taken_for_kurmanji(text: str, expected: str) -> None:
    assert DETECT.detect(text, prior=None).language == expected


@pytest.mark.parametrize(
    ("text", "chosen", "expected"),
    [
        # Clearly another language than the chosen one: its word lists count.
        ("كنت طباخ في مطعم كبير في حلب", "de", "ar"),
        ("Я работала швеёй на фабрике в Харькове", "en", "ru"),
        # Unclear, but in the chosen language's script: the chosen language.
        ("من باغبان هستم", "fa", "fa"),
        ("kuaför", "tr", "tr"),
        # Russian or Ukrainian in Latin letters from a resident who chose it: read as such.
        ("ya pratsyuvala kukharem u restorani v Odesi", "uk", "uk"),
        ("ya rabotal svarshchikom na zavode", "ru", "ru"),
        # Unclear and in another script: every list counts.
        ("طباخ", "de", None),
        ("cook, driver", "uk", None),
        # No choice and unclear: every list counts.
        ("çiftçiyim", None, None),
    ],
)
def test_the_language_of_a_self_description_decides_its_word_lists(
    text: str, chosen: str | None, expected: str | None
) -> None:
    assert DETECT.of_description(text, chosen=chosen) == expected
