"""hubbot: the Telegram assistant of the Integration Hubs."""

import os

# Before numpy is first imported: OpenBLAS threads that spin after a matrix product take the
# CPU from the embedding model's own threads (measured: a talent match took 50 ms, not 20).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
# The e5 engine's OpenMP threads spin while they wait for work, by default for long enough to
# take the CPU the event loop and the database need (measured on a busy 2-core machine: 20x the
# CPU per embedding). Passive threads are no answer: woken for every sentence, two of them took
# 20 ms and 26 ms of CPU for one short sentence, one alone 17 ms. A short spin keeps both cores'
# speed for the sentence itself (10 ms, 20 ms of CPU) and lets them sleep right after.
os.environ.setdefault("GOMP_SPINCOUNT", "10000")
