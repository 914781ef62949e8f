"""`hubbot eval nlu` reports plain and hard held-out phrasings apart, against issue 4's targets."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from bot.measure import LanguageScore, read_held_out, score, score_table, verdict


def _write(path: Path, intent: str, lines: list[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    examples = "".join(f"    - {line}\n" for line in lines)
    path.write_text(
        f'version: "3.1"\nnlu:\n- intent: {intent}\n  examples: |\n{examples}', encoding="utf-8"
    )


def test_held_out_sets_are_read_by_kind_and_language(tmp_path: Path) -> None:
    _write(tmp_path / "de" / "test_plain.yml", "greet", ["Hallo", "Guten Tag"])
    _write(tmp_path / "de" / "test_nlu.yml", "greet", ["hallöchen ihr lieben"])
    _write(tmp_path / "ar" / "test_nlu.yml", "thanks", ["shukran ktir"])

    held_out = read_held_out(tmp_path)

    assert [e.text for e in held_out["plain"]["de"]] == ["Hallo", "Guten Tag"]
    assert "ar" not in held_out["plain"]
    assert [e.intent for e in held_out["hard"]["ar"]] == ["thanks"]


def test_a_fallback_counts_as_wrong() -> None:
    scores, confused = score({"de": [("greet", "greet"), ("housing", "nlu_fallback")]})

    assert scores[0].accuracy == 0.5
    assert confused[("housing", "nlu_fallback")] == 1


def test_verdict_needs_every_language_over_the_target_and_a_small_spread() -> None:
    good = [LanguageScore("ar", 10, 0.93, 0.9), LanguageScore("de", 10, 0.96, 0.9)]
    low = [LanguageScore("ar", 10, 0.91, 0.9), LanguageScore("de", 10, 0.99, 0.9)]
    wide = [LanguageScore("ar", 10, 0.97, 0.9), LanguageScore("de", 10, 1.0, 0.9)]

    assert verdict("hard", good).endswith("met)") and "NOT" not in verdict("hard", good)
    assert "NOT met" in verdict("hard", low)
    assert "NOT met" in verdict("plain", [*wide, LanguageScore("fr", 10, 0.955, 0.9)])


def test_the_table_puts_each_model_and_kind_side_by_side_per_language() -> None:
    hubbot = [LanguageScore("ar", 189, 0.963, 0.971), LanguageScore("de", 187, 0.989, 0.986)]
    default = [LanguageScore("ar", 189, 0.905, 0.9)]
    table = score_table(
        {("hubbot", "plain"): (hubbot, Counter()), ("rasa default", "plain"): (default, Counter())}
    ).splitlines()
    assert "hubbot plain" in table[0] and "rasa default plain" in table[0]
    assert table[2].split() == ["ar", "0.963", "0.971", "189", "0.905", "0.900", "189"]
    assert table[3].split() == ["de", "0.989", "0.986", "187", "–"], "no baseline reading"
