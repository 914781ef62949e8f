"""Intent classifier: linear SVM on [char n-gram TF-IDF of the text | dense sentence features].

Why not Rasa's LogisticRegressionClassifier: it fixes C=1 and class_weight=balanced, takes
raw CountVectors counts (no idf / sublinear tf) and lbfgs needs ~60-90 s on ~70k char
n-gram features; measured on the held-out set it is 5-8 points worse than this component.

What it does:
  * char_wb n-gram TF-IDF (sublinear tf) of the *normalised* text (see
    `components.e5_featurizer.normalize_text`) - computed here, so no CountVectorsFeaturizer
    is needed in the pipeline;
  * hstack with the message's dense sentence features for TEXT (e.g. E5Featurizer), scaled
    by `dense_weight`;
  * LinearSVC (one-vs-rest, C configurable; trains in ~3 s vs ~65 s for lbfgs LR at the
    same accuracy); confidences = softmax(softmax_scale * margins), a monotone score that
    the FallbackClassifier threshold is tuned against (see config.yml);
  * a quick path: a second LinearSVC on the character n-grams alone. When its top margin over
    the runner-up is at least `quick_margin`, its answer is taken and the dense features are
    never computed (with an on-demand featurizer, e.g. E5Featurizer `on_demand: true`); the
    others go through the full model. `quick_margin: null` turns the quick path off.

Persisted with joblib in the model storage.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Text, Type

import numpy as np
from components.e5_featurizer import ON_DEMAND, normalize_text
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers import LABEL_RANKING_LENGTH
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from scipy.sparse import csr_matrix, hstack

logger = logging.getLogger(__name__)

_FILE = "char_e5_classifier.joblib"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class CharE5Classifier(IntentClassifier, GraphComponent):
    """Linear SVM over char TF-IDF + dense sentence embeddings."""

    @classmethod
    def required_components(cls) -> List[Type]:
        return []

    @staticmethod
    def required_packages() -> List[Text]:
        return ["sklearn", "joblib"]

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            "analyzer": "char_wb",
            "min_ngram": 2,
            "max_ngram": 5,
            "normalize": True,
            "dense_weight": 1.5,
            "C": 1.0,
            "class_weight": None,
            "softmax_scale": 5.0,
            "random_state": 42,
            "ranking_length": LABEL_RANKING_LENGTH,
            "quick_margin": None,
        }

    def __init__(
        self,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        vectorizer: Any = None,
        clf: Any = None,
        quick: Any = None,
    ) -> None:
        self.config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self.vectorizer = vectorizer
        self.clf = clf
        self.quick = quick

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "CharE5Classifier":
        return cls(config, model_storage, resource)

    # ------------------------------------------------------------------ features
    def _X(self, messages: List[Message], chars=None):
        texts = [m.get(TEXT) or "" for m in messages]
        blocks = [self.vectorizer.transform(texts) if chars is None else chars]
        for m in messages:
            add_features = m.get(ON_DEMAND)
            if add_features is not None and m.get_dense_features(TEXT)[1] is None:
                add_features()
        dense = []
        for m in messages:
            _, sent = m.get_dense_features(TEXT)
            dense.append(None if sent is None else np.asarray(sent.features).reshape(-1))
        if any(d is not None for d in dense):
            dim = next(d.shape[0] for d in dense if d is not None)
            D = np.vstack([d if d is not None else np.zeros(dim) for d in dense])
            blocks.append(csr_matrix(D * float(self.config["dense_weight"])))
        return hstack(blocks).tocsr()

    # ------------------------------------------------------------------ training
    def train(self, training_data: TrainingData) -> Resource:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.svm import LinearSVC

        examples = [e for e in training_data.intent_examples if e.get(INTENT) and e.get(TEXT)]
        if not examples:
            logger.debug("CharE5Classifier: no intent examples, skipping training.")
            return self._resource
        y = [e.get(INTENT) for e in examples]
        self.vectorizer = TfidfVectorizer(
            analyzer=self.config["analyzer"],
            ngram_range=(self.config["min_ngram"], self.config["max_ngram"]),
            sublinear_tf=True,
            lowercase=True,
            preprocessor=normalize_text if self.config["normalize"] else None,
        )
        self.vectorizer.fit([e.get(TEXT) for e in examples])
        X = self._X(examples)
        svm = LinearSVC(
            C=self.config["C"],
            class_weight=self.config["class_weight"],
            random_state=self.config["random_state"],
        )
        self.clf = svm.fit(X, y)
        if self.config["quick_margin"] is not None:
            chars = X[:, : len(self.vectorizer.vocabulary_)]
            self.quick = LinearSVC(
                C=self.config["C"],
                class_weight=self.config["class_weight"],
                random_state=self.config["random_state"],
            ).fit(chars, y)
        self.persist()
        return self._resource

    # ------------------------------------------------------------------ inference
    def process(self, messages: List[Message]) -> List[Message]:
        if self.clf is None:
            return messages
        todo = [m for m in messages if m.get(TEXT)]
        if not todo:
            return messages
        chars = self.vectorizer.transform([m.get(TEXT) for m in todo])
        scores = np.zeros((len(todo), len(self.clf.classes_)))
        undecided = np.ones(len(todo), dtype=bool)
        if self.quick is not None and self.config["quick_margin"] is not None:
            quick = self.quick.decision_function(chars)
            top_two = np.sort(quick, axis=1)[:, -2:]
            undecided = top_two[:, 1] - top_two[:, 0] < float(self.config["quick_margin"])
            scores[~undecided] = quick[~undecided]
        if undecided.any():
            rows = np.flatnonzero(undecided)
            full = [todo[i] for i in rows]
            scores[rows] = self.clf.decision_function(self._X(full, chars[rows]))
        s = scores * float(self.config["softmax_scale"])
        s = np.exp(s - s.max(axis=1, keepdims=True))
        probs = s / s.sum(axis=1, keepdims=True)
        classes = list(self.clf.classes_)
        for m, p in zip(todo, probs):
            ranking = sorted(
                ({"name": c, "confidence": float(v)} for c, v in zip(classes, p)),
                key=lambda r: -r["confidence"],
            )
            m.set(INTENT, ranking[0], add_to_output=True)
            n = self.config["ranking_length"]
            m.set("intent_ranking", ranking[:n] if n and n > 0 else ranking, add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    # ------------------------------------------------------------------ persistence
    def persist(self) -> None:
        import joblib

        with self._model_storage.write_to(self._resource) as model_dir:
            joblib.dump(
                {"vectorizer": self.vectorizer, "clf": self.clf, "quick": self.quick},
                model_dir / _FILE,
            )

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> "CharE5Classifier":
        import joblib

        try:
            with model_storage.read_from(resource) as model_dir:
                obj = joblib.load(model_dir / _FILE)
            return cls(
                config, model_storage, resource, obj["vectorizer"], obj["clf"], obj.get("quick")
            )
        except (ValueError, FileNotFoundError):
            logger.debug("CharE5Classifier: no trained model found, creating a blank one.")
            return cls.create(config, model_storage, resource, execution_context)
