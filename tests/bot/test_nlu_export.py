"""Annotated examples become reviewable Rasa training files; held-out tests never do."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from bot.config import Settings
from bot.nlu_export import ExampleRefused, Labelled, NluData, export
from bot.nlu_model import ensure_model, input_hash, model_paths
from bot.services.intent_search import read_examples

TINY = Path(__file__).resolve().parents[1] / "tiny_nlu"


@pytest.fixture
def nlu_dir(tmp_path: Path) -> Path:
    """Return a copy of the tiny NLU project to write into."""
    return Path(shutil.copytree(TINY, tmp_path / "nlu_data"))


def _annotated(nlu_dir: Path, language: str) -> dict[str, list[str]]:
    document = yaml.safe_load((nlu_dir / "data" / language / "annotated.yml").read_text("utf-8"))
    assert document["version"] == "3.1"
    return {
        block["intent"]: [line.removeprefix("- ") for line in block["examples"].splitlines()]
        for block in document["nlu"]
    }


def test_examples_are_written_sorted_by_intent_and_text(nlu_dir: Path) -> None:
    report = export(
        nlu_dir,
        [
            Labelled("Zimmer   in Neukölln?\n", "de", "housing"),
            Labelled("brauche hilfe beim jobcenter", "de", "job_support"),
            Labelled("alle wohnungen sind zu teuer", "de", "housing"),
        ],
    )
    assert len(report.written) == 3 and not report.refused
    assert _annotated(nlu_dir, "de") == {
        "housing": ["alle wohnungen sind zu teuer", "Zimmer in Neukölln?"],
        "job_support": ["brauche hilfe beim jobcenter"],
    }
    # Rasa's own reader and hubbot's fallback search both see them.
    trained = {(e.text, e.intent) for e in read_examples(nlu_dir / "data" / "de")}
    assert ("brauche hilfe beim jobcenter", "job_support") in trained


def test_known_sentences_are_not_repeated_and_the_newest_label_wins(nlu_dir: Path) -> None:
    export(nlu_dir, [Labelled("wohnung im wedding", "de", "language_course")])
    report = export(
        nlu_dir,
        [
            Labelled("Ich suche eine Wohnung", "de", "housing"),  # in nlu.yml, other case
            Labelled("Wohnung im Wedding", "de", "housing"),  # relabelled
            Labelled("wohnung im wedding", "de", "housing"),  # the same again
        ],
    )
    assert [example.text for example in report.already_trained] == [
        "Ich suche eine Wohnung",
        "wohnung im wedding",
    ]
    assert _annotated(nlu_dir, "de") == {"housing": ["Wohnung im Wedding"]}


def test_a_held_out_utterance_is_refused_with_a_reason(nlu_dir: Path) -> None:
    data = NluData(nlu_dir)
    with pytest.raises(ExampleRefused) as refused:
        # The held-out Arabic test, typed with another alef and a question mark's space.
        data.check(text="وين في دورة لغة ألمانية", language="ar", intent="language_course")
    assert "held-out" in str(refused.value)
    report = export(nlu_dir, [Labelled("وين في دورة لغة المانية", "ar", "language_course")])
    assert report.refused and not report.written
    assert not (nlu_dir / "data" / "ar" / "annotated.yml").exists()


@pytest.mark.parametrize(
    ("text", "language", "intent", "reason"),
    [
        ("ich suche eine wohnung", "de", "language_course", "already has this sentence"),
        ("hola necesito piso", "es", "housing", "no NLU training data"),
        ("wohnung", "de", "Housing!", "intent name"),
        ("[Berlin](city) wohnung", "de", "housing", "markup"),
        ("   ", "de", "housing", "no text"),
    ],
)
def test_examples_that_cannot_be_trained_are_refused(
    nlu_dir: Path, text: str, language: str, intent: str, reason: str
) -> None:
    with pytest.raises(ExampleRefused) as refused:
        NluData(nlu_dir).check(text=text, language=language, intent=intent)
    assert reason in str(refused.value)


def test_dari_goes_to_the_persian_folder_and_intents_include_new_ones(nlu_dir: Path) -> None:
    (nlu_dir / "data" / "fa").mkdir()
    export(nlu_dir, [Labelled("خانه میخواهم", "prs", "housing_new")])
    assert _annotated(nlu_dir, "fa") == {"housing_new": ["خانه میخواهم"]}
    assert NluData(nlu_dir).intents == ["housing", "housing_new", "language_course"]


def test_the_model_hash_changes_with_an_export(nlu_dir: Path) -> None:
    before = input_hash(nlu_dir)
    export(nlu_dir, [Labelled("kein platz in der wohnung", "de", "housing")])
    assert input_hash(nlu_dir) != before
    settings = Settings(nlu_data_dir=nlu_dir, _env_file=None)  # type: ignore[call-arg]
    assert model_paths(settings).name == f"nlu-{input_hash(nlu_dir)}"


def test_a_model_is_trained_once_per_set_of_inputs(nlu_dir: Path, tmp_path: Path) -> None:
    """`make run`, `make test` and CI train only when nlu_data/ changed; the cache is reused."""
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    trained = tmp_path / "trained.log"
    rasa = venv / "bin" / "rasa"
    # A stand-in for `rasa train nlu ... --out DIR --fixed-model-name NAME`: it notes the call
    # and writes the model file where rasa would.
    rasa.write_text(
        "#!/bin/sh\n"
        f'echo "$@" >> {trained}\n'
        'while [ $# -gt 0 ]; do case "$1" in --out) out=$2;; --fixed-model-name) name=$2;; esac;'
        " shift; done\n"
        'echo model > "$out/$name.tar.gz"\n'
    )
    rasa.chmod(0o755)
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        nlu_data_dir=nlu_dir,
        nlu_venv=venv,
        models_dir=tmp_path / "models",
        nlu_model_cache=tmp_path / "cache",
    )
    first = ensure_model(settings)
    assert first.path.exists() and first.cached.exists()
    assert ensure_model(settings) == first
    shutil.rmtree(settings.models_dir)  # a fresh clone: the model comes from the cache
    assert ensure_model(settings).path.exists()
    assert len(trained.read_text().splitlines()) == 1, "trained once"

    export(nlu_dir, [Labelled("kein platz in der wohnung", "de", "housing")])
    assert ensure_model(settings).name != first.name
    assert len(trained.read_text().splitlines()) == 2, "new inputs, new training"
