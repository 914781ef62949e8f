"""The skill taxonomy, and recognising its skills in a resident's own words.

The taxonomy is data (content/skills/): `taxonomy.yml` lists each skill with the programmes it
leads to, and one file per language lists the words people use for it, display name first.
Recognition works on every language at once, because residents mix them ("ich war Schneider,
khayat"). A word matches when it is the same after normalisation (case, diacritics, Arabic and
Persian letter variants), when both share a Snowball stem, when an Arabic clitic (و، ب، ال…) is
all that differs, or, for longer words, when it is a small typo away. Where several terms
could take a word, the one listing it as written wins over a shared stem, and that over a
shared start. Words a negation applies to name nothing ("ما بعرف اطبخ", I can't cook): asked
for them (`negated=True`), the recogniser returns what the resident says they did not do.
Words that tell a family member's trade name nothing either ("Mon mari était médecin").
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import Stemmer
import yaml
from rapidfuzz import fuzz, process

from bot.services.normalise import normalise_for_matching

_TOKEN = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*", re.UNICODE)
_STEMMERS = {
    "latin": tuple(Stemmer.Stemmer(name) for name in ("english", "german", "french", "turkish")),
    "cyrillic": (Stemmer.Stemmer("russian"),),
    "arabic": (Stemmer.Stemmer("arabic"), Stemmer.Stemmer("persian")),
}
# Short words of everyday German, English, French and Turkish that a word list may also use
# for a skill ("it" for IT, "art"): they would find skills in every other sentence.
_COMMON_SHORT_WORDS = frozenset(
    "a an am as at be by do go he i if in is it me my no of on or so to up us we "
    "and are but can for has her his how not one our out the was who why you all any art "
    "ab da er es ja im zu um an auf aus bei bin bis das dem den der des die du ein hat ich "
    "ihr ist kam man mit nie nur ob sie so tun und uns von vor war was wer wie wir "
    "au ce de du en et il je la le les ma me ne on ou pas qui sa se si ta te tu un une "
    "ve ya da de bu ben sen biz siz o ne ki mi var yok iyi cok gibi ile icin".split()
)
# "ما بعرف اطبخ بس بعرف بيع", "Я не варила каву, але...": a skill word right after a negation
# (NEGATED_AFTER words) or right before one (Turkish "aşçı değilim", Persian "آشپز نیستم") is
# something the resident did not do. "not only", "не только", "ne fais que" restrict, not
# negate. Persian "ما" is "we": the Arabic negation "ما" counts in Arabic texts only.
_NEGATIONS_BEFORE = frozenset(
    "not never don't didn't doesn't can't cannot isn't wasn't haven't "
    "nicht nie niemals ne pas jamais не "
    "مش مو لا ولا لم لیس نه".split()
)
# Maghrebi "ماشي" (not: "أنا ماشي مدرب") is "walking" in the East: Arabic texts only, too.
_ARABIC_NEGATION_WORDS = "ما ماشي"
# Egyptian and Levantine negations written as one word ("وأنا ماليش في المطبخ").
_JOINED_NEGATION_WORDS = "ماليش مليش ماكنتش مكنتش ماعرفش معرفش مابعرفش مبعرفش مابعرف مبعرف"
# ...unless it ends a conjunction: "قبل ما الإسعاف ييجي", before the ambulance came.
_ARABIC_CONJUNCTIONS_WITH_MA = frozenset("قبل بعد کل مثل متل زی حسب طول عن لحد".split())
# "we lived without electricity", "ولدت بالليل وبلا كهربا": the word after "without" is
# something the resident lacked, not a skill. Only that one word: "بدون شهادة كنت ممرضة" (without
# a certificate I was a nurse) still names nursing.
_WITHOUT = frozenset("without ohne sans без بلا بدون".split())
_NEGATIONS_AFTER_PREFIXES = ("degil", "نیست", "نبود", "نمیتون", "نمیتوان", "نمیدون", "نمیدان")
_RESTRICTIVE = frozenset(
    "only just nur bloss seulement que qu только тільки лише بس فقط sadece".split()
)
_CLAUSE_END = re.compile(r"[,.;:!?،؛\n]|\s[—–-]\s")
# ...and at "that": "вона не розуміє, що їй кажуть" (she does not understand what she is told)
# is why the resident interpreted.
_SUBORDINATORS = frozenset("что що шо that dass que qu انو انه اللی که ki".split())
NEGATED_AFTER = 2
NEGATED_BEFORE = 2
# "тільки не подумайте, що медсестрою", "ne croyez pas que j'étais infirmière": a negated
# "think" denies what follows its "that", across the comma, for up to NEGATED_THOUGHT words.
# Only the imperative: "я не думала, что стану поваром" (I never thought I'd be a cook) is
# no denial.
_THINK = frozenset("подумайте думайте подумай думай pensez croyez".split())
NEGATED_THOUGHT = 3
# "Mon mari était médecin, moi je cuisinais": a skill word up to FAMILY_REACH words after a
# family member who opens a clause is what they did, not the resident. It stops at the
# resident ("and I", "taught me", "my" after the family member: "ma tante vendait mes
# gâteaux"); "with my mother we sewed" and "my uncle's restaurant" (not at the start) keep it.
# Gulf "ابي" is "I want", so only "ابوي" stands for a father there.
FAMILY_REACH = 4
_FAMILY_WORDS = (
    "husband wife father dad mother mom mum brother sister son daughter uncle aunt "
    "mann frau vater mutter bruder schwester sohn tochter onkel tante "
    "mari femme père mère frère sœur soeur fils fille oncle tante "
    "муж жена отец папа мама мать брат сестра сын дочь дядя тётя "
    "чоловік дружина батько тато мама брат сестра син донька дочка дядько тітка "
    "kocam eşim karım babam annem abim ağabeyim kardeşim ablam oğlum kızım amcam dayım "
    "زوجي جوزي مراتي زوجتي مرتي راجلي ابوي أبوي بابا أمي امي ماما أخوي اخوي أخي اخويا أختي "
    "ابني بنتي عمي خالي شوهرم همسرم زنم پدرم بابام مادرم مامانم برادرم خواهرم پسرم دخترم"
)
# "Mon mari est resté au pays, il était infirmier": a he or she who opens a clause is someone
# else too ("il y a", "il faut" are no one). Not "they": "they spoke only Arabic" is often
# whom the resident interpreted for.
_THIRD_PERSON_WORDS = "he she er sie il elle он она він вона هو هي او"
# "واحد منهم هسه بكلية الهندسة", one of them is at engineering school now: a mentor's pupil,
# not the mentor. Counted like a family member, near the start of its clause.
_ONE_OF_THEM_WORDS = "منهم منهن them eux них ihnen"
_IMPERSONAL_AFTER_IL = frozenset({"y", "faut"})
_WITH_WORDS = "with mit avec с з со مع ويا وياه با"
_FIRST_PERSON_WORDS = (
    "i me we ich mich mir wir je moi nous on я меня мне мы ми мене мені "
    "ben biz انا أنا احنا اني آني نحنا ana من ما علمتني علمني"
)
_MINE_WORDS = "my mein meine meinen mes мой моя мои мій моя мої"
_UKRAINIAN_AS_RUSSIAN = str.maketrans({"і": "и", "ї": "и", "є": "е", "ґ": "г"})
_ARABIC_CLITICS = ("وال", "بال", "فال", "کال", "لل", "ال", "و", "ب", "ف", "ل")
# The display language for Dari readers is Persian: the words are shared.
_DISPLAY_FALLBACK = {"prs": "fa"}
MIN_STEM = 4
# A resident's word may carry a suffix the word list lacks ("kuaförde", "шевчинею"):
# it also matches a listed word it starts with, if at most this many letters are left over.
MAX_SUFFIX = 4
MIN_PREFIX = 5
FUZZY_MIN_LENGTH = 6
FUZZY_CUTOFF = 88.0
FUZZY_QUALITY = 0.8
# Word lists that count in a text besides its own language's: residents mix in German and
# English trade words everywhere, and Ukrainian and Russian speakers each other's words.
# Arabic and Persian lists do not count for each other: they share a script and many
# spellings with other meanings (ماشية "livestock" and ماشین "car", تصميم "design" and
# تصمیم "decision"). Typo matching uses the text's own language only ("Cameroun" is no
# "camera"), and the other lists count a word as listed or by a shared stem, never by its
# first letters (French "dispensaire" is no English "dispensing").
SHARED_LISTS = ("de", "en")
NEIGHBOUR_LISTS = {"uk": ("ru",), "ru": ("uk",), "prs": ("fa",)}
# The key of a word list that lists everyday words which look like a skill word plus an ending
# or a typo ("лікарні", at the hospital, is not "лікар", a doctor; "подати", to submit, is not
# "податки", taxes): such a word in a text matches only terms that list it exactly.
NOT_A_SKILL = "not_a_skill"
# The key of a word list that lists words naming a skill only on their own: next to another
# skill's word (GENERIC_REACH words apart) they say what kind of it, and yield ("مهندسة
# بيئة", environmental engineer, is environment, not engineering).
GENERIC = "generic"
GENERIC_REACH = 2
# The key of a word list that lists phrases in which a trade word names someone else
# ("ходил с людьми к врачу", I went with people to the doctor): they name no skill.
SOMEONE_ELSE = "someone_else"
_CONJUNCTIONS = frozenset("and und et ve и і та а y or oder ou veya или або یا".split())


@dataclass(frozen=True, slots=True)
class Skill:
    """One skill: an ESCO-like id, the programmes it leads to (best first), its words."""

    id: str
    programmes: tuple[str, ...]
    words: Mapping[str, tuple[str, ...]]

    def name_in(self, language: str) -> str:
        """Return the display name in a language, else English, else the id."""
        for code in (language, _DISPLAY_FALLBACK.get(language, language), "en"):
            if self.words.get(code):
                return self.words[code][0]
        return self.id


@dataclass(frozen=True, slots=True)
class SkillMatch:
    """A skill found in a text, how strongly, and the words that showed it."""

    skill: Skill
    score: float
    evidence: tuple[str, ...]


def _own_lists(language: str | None) -> frozenset[str] | None:
    if language is None:
        return None
    return frozenset((language, *NEIGHBOUR_LISTS.get(language, ())))


def _word_lists(folder: Path) -> dict[str, dict[str, list[str]]]:
    """Return every <language>.yml next to taxonomy.yml, by language."""
    return {
        path.stem: yaml.safe_load(path.read_text("utf-8")) or {}
        for path in sorted(folder.glob("*.yml"))
        if path.stem != "taxonomy"
    }


def load_taxonomy(folder: Path) -> list[Skill]:
    """Read taxonomy.yml and every <language>.yml word list next to it."""
    return _skills(folder, _word_lists(folder))


def _skills(folder: Path, word_lists: dict[str, dict[str, list[str]]]) -> list[Skill]:
    entries = yaml.safe_load((folder / "taxonomy.yml").read_text("utf-8"))["skills"]
    words: dict[str, dict[str, tuple[str, ...]]] = defaultdict(dict)
    for language, lists in word_lists.items():
        for skill_id, terms in lists.items():
            if skill_id not in (NOT_A_SKILL, GENERIC, SOMEONE_ELSE):
                words[skill_id][language] = tuple(str(term) for term in terms)
    known = {entry["id"] for entry in entries}
    unknown = set(words) - known
    if unknown:
        raise ValueError(f"word lists name skills missing from taxonomy.yml: {sorted(unknown)}")
    return [
        Skill(id=entry["id"], programmes=tuple(entry["programmes"]), words=words[entry["id"]])
        for entry in entries
    ]


def _listed_under(key: str, word_lists: dict[str, dict[str, list[str]]]) -> frozenset[str]:
    """Return the words every word list lists under a key (NOT_A_SKILL, GENERIC), normalised."""
    return frozenset(
        " ".join(tokenise(str(word)))
        for lists in word_lists.values()
        for word in lists.get(key, ())
    )


def _script(token: str) -> str:
    first = token[0]
    if "\u0400" <= first <= "\u04ff":
        return "cyrillic"
    if "\u0600" <= first <= "\u06ff":
        return "arabic"
    return "latin"


@lru_cache(maxsize=65536)
def token_keys(token: str) -> frozenset[str]:
    """Return the forms under which a normalised token is listed: itself and its stems."""
    if len(token) <= MIN_STEM - 1:
        return frozenset({token})
    forms = {token}
    script = _script(token)
    if script == "arabic":
        forms.update(
            token[len(clitic) :]
            for clitic in _ARABIC_CLITICS
            if token.startswith(clitic) and len(token) - len(clitic) >= MIN_STEM
        )
    if script == "cyrillic":
        # Snowball has no Ukrainian: its words go through the Russian stemmer in Russian
        # letters, so "мобільних" and "мобільні" share "мобильн" as their stem.
        forms.add(token.translate(_UKRAINIAN_AS_RUSSIAN))
    keys = set(forms)
    # The Latin stemmers know European endings, not Arabizi: cutting two letters off "7adada"
    # (blacksmithing) left "7ada", as in "ma 7ada" (nobody).
    min_stem = MIN_STEM + 1 if script == "latin" and any(c.isdigit() for c in token) else MIN_STEM
    for form in forms:
        for stemmer in _STEMMERS[script]:
            stem = stemmer.stemWord(form)
            if len(stem) >= min_stem and not _bare_article(stem):
                keys.add(stem)
    return frozenset(keys)


def _bare_article(stem: str) -> bool:
    """Tell whether a stem is the Arabic article and less than a word ("الفر").

    The Persian stemmer cuts "-اش" off "الفراش" (the bed) and the Arabic one "-ان" off
    "الفران" (the baker): both leave "الفر", and a father washed in his bed became baking.
    """
    return stem.startswith("ال") and len(stem) - 2 < MIN_STEM - 1


@lru_cache(maxsize=65536)
def lookup_keys(token: str) -> frozenset[str]:
    """Return the forms a resident's token is looked up under: listed forms and prefixes."""
    prefixes = {token[:-cut] for cut in range(1, MAX_SUFFIX + 1) if len(token) - cut >= MIN_PREFIX}
    return token_keys(token) | prefixes


