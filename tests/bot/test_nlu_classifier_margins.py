"""The NLU classifier scores a parsed message exactly as the sklearn models it was fitted as.

It runs in the NLU environment (`.venv-nlu`), where the component lives: the app never
imports rasa. Parsing computes TF-IDF and SVM margins from plain arrays for speed, so a
difference here would change intents and confidences without any other test noticing.
"""

from __future__ import annotations

import subprocess

from bot.config import Settings

CHECK = r"""
import numpy as np
from scipy.sparse import csr_matrix, hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.svm import LinearSVC
from components.char_e5_classifier import _Margins
from components.e5_featurizer import normalize_text

texts = [
    "wo kann ich deutsch lernen", "ich suche eine wohnung", "where is the hub",
    "محتاج شقة صغيرة", "وين في دورة لغة المانية", "کلاس زبان آلمانی کجاست",
    "шукаю квартиру", "где курсы немецкого", "iş arıyorum", "je cherche un logement",
    "salam 3ndi mushkila m3a l wohnung", "hallo", "help me with my CV please",
]
intents = ["language_course", "housing", "hub_info", "housing", "language_course",
           "language_course", "housing", "language_course", "job_support", "housing",
           "housing", "greet", "job_support"]
vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True,
                             lowercase=True, preprocessor=normalize_text).fit(texts)
rng = np.random.default_rng(7)
dense = rng.normal(size=(len(texts), 8))
chars = vectorizer.transform(texts)
full = LinearSVC().fit(hstack([chars, csr_matrix(dense * 1.5)]).tocsr(), intents)
quick = LinearSVC().fit(chars, intents)
margins = _Margins(vectorizer, full, quick, 1.5)

unseen = ["ich brauche eine wohnung", "دورة المانية", "", "😀 🙏", "x" * 5000, "курсы"]
for batch in (unseen, unseen[:1], texts):
    expected = vectorizer.transform(batch)
    got = margins.tfidf(batch)
    assert abs(expected - got).max() < 1e-12 if expected.nnz else got.nnz == 0, batch
    assert np.allclose(quick.decision_function(expected), margins.quick(got), atol=1e-12)
    extra = rng.normal(size=(len(batch), 8))
    assert np.allclose(
        full.decision_function(hstack([expected, csr_matrix(extra * 1.5)]).tocsr()),
        margins.full(got, extra),
        atol=1e-12,
    )
print("same")
"""


def test_array_margins_equal_sklearn_on_seen_unseen_and_odd_texts() -> None:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    python = settings.nlu_venv / "bin" / "python"
    assert python.exists(), f"{python} is missing: run `make install`"
    result = subprocess.run(
        [str(python), "-c", CHECK],
        cwd=settings.nlu_data_dir,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip() == "same"
