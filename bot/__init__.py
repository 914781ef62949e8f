"""hubbot: the Telegram assistant of the Integration Hubs."""

import os

# Before numpy is first imported: OpenBLAS threads that spin after a matrix product take the
# CPU from the embedding model's own threads (measured: a talent match took 50 ms, not 20).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
