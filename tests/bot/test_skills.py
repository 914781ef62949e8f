"""Skills in people's own words: the taxonomy files and the recogniser."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from bot.config import PROJECT_ROOT
from bot.services.skills import (
    GENERIC,
    NOT_A_SKILL,
    SOMEONE_ELSE,
    Skill,
    SkillRecogniser,
    load_taxonomy,
)
from db.content_schema import PROGRAMMES

SKILLS_DIR = PROJECT_ROOT / "content" / "skills"
TAXONOMY = load_taxonomy(SKILLS_DIR)
RECOGNISER = SkillRecogniser.from_folder(SKILLS_DIR)
WORD_LANGUAGES = ("de", "en", "ar", "fa", "uk", "ru", "tr", "fr")


def found(text: str) -> list[str]:
    return [match.skill.id for match in RECOGNISER.recognise(text)]


def test_the_taxonomy_has_about_80_skills_each_leading_to_known_programmes() -> None:
    assert 75 <= len(TAXONOMY) <= 100
    assert all(skill.programmes and set(skill.programmes) <= set(PROGRAMMES) for skill in TAXONOMY)
    assert {skill.programmes[0] for skill in TAXONOMY} == set(PROGRAMMES)


@pytest.mark.parametrize("language", WORD_LANGUAGES)
def test_every_language_names_every_skill_with_several_words(language: str) -> None:
    words = yaml.safe_load((SKILLS_DIR / f"{language}.yml").read_text("utf-8"))
    words.pop(NOT_A_SKILL, None)
    words.pop(GENERIC, None)
    words.pop(SOMEONE_ELSE, None)
    assert list(words) == [skill.id for skill in TAXONOMY], "same skills, same order"
    thin = [skill_id for skill_id, terms in words.items() if len(terms) < 8]
    assert not thin, f"{language}: fewer than 8 words for {thin}"


@pytest.mark.parametrize(
    ("text", "skill"),
    [
        ("Ich war Schneider in Kabul", "craft.tailoring"),
        ("I used to fix bikes for the whole street", "craft.bicycle_repair"),
        ("كنت طباخ في مطعم", "food.cooking"),
        ("والخياطة شغلتي من زمان", "craft.tailoring"),
        ("من در افغانستان خیاط بودم", "craft.tailoring"),
        ("Я программист, пишу на Python", "digital.programming"),
        ("Я працювала медсестрою у лікарні", "care.nursing"),
        ("Kuaförde çalıştım", "business.hairdressing"),
        ("je suis coiffeuse", "business.hairdressing"),
        ("Ich habe als Elektrikerin gearbeitet", "craft.electrics"),
        ("programmiren kann ich", "digital.programming"),  # a typo
    ],
)
def test_skills_are_found_in_every_language_and_form(text: str, skill: str) -> None:
    assert skill in found(text)


def test_a_description_can_name_several_skills() -> None:
    skills = found("Ich bin Friseurin und fotografiere gern auf Hochzeiten")
    assert "business.hairdressing" in skills and "culture.photography" in skills


def test_short_words_count_only_when_written_exactly() -> None:
    assert "digital.it_support" in found("Ich habe 5 Jahre in der IT gearbeitet")
    assert "digital.it_support" not in found("it was a long time ago")


def test_nothing_is_found_in_text_without_a_skill() -> None:
    assert found("Hallo, wie geht es dir heute?") == []


def test_word_lists_that_name_an_unknown_skill_are_refused(tmp_path: Path) -> None:
    (tmp_path / "taxonomy.yml").write_text(
        "skills:\n  - {id: food.cooking, programmes: [kitchen-lab], en: cooking}\n", "utf-8"
    )
    (tmp_path / "de.yml").write_text("food.baking: [Backen]\n", "utf-8")
    with pytest.raises(ValueError, match="food.baking"):
        load_taxonomy(tmp_path)


def test_a_skill_shows_its_name_in_the_readers_language() -> None:
    cooking = next(skill for skill in TAXONOMY if skill.id == "food.cooking")
    assert cooking.name_in("de") == cooking.words["de"][0]
    assert cooking.name_in("prs") == cooking.words["fa"][0], "Dari readers get the Persian name"
    assert Skill("x.y", ("kitchen-lab",), {}).name_in("de") == "x.y"


def test_a_hyphenated_word_is_found_by_its_parts_unless_it_is_listed_whole() -> None:
    assert found("столяр-краснодеревщик, 20 лет стажа") == ["craft.carpentry"]
    assert found("Maschinenbau-Ingenieurin") == ["craft.engineering"]
    assert found("смм-менеджер") == ["digital.social_media"]


@pytest.mark.parametrize(
    "text", ["Ziraat mühendisiyim", "مهندس زراعي", "agricultural engineer", "ingénieur agronome"]
)
def test_an_agricultural_engineer_is_a_farmer_rather_than_an_engineer(text: str) -> None:
    assert found(text) == ["green.farming"]


def test_the_skills_found_do_not_depend_on_the_hash_seed() -> None:
    # Words that several lists share used to be credited in set order, so a description could
    # rank differently from one run to the next.
    script = (
        "import json, sys\n"
        "from bot.config import PROJECT_ROOT\n"
        "from bot.services.skills import SkillRecogniser\n"
        "recogniser = SkillRecogniser.from_folder(PROJECT_ROOT / 'content' / 'skills')\n"
        "for text in sys.stdin.read().splitlines():\n"
        "    found = recogniser.recognise(text)\n"
        "    print(json.dumps([(m.skill.id, m.score, m.evidence) for m in found]))\n"
    )
    texts = "\n".join(
        [
            "Je vendais des pagnes et du wax au marché de Douala, et je cousais aussi",
            "كنت أبيع الخضار وأزرعها في أرضنا وأصلح الدراجات",
            "Ich habe im Krankenhaus gekocht und Kinder nach der Schule trainiert",
            "у Києві я ремонтувала телефони і продавала їх на ринку",
            "memlekette düğünlerde yemek yaptım, kuaförde de çalıştım",
        ]
    )
    outputs = {
        subprocess.run(
            [sys.executable, "-c", script],
            input=texts,
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
            cwd=PROJECT_ROOT,
        ).stdout
        for seed in ("1", "2", "3")
    }
    assert len(outputs) == 1


def test_another_scripts_word_list_does_not_read_a_persian_word_as_arabic() -> None:
    # ماشین is "car" in Persian; the Arabic list's ماشية ("livestock") used to match it.
    text = "با ماشین خودم مسافر میبردم"
    assert "green.animal_husbandry" in found(text), "without a language every list counts"
    assert RECOGNISER.recognise(text, "fa") == []


@pytest.mark.parametrize(
    ("text", "language", "skill"),
    [
        ("كنت أشتغل Friseur في دمشق", "ar", "business.hairdressing"),
        ("я був перукарем у Харкові", "uk", "business.hairdressing"),
        ("در کابل سلمانی داشتم", "prs", "business.hairdressing"),
    ],
)
def test_german_english_and_neighbour_words_count_in_every_language(
    text: str, language: str, skill: str
) -> None:
    assert skill in [match.skill.id for match in RECOGNISER.recognise(text, language)]


@pytest.mark.parametrize(
    ("text", "language", "wrong"),
    [
        ("в лікарні вів усю базу пацієнтів", "uk", "care.medicine"),
        ("ходила з ними на візити до лікаря", "uk", "digital.graphic_design"),
        ("переходила с ними улицу", "ru", "language.interpreting"),
    ],
)
def test_an_everyday_word_listed_as_not_a_skill_names_no_skill(
    text: str, language: str, wrong: str
) -> None:
    # "лікарні" (at the hospital) starts with "лікар" (a doctor); "візити" (visits) is one letter
    # from "візитки" (business cards); "переходила" (crossed) from "переводила" (translated).
    assert wrong not in [match.skill.id for match in RECOGNISER.recognise(text, language)]
    assert found("я лікар") == ["care.medicine"], "the skill word itself still counts"


def test_not_a_skill_words_still_count_inside_a_listed_phrase(tmp_path: Path) -> None:
    (tmp_path / "taxonomy.yml").write_text(
        "skills:\n  - {id: care.nursing, programmes: [care-circle], en: nursing}\n"
        "  - {id: care.medicine, programmes: [care-circle], en: medicine}\n",
        "utf-8",
    )
    (tmp_path / "uk.yml").write_text(
        "care.nursing: [працювала в лікарні]\ncare.medicine: [лікар]\nnot_a_skill: [лікарні]\n",
        "utf-8",
    )
    recogniser = SkillRecogniser.from_folder(tmp_path)
    assert [m.skill.id for m in recogniser.recognise("працювала в лікарні", "uk")] == [
        "care.nursing"
    ]
    assert recogniser.recognise("був у лікарні", "uk") == []
    assert [
        m.skill.id
        for m in SkillRecogniser(load_taxonomy(tmp_path)).recognise("був у лікарні", "uk")
    ] == ["care.medicine"], "without the list, the ending leaks"


def found_in(text: str, language: str) -> list[str]:
    return [match.skill.id for match in RECOGNISER.recognise(text, language)]


@pytest.mark.parametrize(
    ("text", "language", "listed", "not_meant"),
    [
        # Listed as a hairdresser; its first letters are also "makeup" (beauty).
        ("آرایشگر", "fa", "business.hairdressing", "business.beauty"),
        # Listed as electronics; "elektrik" is its prefix.
        ("Çin'den elektronik getiriyordum", "tr", "craft.electronics_repair", "craft.electrics"),
    ],
)
def test_a_word_as_listed_beats_another_skill_that_only_shares_its_start(
    text: str, language: str, listed: str, not_meant: str
) -> None:
    assert found_in(text, language) == [listed]
    assert not_meant not in found_in(text, language)


@pytest.mark.parametrize(
    ("text", "language", "not_done", "done"),
    [
        ("ما بعرف اطبخ بس بعرف بيع، فتحت كشك", "ar", "food.cooking", "business.sales"),
        ("ما كنت دكتور، كنت المسؤول عن الكهربا", "ar", "care.medicine", "craft.electrics"),
        # Maghrebi "ماشي" (not).
        (
            "أنا ماشي مدرب، كنت كنترجم فالنادي",
            "ar",
            "youth.sports_coaching",
            "language.interpreting",
        ),
        (
            "Я не варила каву, але вела всю бухгалтерію",
            "uk",
            "food.service",
            "business.bookkeeping",
        ),
        ("aşçı değilim ama fırında ekmek yaptım", "tr", "food.cooking", "food.baking"),
        ("j'étais pas infirmière, je préparais les repas", "fr", "care.nursing", "food.cooking"),
        ("I'm not a nurse, I did all the wiring", "en", "care.nursing", "craft.electrics"),
    ],
)
def test_a_skill_the_resident_says_they_did_not_do_is_not_found(
    text: str, language: str, not_done: str, done: str
) -> None:
    skills = found_in(text, language)
    assert not_done not in skills and done in skills


@pytest.mark.parametrize(
    ("text", "language", "skill"),
    [
        # "only", "ne ... que", "не только": restricting is not negating.
        ("je ne fais que cuisiner", "fr", "food.cooking"),
        ("не только повар, но и кондитер", "ru", "food.cooking"),
        # A negation ends with its clause and before "that".
        ("собирал подростков, чтоб не шлялись, футбол по вечерам", "ru", "youth.football"),
        ("вона не розуміє, що їй кажуть, тому ходжу з нею", "uk", "language.interpreting"),
        # "بعد ما" is "after", not a negation.
        ("بعد ما صلحت الكهربا بالبيت رحت عالشغل", "ar", "craft.electrics"),
        # Persian "ما" is "we".
        ("ما آشپز بودیم", "fa", "food.cooking"),
    ],
)
def test_words_that_only_look_like_a_negation_keep_the_skill(
    text: str, language: str, skill: str
) -> None:
    assert skill in found_in(text, language)


def test_another_languages_list_does_not_count_a_word_by_its_first_letters() -> None:
    assert "care.pharmacy" not in found_in("Au dispensaire je faisais les pansements", "fr")
    assert "care.pharmacy" in found_in("I was dispensing medicines", "fr")


@pytest.mark.parametrize(
    ("text", "language", "skills"),
    [
        ("مهندسة بيئة", "ar", ["green.environment"]),
        ("environmental engineer", "en", ["green.environment"]),
        # On its own, or beside another skill in a list, the word still names its skill.
        ("I am an engineer", "en", ["craft.engineering"]),
        ("Ingenieur, Koch", "de", ["craft.engineering", "food.cooking"]),
        ("engineer and cook", "en", ["craft.engineering", "food.cooking"]),
    ],
)
def test_a_generic_word_beside_a_field_says_what_kind_of_it(
    text: str, language: str, skills: list[str]
) -> None:
    assert sorted(found_in(text, language)) == skills


def test_ukrainian_words_in_another_case_share_the_listed_forms_stem() -> None:
    # Listed: "мобільні додатки"; Snowball has no Ukrainian stemmer of its own.
    assert "digital.mobile_apps" in found_in("інтерфейси для мобільних додатків", "uk")
    # "Великдень" (Easter) starts like "велик" (a bike) but is listed as no skill.
    assert "craft.bicycle_repair" not in found_in("на Великдень пекла паски", "uk")


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("ходил с соседями к врачу и говорил за них", "ru"),
        ("j'allais avec les familles chez les médecins", "fr"),
        ("Beim Arzt gehe ich mit Nachbarn mit", "de"),
        ("كنت روح معهم عند الدكتور", "ar"),
        ("komşularla doktora gittim", "tr"),
    ],
)
def test_a_doctor_the_resident_went_to_is_not_their_trade(text: str, language: str) -> None:
    assert "care.medicine" not in found_in(text, language)


@pytest.mark.parametrize(
    ("text", "language"),
    [("I am a doctor", "en"), ("Ich bin Ärztin", "de"), ("врач-терапевт", "ru")],
)
def test_a_resident_who_is_a_doctor_still_is_one(text: str, language: str) -> None:
    assert found_in(text, language) == ["care.medicine"]


@pytest.mark.parametrize(
    ("text", "language", "theirs", "own"),
    [
        (
            "Mon mari était médecin à Kinshasa, moi je cuisinais",
            "fr",
            "care.medicine",
            "food.cooking",
        ),
        ("مراتي ممرضة وأنا كنت مدرب كاراتيه", "ar", "care.nursing", "youth.martial_arts"),
        ("Чоловік мій був медбратом, а я працювала кухаркою", "uk", "care.nursing", "food.cooking"),
        ("Mein Mann war Arzt, ich habe gekocht", "de", "care.medicine", "food.cooking"),
        # A he or she who opens a clause is someone else too.
        (
            "Mon mari est resté au pays, il était infirmier. Moi je cousais des robes",
            "fr",
            "care.nursing",
            "craft.tailoring",
        ),
        (
            "My wife is still in Kabul, she was a doctor. I repaired bikes",
            "en",
            "care.medicine",
            "craft.bicycle_repair",
        ),
        (
            "Mein Bruder ist in Syrien, er war Elektriker. Ich habe gekocht",
            "de",
            "craft.electrics",
            "food.cooking",
        ),
        (
            "Жена осталась дома, она медсестра, а я работал поваром",
            "ru",
            "care.nursing",
            "food.cooking",
        ),
    ],
)
def test_a_family_members_trade_is_not_the_residents(
    text: str, language: str, theirs: str, own: str
) -> None:
    found = found_in(text, language)
    assert theirs not in found and own in found


@pytest.mark.parametrize(
    ("text", "language", "skill"),
    [
        # Learnt from, done with, or done for a family member: the resident's own skill.
        ("My mother and I sewed dresses for the whole village", "en", "craft.tailoring"),
        ("أمي علمتني الخياطة", "ar", "craft.tailoring"),
        ("Mit meiner Mutter habe ich Kleider genäht", "de", "craft.tailoring"),
        ("كنت أترجم العقود لشركة أبوي", "ar", "language.translation"),
        ("ma tante vendait mes gâteaux au marché", "fr", "food.pastry"),
        ("Babam marangozdu, ben de onunla marangozluk yaptım", "tr", "craft.carpentry"),
    ],
)
def test_a_skill_learnt_or_shared_with_family_stays_the_residents(
    text: str, language: str, skill: str
) -> None:
    assert skill in found_in(text, language)


def test_il_y_a_is_no_one_else() -> None:
    assert "food.baking" in found_in("Il y avait une boulangerie, j'y travaillais", "fr")


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("je suis en cours de français niveau A2", "fr"),
        ("Зараз я вчуся на курсах німецької мови", "uk"),
        ("Сейчас хожу на курсы немецкого", "ru"),
        ("هلأ عم أدرس ألماني بكورس الاندماج", "ar"),
        ("Şu anda dil kursuna gidiyorum", "tr"),
        ("I am taking language classes in the evening", "en"),
    ],
)
def test_a_language_course_the_resident_attends_is_no_teaching(text: str, language: str) -> None:
    assert found_in(text, language) == []


@pytest.mark.parametrize(
    ("text", "language", "skill"),
    [
        ("j'ai donné des cours de français aux enfants", "fr", "language.teaching"),
        ("Я викладала курси німецької мови", "uk", "language.teaching"),
        ("كنت مرشدة اندماج", "ar", "language.cultural_mediation"),
        ("j'étais l'assistante sociale du camp", "fr", "care.social_work"),
    ],
)
def test_a_resident_who_taught_or_helped_still_did(text: str, language: str, skill: str) -> None:
    assert skill in found_in(text, language)


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("l'assistante sociale m'aide pour tout", "fr"),
        ("pour qu'elles puissent parler au docteur", "fr"),
        ("je suis venu pour me soigner le cœur", "fr"),
        ("Meine Sozialarbeiterin hilft mir mit den Papieren", "de"),
        ("my social worker helps me with everything", "en"),
    ],
)
def test_care_the_resident_receives_is_no_care_work(text: str, language: str) -> None:
    assert not [skill for skill in found_in(text, language) if skill.startswith("care.")]


@pytest.mark.parametrize(
    ("text", "skill"),
    [
        ("kont kankhdem f l7lwa, chebakia w kaab ghzal", "food.pastry"),
        ("f lbled kan 3ndi n7al w kanjm3 l3sel", "green.beekeeping"),
        ("kent 5ayyat bel sham, ba5ayye6 badlat", "craft.tailoring"),
        ("ana kunt 7allaq fi baghdad 10 snin", "business.hairdressing"),
    ],
)
def test_arabic_typed_in_latin_letters_names_skills(text: str, skill: str) -> None:
    assert skill in found_in(text, "ar")


def test_an_arabizi_word_is_not_cut_down_to_another_by_a_european_stemmer() -> None:
    """ "7adada" (blacksmithing) lost two letters to a Latin stemmer and matched "7ada" (anyone)."""
    assert "craft.metalwork" not in found_in("kent a3ref emta nezra3, ma 7ada y2elli", "ar")
    assert "craft.metalwork" in found_in("kont 7addad fi 7oms", "ar")


@pytest.mark.parametrize(
    ("text", "language", "not_done", "done"),
    [
        (
            "двадцять років в лікарні, тільки не подумайте, що медсестрою — на харчоблоці",
            "uk",
            "care.nursing",
            "food.catering",
        ),
        (
            "ne croyez pas que j'étais infirmière, je faisais la cuisine",
            "fr",
            "care.nursing",
            "food.cooking",
        ),
    ],
)
def test_dont_think_that_denies_what_follows(
    text: str, language: str, not_done: str, done: str
) -> None:
    assert not_done in [
        match.skill.id for match in RECOGNISER.recognise(text, language, negated=True)
    ]
    assert done in found_in(text, language)


def test_i_never_thought_i_would_be_a_cook_is_still_a_cook() -> None:
    assert "food.cooking" in found_in("я не думала, что стану поваром, но готовлю 20 лет", "ru")


@pytest.mark.parametrize(
    ("text", "language", "skill"),
    [
        # Egyptian "ماليش" (I have nothing to do with): a negation written as one word.
        ("مراتي هي اللي بتطبخ وأنا ماليش في المطبخ خالص", "ar", "food.cooking"),
        # "la fuite" is the flight from home, not a leak.
        (
            "Ensuite les problèmes avec le régime, la fuite, et deux ans en Libye",
            "fr",
            "craft.plumbing",
        ),
        # Maghrebi "ماشي" (not) shares its stem with "ماشية" (livestock).
        ("ولكن ماشي أنا اللي كنزرع", "ar", "green.animal_husbandry"),
        # School grades, not bicycles.
        ("لما البرنامج بتاع الدرجات يهنج كانوا بينادوني", "ar", "craft.bicycle_repair"),
        # "ولاد" (kids) inside a phrase is not the stem of "الولادات" (births).
        ("صلحت بسكليتات كل ولاد المخيم", "ar", "care.midwifery"),
        # "بالصدفة" (by chance) is no mother-of-pearl inlay, "ما في مكيف" no air conditioning job.
        ("لقيت الشغل بالصدفة بمطعم", "ar", "craft.handicrafts"),
        ("بدرّس انجليزي بمدرسة حكومية وما في مكيف بالصف", "ar", "craft.electronics_repair"),
    ],
)
def test_words_that_look_like_a_skill_name_none_here(text: str, language: str, skill: str) -> None:
    assert skill not in found_in(text, language)


def test_what_the_resident_lived_without_is_no_skill() -> None:
    midwife = "اكتر من ٢٠٠ ولد طلعوا على ايدي بالليل وبلا كهربا احيانا"
    assert "craft.electrics" not in found_in(midwife, "ar")
    assert "care.midwifery" in found_in(midwife, "ar")
    # Only the word after "without": the trade named after it still counts.
    assert "care.nursing" in found_in("بدون شهادة كنت ممرضة بالمستشفى", "ar")
    assert "craft.electrics" in found_in("ohne Papiere habe ich als Elektriker gearbeitet", "de")


def test_what_one_of_the_residents_pupils_studies_now_is_not_their_skill() -> None:
    mentor = "أساعدهم بالدروس وأحچي وياهم عن المستقبل. واحد منهم هسه بكلية الهندسة"
    assert "craft.engineering" not in found_in(mentor, "ar")
    assert "craft.engineering" in found_in("انا درست بكلية الهندسة", "ar")


def test_births_are_still_midwifery_where_they_are_named() -> None:
    assert "care.midwifery" in found_in("ولّدت كل الولادات بالقرية عشرين سنة", "ar")
    assert "care.childcare" in found_in("كانت الجارات يخلون عندي ولادهم", "ar")


def test_a_leak_the_resident_repaired_is_still_plumbing() -> None:
    assert "craft.plumbing" in found_in("je réparais une fuite d'eau chez les voisins", "fr")


def test_the_arabic_article_and_two_letters_are_no_stem() -> None:
    # Stemmers cut "الفراش" (the bed) and "الفران" (the baker) both to "الفر".
    caring = "سبع سنين اخدم ابوي واعطيه الدوا واقلبه في الفراش"
    assert "food.baking" not in found_in(caring, "ar")
    assert "food.baking" in found_in("كنت الفران بالحارة", "ar")
