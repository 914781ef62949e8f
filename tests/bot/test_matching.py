"""Programme recommendations: scores a coordinator can follow, reasons a resident can read."""

from __future__ import annotations

import io
import json
from collections import defaultdict
from pathlib import Path

import pytest

import bot.match_measure
from bot.config import PROJECT_ROOT, Settings
from bot.i18n import Catalogue
from bot.match_measure import Tally, eval_match, match_lines, rank_text, write_confusions
from bot.services.language import MessageLanguage
from bot.services.matching import ProgrammeMatcher, RunFacts, Wants
from bot.services.similarity import labelled_examples
from bot.services.skills import SkillRecogniser
from bot.services.talent import TalentIntakeHost
from db.content import read_terms
from flows import FlowState, Step
from flows.schema import StepType
from tests.bot.conftest import TALENT

CATALOGUE = Catalogue.load(PROJECT_ROOT / "locales")
WORDS_ONLY = ProgrammeMatcher(SkillRecogniser.from_folder(PROJECT_ROOT / "content" / "skills"))


def runs(**overrides: RunFacts) -> dict[str, RunFacts]:
    plain = RunFacts(times=frozenset({"mornings"}), languages=frozenset({"de"}), free_places=5)
    slugs = ("kitchen-lab", "founders-studio", "culture-collective", "care-circle")
    return {slug: overrides.get(slug.replace("-", "_"), plain) for slug in slugs}


def test_the_programme_of_the_named_skill_ranks_first_with_its_reason() -> None:
    wants = Wants(skills=WORDS_ONLY.understand("Ich war Koch in einem Restaurant"))
    best = WORDS_ONLY.rank(wants)[0]
    assert best.slug == "kitchen-lab"
    reason = best.reason(CATALOGUE.translator("de"))
    assert best.skills[0].name_in("de") in reason


def test_two_fields_both_rank_in_the_top_three() -> None:
    ranked = rank_text(WORDS_ONLY, "I'm a nurse and I also play the oud at weddings")
    assert {"care-circle", "culture-collective"} <= set(ranked[:3])


def test_shared_times_and_languages_break_a_tie_and_are_named() -> None:
    evening = RunFacts(frozenset({"evenings"}), frozenset({"ar"}), free_places=3)
    wants = Wants(
        skills=WORDS_ONLY.understand("Friseurin und Fotografin"),
        times=["evenings"],
        languages=["ar"],
    )
    ranked = WORDS_ONLY.rank(wants, runs(culture_collective=evening))
    assert ranked[0].slug == "culture-collective"
    assert ranked[0].shared_times == ("evenings",) and ranked[0].shared_languages == ("ar",)
    assert "Abends" in ranked[0].reason(CATALOGUE.translator("de"))


def test_a_full_programme_drops_and_says_so() -> None:
    full = RunFacts(frozenset({"mornings"}), frozenset({"de"}), free_places=0)
    wants = Wants(skills=WORDS_ONLY.understand("Friseurin und Fotografin"))
    ranked = WORDS_ONLY.rank(wants, runs(founders_studio=full))
    founders = next(item for item in ranked if item.slug == "founders-studio")
    assert founders.full and ranked[0].slug != "founders-studio"
    assert founders.reason(CATALOGUE.translator("en")).endswith("waiting list.")


def test_a_programme_the_resident_declined_is_not_recommended_again() -> None:
    wants = Wants(skills=WORDS_ONLY.understand("Koch"), declined=["kitchen-lab"])
    assert WORDS_ONLY.rank(wants, runs())[-1].slug == "kitchen-lab"


def test_only_programmes_offered_at_the_hub_are_ranked() -> None:
    ranked = WORDS_ONLY.rank(Wants(), runs())
    assert {item.slug for item in ranked} == set(runs())


@pytest.mark.parametrize(
    ("text", "language", "programme"),
    [
        ("ya pratsyuvala kukharem u restorani v Odesi", "uk", "kitchen-lab"),
        ("ya doglyadala za babusyeyu, vona bula lezhacha", "uk", "care-circle"),
        ("ya rabotal svarshchikom na zavode", "ru", "repair-and-make"),
    ],
)
def test_russian_and_ukrainian_in_latin_letters_find_their_skills(
    text: str, language: str, programme: str
) -> None:
    assert rank_text(WORDS_ONLY, text, language)[0] == programme


class RecordingScorer:
    def __init__(self) -> None:
        self.texts: list[str] = []
        self.leads: list[str | None] = []

    def scores(self, text: str, *, words_lead: str | None = None) -> dict[str, float]:
        self.texts.append(text)
        self.leads.append(words_lead)
        return {"care-circle": 1.0}

    def warm_up(self) -> None:
        pass

    state = "ready"


