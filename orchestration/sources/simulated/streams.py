"""Random streams keyed by (seed, day, label): the only source of randomness.

Each stream is ``numpy.random.default_rng([seed, day.toordinal(), crc32(label)])``. Keying by
the day (not by a running generator) is what makes a day independent of every other call;
keying by a label per dataset and instrument means adding a venue or a dataset never shifts
another one's draws. ``zlib.crc32`` is stable across processes, unlike Python's salted
``hash()``.
"""

from __future__ import annotations

import zlib
from datetime import date

import numpy as np


def label_id(label: str) -> int:
    """A process-stable 32-bit id for a stream label."""
    return zlib.crc32(label.encode("utf-8"))


def stream(seed: int, day: date, label: str) -> np.random.Generator:
    """The generator of one labelled stream on one day (e.g. ``premium/binance/ETH/USDT:USDT``)."""
    return np.random.default_rng([seed, day.toordinal(), label_id(label)])