@lru_cache(maxsize=65536)
def part_keys(token: str) -> frozenset[str]:
    """Return the lookup forms of the parts of a hyphenated token ("столяр-краснодеревщик")."""
    parts = [part for part in token.split("-") if len(part) >= MIN_STEM]
    return frozenset().union(*(lookup_keys(part) for part in parts))


def _closeness(token: str, term: _Term) -> int:
    """Return how a resident's token matches a term's first word: 2 as is, 1 stem, 0 prefix."""
    if token == term.tokens[0]:
        return 2
    return 1 if token_keys(token) & token_keys(term.tokens[0]) else 0


def _clauses(normalised: str) -> list[int]:
    """Return, for each token of an already normalised text, the number of its clause."""
    spans = [(found.start(), found.end()) for found in _TOKEN.finditer(normalised)]
    clause = [0] * len(spans)
    for index in range(1, len(spans)):
        between = normalised[spans[index - 1][1] : spans[index][0]]
        clause[index] = clause[index - 1] + bool(_CLAUSE_END.search(between))
    return clause


def _qualifies(tokens: Sequence[str], clauses: Sequence[int], head: int, other: int) -> bool:
    """Tell whether the word at `other` says what kind of the generic word at `head` is meant."""
    if other == head or abs(other - head) > GENERIC_REACH or clauses[other] != clauses[head]:
        return False
    between = tokens[min(head, other) + 1 : max(head, other)]
    return not _CONJUNCTIONS & set(between)