def test_the_embedding_model_reads_latin_letter_ukrainian_in_cyrillic() -> None:
    scorer = RecordingScorer()
    matcher = ProgrammeMatcher(WORDS_ONLY.recogniser, scorer)
    matcher.similarity("ya pratsyuvala v budynku dlya litnikh lyudey", "uk")
    matcher.similarity("I worked in a care home", "en")
    assert scorer.texts == ["я працювала в будинку для літніх людей", "I worked in a care home"]


def test_the_embedding_model_is_told_where_the_words_point() -> None:
    """So that it can spare reading a story part by part where its meaning agrees."""
    scorer = RecordingScorer()
    matcher = ProgrammeMatcher(WORDS_ONLY.recogniser, scorer)
    matcher.similarity("Ich habe zwanzig Jahre als Koch in einem Restaurant gearbeitet", "de")
    matcher.similarity("We waited two years in the camp", "en")
    assert scorer.leads == ["kitchen-lab", None]


def test_the_held_out_and_validation_sets_are_never_part_of_the_content() -> None:
    import yaml

    skills = PROJECT_ROOT / "content" / "skills"
    content = {
        str(term).lower()
        for path in [*skills.glob("*.yml"), *(skills / "scenarios").glob("*.yml")]
        if path.stem != "taxonomy"
        for terms in yaml.safe_load(path.read_text("utf-8")).values()
        for term in terms
    }
    content |= {
        str(sentence).lower()
        for path in (skills / "background").glob("*.yml")
        for sentence in yaml.safe_load(path.read_text("utf-8"))
    }
    content |= {text.lower() for text, _ in labelled_examples(skills)}
    for folder in ("match", "match_val", "match_val2", "match_val3"):
        for path in Path(PROJECT_ROOT / "eval" / folder).glob("*.yml"):
            for entry in yaml.safe_load(path.read_text("utf-8")):
                text = entry["text"].lower()
                if len(text.split()) >= 3:
                    assert text not in content, f"{folder}/{path.name}: {entry['text']!r}"


def test_every_labelled_example_names_programmes_of_the_catalogue() -> None:
    from db.content_schema import PROGRAMMES

    examples = labelled_examples(PROJECT_ROOT / "content" / "skills")
    assert len(examples) > 3000
    for text, programmes in examples:
        assert text.strip() and set(programmes) <= set(PROGRAMMES), text


class _FixedMeaning:
    """A semantic scorer giving every text the same scores, like e5 on a text it barely reads."""

    state = "ready"

    def __init__(self, scores: dict[str, float]) -> None:
        self._scores = scores

    def scores(self, text: str, *, words_lead: str | None = None) -> dict[str, float]:
        return self._scores

    def warm_up(self) -> None:
        pass


def test_a_job_title_alone_is_ranked_by_its_words_not_by_a_noisy_meaning() -> None:
    matcher = ProgrammeMatcher(
        WORDS_ONLY.recogniser, _FixedMeaning({"repair-and-make": 1.0, "kitchen-lab": 0.6})
    )
    assert rank_text(matcher, "Aşçıyım")[0] == "kitchen-lab"
    story = "Back home the whole street ate what I made; now I fix whatever breaks in our building"
    assert rank_text(matcher, story)[0] == "repair-and-make"


def test_a_short_sentence_naming_a_skill_is_ranked_by_its_words() -> None:
    matcher = ProgrammeMatcher(
        WORDS_ONLY.recogniser, _FixedMeaning({"repair-and-make": 1.0, "kitchen-lab": 0.7})
    )
    assert rank_text(matcher, "Zwanzig Jahre Koch in Moabit.")[0] == "kitchen-lab"
    # In a longer story the meaning leads again, as the words may name only its setting.
    story = "Zwanzig Jahre Koch in Moabit, und abends habe ich für alle Nachbarn gekocht."
    assert rank_text(matcher, story)[0] == "repair-and-make"


@pytest.mark.parametrize(
    ("text", "language"),
    [
        (
            "J'étais à l'hôpital de Lubumbashi, pas infirmier, je préparais les repas des malades.",
            "fr",
        ),
        ("اشتغلت عشر سنين بمستشفى بحمص بس مو ممرضة، كنت بالمطبخ حضّر الأكل للمرضى", "ar"),
        (
            "В поликлинике я работала, но не медсестрой: готовила обеды для больных и персонала.",
            "ru",
        ),
        ("У лікарні я працювала, але не медсестрою — варила для хворих у їдальні.", "uk"),
    ],
)
def test_a_resident_who_says_they_were_not_a_nurse_is_not_sent_to_care_work(
    text: str, language: str
) -> None:
    # The hospital pulls the meaning of the whole story toward care work (without the denial,
    # care-circle ranked first for all four); "not a nurse" says where the story does not go.
    assert rank_text(TALENT.matcher, text, language)[0] == "kitchen-lab"


