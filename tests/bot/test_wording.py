"""The wording model: naive Bayes over the character n-grams of the programmes' passages."""

from __future__ import annotations

import pytest

from bot.services.wording import WordingModel, character_ngrams

PASSAGES = {
    "kitchen-lab": ["بطبخ كبة ومحاشي لكل عرس بالحارة", "kont ntayyab el kesra w el 3asida"],
    "repair-and-make": ["صلحت بسكليتات ولاد المخيم كلهم", "kont nbaddel el kawetsh w el faramel"],
}


def _best(model: WordingModel, text: str) -> str:
    likelihoods = model.log_likelihoods(text)
    assert likelihoods is not None
    return model.slugs[int(likelihoods.argmax())]


@pytest.mark.parametrize(
    ("text", "programme"),
    [
        # A dialect plural and an Arabizi word the passages spell a little differently.
        ("كنت صلّح البسكليتات بالكامب", "repair-and-make"),
        ("kont ana nbadel kawetsh el 3agal", "repair-and-make"),
        ("بطبخ المحاشي للأعراس", "kitchen-lab"),
    ],
)
def test_a_spelling_only_residents_use_points_to_the_programme_of_its_passages(
    text: str, programme: str
) -> None:
    assert _best(WordingModel(PASSAGES), text) == programme


def test_the_closest_programme_is_zero_and_the_others_below() -> None:
    likelihoods = WordingModel(PASSAGES).log_likelihoods("صلحت بسكليتات")
    assert likelihoods is not None
    assert likelihoods.max() == 0.0
    assert likelihoods[0] < 0.0


@pytest.mark.parametrize("text", ["", "😀 🎶", "一个完全不同的文字"])
def test_a_text_sharing_no_piece_with_any_passage_has_no_wording(text: str) -> None:
    assert WordingModel(PASSAGES).log_likelihoods(text) is None


def test_no_passages_no_wording() -> None:
    assert WordingModel({"kitchen-lab": [], "care-circle": []}).log_likelihoods("cooking") is None


def test_harakat_and_letter_variants_do_not_part_two_spellings() -> None:
    assert character_ngrams("صلّحتُ الدراجة") == character_ngrams("صلحت الدراجه")


def test_a_word_repeated_in_a_passage_is_one_vote() -> None:
    once = WordingModel({"a": ["kebab"], "b": ["grill"]}).log_likelihoods("kebab")
    thrice = WordingModel({"a": ["kebab kebab kebab"], "b": ["grill"]}).log_likelihoods("kebab")
    assert once is not None and thrice is not None
    assert once.tolist() == thrice.tolist()