def _negated(tokens: Sequence[str], clauses: Sequence[int], language: str | None) -> list[bool]:
    """Mark the tokens that a negation in their clause applies to.

    A negated imperative "think" reaches past its "that" into the next clause instead.
    """
    negations = _NEGATIONS_BEFORE | _JOINED_NEGATIONS
    if language == "ar":
        negations |= _ARABIC_NEGATIONS_BEFORE
    negated = [False] * len(tokens)
    for index, token in enumerate(tokens):
        if token in _ARABIC_NEGATIONS_BEFORE and index:
            if _without_clitic(tokens[index - 1]) in _ARABIC_CONJUNCTIONS_WITH_MA:
                continue
        if token in negations and tokens[index + 1 : index + 2] and tokens[index + 1] in _THINK:
            start = index + 2
            while start < len(tokens) and (
                tokens[start] in _SUBORDINATORS or tokens[start] == "pas"
            ):
                start += 1
            for other in range(start, min(len(tokens), start + NEGATED_THOUGHT)):
                if clauses[other] != clauses[start]:
                    break
                negated[other] = True
            continue
        if _without_clitic(token) in _WITHOUT:
            scope = range(index + 1, min(len(tokens), index + 2))
        elif (token in negations or token.startswith("n'")) and not _restricts(tokens, index):
            scope = range(index + 1, min(len(tokens), index + 1 + NEGATED_AFTER))
        elif token.startswith(_NEGATIONS_AFTER_PREFIXES):
            scope = range(max(0, index - NEGATED_BEFORE), index)
        else:
            continue
        for other in scope:
            if tokens[other] in _SUBORDINATORS:
                break
            # A negation stops at the end of its clause: "не шлялись, футбол" names football.
            negated[other] = negated[other] or clauses[other] == clauses[index]
    return negated


