"""How much a description's wording resembles each programme's passages.

e5 reads meaning, but dialect and home-made spellings barely reach it: "بسكليتات", "الكاوتش",
"ستوتة", Arabizi "3agal" and "kanqerri" are noise to it, and the taxonomy lists only the words
staff thought of. The passages (residents' labelled examples above all) hold thousands of such
spellings. This is a naive Bayes model over the character n-grams of the passages' words: per
programme, the mean log-probability of the description's n-grams that any passage contains.

Measured beside e5 in bot/services/similarity.py (WORDING_WEIGHT), each development set read
with its own descriptions taken out of the passages, plus the validation sets (6,967
descriptions): top-1 6,887 against 6,838, the validation sets (never among the passages) 1,729
of 1,749 against 1,709, Arabic 2,651 of 2,676 against 2,628, and 5 descriptions with no fitting
programme in the top three against 13 (README "Measuring", session 24).
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Mapping

import numpy as np
import numpy.typing as npt

from bot.services.normalise import normalise_for_matching

# 3- to 5-letter pieces of a word padded with spaces: long enough to tell "طبخ" from "طب",
# short enough that "بسكليت" and "بسكليتات" share most of theirs.
NGRAM_SIZES = (3, 4, 5)
# Additive smoothing of the n-gram counts; 0.1 and 1 ranked alike, 0.01 worse.
SMOOTHING = 0.1
_NONE = np.empty(0, dtype=np.int64)


def character_ngrams(text: str) -> set[str]:
    """Return the distinct character n-grams of a text's normalised words."""
    grams: set[str] = set()
    for word in normalise_for_matching(text).split():
        padded = f" {word} "
        for size in NGRAM_SIZES:
            grams.update(padded[i : i + size] for i in range(max(1, len(padded) - size + 1)))
    return grams


class WordingModel:
    """Naive Bayes over character n-grams, one class per programme.

    An n-gram counts once per passage (a passage that says "cooked" three times is one vote).
    N-grams are kept as their `hash()`, in sorted arrays: 285,000 of them take 2 MB and their
    log-probabilities 10 MB, where a dict of strings would take about 90 MB, and building from
    strings peaked at 500 MB. Python salts string hashes per process, which only matters for
    a collision of two n-grams' 64-bit hashes; the model is built in the process that uses it.
    """

    def __init__(self, passages: Mapping[str, Iterable[str]]) -> None:
        self.slugs = list(passages)
        # Counted a programme at a time: all 2.9 million (n-gram, programme) pairs at once
        # peaked at 170 MB, a programme's at about 20.
        per_programme: list[tuple[npt.NDArray[np.int64], npt.NDArray[np.intp]]] = []
        for texts in passages.values():
            hashes = array("q")
            for text in texts:
                hashes.extend(_hashes(text))
            per_programme.append(
                np.unique(np.frombuffer(hashes, dtype=np.int64), return_counts=True)
            )
        vocabulary = np.unique(np.concatenate([grams for grams, _ in per_programme] or [_NONE]))
        counts = np.zeros((len(vocabulary), len(self.slugs)), dtype=np.float32)
        for column, (grams, found) in enumerate(per_programme):
            counts[np.searchsorted(vocabulary, grams), column] = found
        totals = counts.sum(axis=0) + SMOOTHING * len(vocabulary)
        self._vocabulary = vocabulary.astype(np.int64)
        self._log_probabilities = np.log((counts + SMOOTHING) / totals).astype(np.float32)

    def log_likelihoods(self, text: str) -> npt.NDArray[np.float32] | None:
        """Return per programme the mean log-probability of the text's known n-grams, minus
        the best programme's (so the closest is 0); None when no passage shares any n-gram."""
        grams = np.array(_hashes(text), dtype=np.int64)
        if not len(grams) or not len(self._vocabulary):
            return None
        at = np.minimum(np.searchsorted(self._vocabulary, grams), len(self._vocabulary) - 1)
        known = at[self._vocabulary[at] == grams]
        if not len(known):
            return None
        mean = self._log_probabilities[known].mean(axis=0)
        return np.asarray(mean - mean.max(), dtype=np.float32)


def _hashes(text: str) -> list[int]:
    return [hash(gram) for gram in character_ngrams(text)]
