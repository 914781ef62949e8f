"""hubbot: the Telegram assistant of the Integration Hubs."""

import os

# Before numpy is first imported: OpenBLAS threads that spin after a matrix product take the
# CPU from the embedding model's own threads (measured: a talent match took 50 ms, not 20).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
# The e5 engine's OpenMP threads otherwise spin while they wait, taking the CPU the event loop
# and the database need (measured on a busy 2-core machine: 20x the CPU per embedding).
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