def _someone_elses(tokens: Sequence[str], clauses: Sequence[int]) -> list[bool]:
    """Mark the tokens that say what a family member did ("mon mari était médecin")."""
    marked = [False] * len(tokens)
    for index, token in enumerate(tokens):
        opens_clause = index == 0 or clauses[index - 1] != clauses[index]
        if token in _THIRD_PERSON and opens_clause:
            if tokens[index + 1 : index + 2] and tokens[index + 1] in _IMPERSONAL_AFTER_IL:
                continue
        elif token not in _OTHERS and _without_clitic(token) not in _OTHERS:
            continue
        if index and tokens[index - 1] in _WITH:
            continue
        # The family member is who the clause is about only near its start ("for my uncle's
        # restaurant I built ..." is the resident's work).
        before = [i for i in range(max(0, index - 3), index) if clauses[i] == clauses[index]]
        if len(before) > 2 or any(tokens[i] in _FIRST_PERSON for i in before):
            continue
        for other in range(index + 1, min(len(tokens), index + 1 + FAMILY_REACH)):
            if clauses[other] != clauses[index] or tokens[other] in _FIRST_PERSON:
                break
            # "чоловік мій", my husband, puts "my" after him.
            if tokens[other] in _MINE and other > index + 1:
                break
            if tokens[other] in _CONJUNCTIONS or tokens[other].startswith(("وانا", "m'", "j'")):
                break
            marked[other] = True
    return marked