def test_a_programme_the_resident_names_work_for_is_not_held_against_them() -> None:
    text = "Je cuisine tous les jours, mais pas de pâtisserie"
    wants = Wants(skills=WORDS_ONLY.understand(text, "fr"), denied=WORDS_ONLY.denied(text, "fr"))
    assert [match.skill.id for match in wants.denied] == ["food.pastry"]
    assert WORDS_ONLY.rank(wants)[0].slug == "kitchen-lab"


def test_what_a_resident_would_not_like_to_do_any_more_counts_against_it() -> None:
    wants = Wants(
        skills=WORDS_ONLY.understand("Ich war zwanzig Jahre Koch", "de"),
        wishes=WORDS_ONLY.understand("Nicht mehr kochen, lieber im Garten arbeiten", "de"),
        unwanted=WORDS_ONLY.denied("Nicht mehr kochen, lieber im Garten arbeiten", "de"),
    )
    assert WORDS_ONLY.rank(wants)[0].slug == "green-commons"


def test_eval_match_names_the_programmes_it_confuses() -> None:
    tally = Tally(defaultdict(list), defaultdict(list), [], [])
    tally.confused[("indirect", "language-bridges", "care-circle")] += 2
    other = Tally(defaultdict(list), defaultdict(list), [], [])
    other.confused[("indirect", "language-bridges", "care-circle")] += 1
    other.confused[("plain", "kitchen-lab", "founders-studio")] += 1
    out = io.StringIO()
    write_confusions({"fr": tally, "ar": other}, out)
    lines = out.getvalue().splitlines()
    plain = lines.index("confused on plain descriptions (expected -> ranked first, count, where)")
    assert lines[plain + 1].split() == ["kitchen-lab", "->", "founders-studio", "1", "ar"]
    indirect = lines.index(
        "confused on indirect descriptions (expected -> ranked first, count, where)"
    )
    assert lines[indirect + 1].split() == ["language-bridges", "->", "care-circle", "3", "ar", "fr"]


@pytest.mark.parametrize("leave_out", [False, True])
def test_eval_match_can_measure_an_example_set_as_if_it_were_never_added(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, leave_out: bool
) -> None:
    text, programmes = labelled_examples(PROJECT_ROOT / "content" / "skills")[0]
    (tmp_path / "ar.yml").write_text(
        json.dumps(
            [{"text": text, "programmes": list(programmes), "kind": "indirect"}],
            ensure_ascii=False,
        ),
        "utf-8",
    )
    built: list[set[str]] = []
    build = bot.match_measure.build_talent_service

    def recording(*args: object, left_out_examples: set[str], **kwargs: object) -> object:
        built.append(left_out_examples)
        return build(*args, left_out_examples=left_out_examples, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(bot.match_measure, "build_talent_service", recording)
    settings = Settings(_env_file=None, match_semantic=False)  # type: ignore[call-arg]
    out = io.StringIO()
    results = eval_match(settings, eval_dir=tmp_path, out=out, leave_out=leave_out)
    assert built == [{text} if leave_out else set()]
    assert len(results["ar"].top1["indirect"]) == 1
    assert out.getvalue().splitlines()[1].startswith("ar        hubbot")


def test_skills_typed_in_another_language_than_the_chosen_one_are_understood() -> None:
    # A resident who reads hubbot in German answers the intake's question in Arabic.
    step = Step(id="skills", type=StepType.TEXT, prompt="What can you do?")
    state = FlowState(
        flow="talent_intake", step="skills", answers={"skills": "كنت طباخ في مطعم كبير"}
    )
    languages = MessageLanguage(office_terms=set(read_terms(PROJECT_ROOT / "content")))
    TalentIntakeHost(WORDS_ONLY, languages).after_text(step, state, keep_text=True, language="de")
    assert state.answers["skill_ids"] == ["food.cooking"]
    TalentIntakeHost(WORDS_ONLY).after_text(step, state, keep_text=True, language="de")
    assert state.answers["skill_ids"] == [], "German and English lists alone miss it"


def test_hubbot_match_prints_skills_and_ranked_programmes_with_reasons() -> None:
    lines = [
        '{"text": "J\'étais à l\'hôpital de Lubumbashi, pas infirmier, je préparais les repas '
        'des malades.", "language_code": "fr"}',
        "",
        "Ich war Schneiderin in Aleppo",
    ]
    out = io.StringIO()
    assert match_lines(Settings(_env_file=None), lines, out) == 2  # type: ignore[call-arg]
    first, second = (json.loads(line) for line in out.getvalue().splitlines())
    assert first["language"] == "fr" and first["programmes"][0]["slug"] == "kitchen-lab"
    assert first["programmes"][0]["reason"], "every programme says why"
    assert [skill["id"] for skill in second["skills"]] == ["craft.tailoring"]
    assert second["programmes"][0]["slug"] == "repair-and-make"