def _restricts(tokens: Sequence[str], index: int) -> bool:
    """Tell whether the negation at `index` restricts ("not only", "ne fais que")."""
    following = tokens[index + 1 : index + 2]
    if tokens[index] == "ne" or tokens[index].startswith("n'"):
        following = tokens[index + 1 : index + 3]
    return bool(_RESTRICTIVE & set(following))


def _without_clitic(token: str) -> str:
    return token[1:] if token.startswith("و") and len(token) > 2 else token


def tokenise(text: str) -> list[str]:
    """Split normalised text into word tokens."""
    return _TOKEN.findall(normalise_for_matching(text))


# The family rule's and the negations' words, normalised like the text they are looked
# for in.
# Family members, and "one of them": whoever the clause after them is about.
_OTHERS = frozenset(tokenise(_FAMILY_WORDS + " " + _ONE_OF_THEM_WORDS))
_JOINED_NEGATIONS = frozenset(tokenise(_JOINED_NEGATION_WORDS))
_ARABIC_NEGATIONS_BEFORE = frozenset(tokenise(_ARABIC_NEGATION_WORDS))
_THIRD_PERSON = frozenset(tokenise(_THIRD_PERSON_WORDS))
_WITH = frozenset(tokenise(_WITH_WORDS))
_FIRST_PERSON = frozenset(tokenise(_FIRST_PERSON_WORDS))
_MINE = frozenset(tokenise(_MINE_WORDS))


@dataclass(frozen=True, slots=True)
class _Term:
    skills: tuple[str, ...]
    text: str
    tokens: tuple[str, ...]
    # Short words ("IT", "DJ") only count when written exactly, case included.
    exact_case: str | None
    # The word lists (languages) that name it.
    languages: frozenset[str]


class SkillRecogniser:
    """Find the skills of the taxonomy in free text, in any of its languages."""

    @classmethod
    def from_folder(cls, folder: Path) -> SkillRecogniser:
        """Build the recogniser from a taxonomy folder (content/skills/), reading it once."""
        word_lists = _word_lists(folder)
        return cls(
            _skills(folder, word_lists),
            _listed_under(NOT_A_SKILL, word_lists),
            _listed_under(GENERIC, word_lists),
            {language: lists.get(SOMEONE_ELSE, ()) for language, lists in word_lists.items()},
        )

    def __init__(
        self,
        skills: Sequence[Skill],
        not_a_skill: frozenset[str] = frozenset(),
        generic: frozenset[str] = frozenset(),
        someone_else: Mapping[str, Iterable[str]] | None = None,
    ) -> None:
        self.skills = {skill.id: skill for skill in skills}
        self.not_a_skill = not_a_skill
        self.generic = generic
        owners: dict[tuple[str, str | None], set[str]] = defaultdict(set)
        listed_in: dict[tuple[str, str | None], set[str]] = defaultdict(set)
        for skill in skills:
            for language, terms in skill.words.items():
                for term in terms:
                    tokens = tuple(tokenise(term))
                    if not tokens:
                        continue
                    short = len(tokens) == 1 and len(tokens[0]) <= 3
                    exact = term.strip() if short and term.strip() != term.strip().lower() else None
                    if short and exact is None and tokens[0] in _COMMON_SHORT_WORDS:
                        continue
                    owners[(" ".join(tokens), exact)].add(skill.id)
                    listed_in[(" ".join(tokens), exact)].add(language)
        # Phrases that name someone else's trade become terms of no skill: found like any
        # other, they take their words from shorter terms ("к врачу" from "врач").
        for language, phrases in (someone_else or {}).items():
            for phrase in phrases:
                if tokens := tuple(tokenise(phrase)):
                    owners.setdefault((" ".join(tokens), None), set())
                    listed_in[(" ".join(tokens), None)].add(language)
        self._by_key: dict[str, list[_Term]] = defaultdict(list)
        self._fuzzy_vocabulary: dict[str, list[_Term]] = defaultdict(list)
        for (joined, exact), skill_ids in owners.items():
            tokens = tuple(joined.split(" "))
            entry = _Term(
                tuple(sorted(skill_ids)),
                joined,
                tokens,
                exact,
                frozenset(listed_in[(joined, exact)]),
            )
            short = len(tokens) == 1 and len(tokens[0]) <= 3
            for key in {tokens[0]} if short else token_keys(tokens[0]):
                self._by_key[key].append(entry)
            if len(tokens) == 1 and len(tokens[0]) >= FUZZY_MIN_LENGTH and skill_ids:
                self._fuzzy_vocabulary[tokens[0]].append(entry)
        self._fuzzy_choices = list(self._fuzzy_vocabulary)
        self._fuzzy_by_lists: dict[frozenset[str], list[str]] = {}

    def _fuzzy_choices_in(self, lists: frozenset[str]) -> list[str]:
        if lists not in self._fuzzy_by_lists:
            self._fuzzy_by_lists[lists] = [
                word
                for word, terms in self._fuzzy_vocabulary.items()
                if any(term.languages & lists for term in terms)
            ]
        return self._fuzzy_by_lists[lists]

    def recognise(
        self, text: str, language: str | None = None, *, negated: bool = False
    ) -> list[SkillMatch]:
        """Return the skills named in a text, strongest first.

        With the text's `language`, only that language's word lists count, and German,
        English and close neighbours' (SHARED_LISTS, NEIGHBOUR_LISTS); without it, every list.
        With `negated`, the skills a negation applies to instead: what the resident says they
        did not do ("pas infirmier", "بس لا ممرضة").
        """
        own = _own_lists(language)
        counted = None if own is None else own | frozenset(SHARED_LISTS)
        normalised = normalise_for_matching(text)
        tokens = _TOKEN.findall(normalised)
        # A term may start with the negation ("не розуміє") but not inside its reach.
        clauses = _clauses(normalised)
        denied = _negated(tokens, clauses, language)
        if negated and not any(denied):
            # Most descriptions deny nothing: no need to look their words up a second time.
            return []
        raw_words = set(_TOKEN.findall(text))
        keys = [
            frozenset({token}) if token in self.not_a_skill else lookup_keys(token)
            for token in tokens
        ]
        # A hyphenated word the lists lack as a whole is looked up by its parts.
        for index, token in enumerate(tokens):
            if "-" in token and not self._candidates(token, keys[index]):
                keys[index] = keys[index] | part_keys(token)
        others = _someone_elses(tokens, clauses)
        used = [False] * len(tokens)
        scores: dict[str, float] = defaultdict(float)
        evidence: dict[str, list[str]] = defaultdict(list)
        # Longest phrases first, so that "food truck" is not also counted as "truck".
        found: list[tuple[int, int, _Term, int]] = []
        for start, token in enumerate(tokens):
            for term in self._candidates(token, keys[start]):
                if term.exact_case is not None and term.exact_case not in raw_words:
                    continue
                if counted is not None and not term.languages & counted:
                    continue
                if denied[start] != negated or others[start]:
                    continue
                closeness = _closeness(token, term)
                # An everyday word names no skill by a stem it shares with a listed word:
                # Maghrebi "ماشي" (not) is the stem of "ماشية" (livestock).
                if closeness < 2 and token in self.not_a_skill:
                    continue
                if own is not None and not term.languages & own and closeness == 0:
                    continue
                if self._phrase_at(term, tokens, keys, start):
                    found.append((start, len(term.tokens), term, closeness))
        # Longest first; at one place the word as listed before a shared stem before a prefix
        # ("طبخ" is listed as cooking; a prefix must not hand it to another skill first).
        # Ties broken by position and text, never by set order (which changes with the hash seed).
        found.sort(key=lambda item: (-item[1], item[0], -item[3], item[2].text))
        taken: list[tuple[int, int, _Term]] = []
        for start, length, term, _ in found:
            if any(used[start : start + length]):
                continue
            used[start : start + length] = [True] * length
            taken.append((start, length, term))
        for start, length, term in taken:
            if term.text in self.generic and any(
                set(other.skills) - set(term.skills)
                and _qualifies(tokens, clauses, start, other_start)
                for other_start, _, other in taken
            ):
                continue
            self._credit(term, 1.0, length, scores, evidence)
        for index, token in enumerate(tokens):
            if used[index] or denied[index] != negated or others[index]:
                continue
            if len(token) < FUZZY_MIN_LENGTH:
                continue
            if token in self.not_a_skill:
                continue
            best = process.extractOne(
                token,
                self._fuzzy_choices if own is None else self._fuzzy_choices_in(own),
                scorer=fuzz.ratio,
                score_cutoff=FUZZY_CUTOFF,
            )
            if best is not None and best[0][0] == token[0]:
                for term in self._fuzzy_vocabulary[best[0]]:
                    if own is None or term.languages & own:
                        self._credit(term, FUZZY_QUALITY, 1, scores, evidence)
        matches = [
            SkillMatch(self.skills[skill_id], round(score, 3), tuple(evidence[skill_id]))
            for skill_id, score in scores.items()
        ]
        return sorted(matches, key=lambda match: (-match.score, match.skill.id))

    def _candidates(self, token: str, keys: Iterable[str]) -> list[_Term]:
        seen: dict[int, _Term] = {}
        for key in sorted(keys):
            for term in self._by_key.get(key, ()):
                if len(term.tokens) == 1 and len(term.tokens[0]) <= 3 and term.tokens[0] != token:
                    continue
                seen[id(term)] = term
        return list(seen.values())

    def _phrase_at(
        self, term: _Term, tokens: Sequence[str], keys: Sequence[frozenset[str]], start: int
    ) -> bool:
        if start + len(term.tokens) > len(keys):
            return False
        # Inside a phrase too, a word listed as no skill counts only as written: "كل ولاد
        # المخيم" (all the camp's kids) is not "كل الولادات" (all the births) by its stem.
        return all(
            tokens[start + offset] == word
            if tokens[start + offset] in self.not_a_skill
            else keys[start + offset] & token_keys(word)
            for offset, word in enumerate(term.tokens)
            if offset > 0
        )

    @staticmethod
    def _credit(
        term: _Term,
        quality: float,
        length: int,
        scores: dict[str, float],
        evidence: dict[str, list[str]],
    ) -> None:
        if not term.skills:
            return
        # A word that several skills share says less about each of them.
        weight = quality * (1.0 + 0.5 * (length - 1)) / len(term.skills)
        for skill_id in term.skills:
            scores[skill_id] += weight
            if term.text not in evidence[skill_id]:
                evidence[skill_id].append(term.text)
