"""Limits on how often something may happen (a failed share-link look-up, a sign-up),
counted in the ``shared`` cache (the database) so that every process and machine of the
app counts the same events, and counted atomically: of 40 requests at once against a
limit of 20, exactly 20 get through.

A counter read, raised and written back lets every request that read it before the
first write through. Here each event takes one of ``limit`` numbered slots instead, with
``cache.add``, which stores a key only if it is absent: an insert into the cache table,
whose primary key lets exactly one of two simultaneous inserts of a key succeed. The
slots belong to a fixed window (its number is in their keys), so a key is never reused
once expired, where ``add`` would overwrite without that guarantee.
"""

from __future__ import annotations

import dataclasses
import math
import time

from django.core.cache import caches


@dataclasses.dataclass(frozen=True)
class Limit:
    scope: str  # what is counted: "share-failures", "signup-address"
    limit: int  # events per window
    window_seconds: int

    def _keys(self, ident: str, now: float) -> list[str]:
        window = int(now // self.window_seconds)
        return [f"{self.scope}:{ident}:{window}:{slot}" for slot in range(self.limit)]

    def take(self, ident: str) -> Slot | None:
        """Count one event for ``ident``: its slot, or None when the window's ``limit``
        events were counted already (and then nothing is counted)."""
        cache, now = caches["shared"], time.time()
        keys = self._keys(ident, now)
        # One query finds the slots taken; the adds settle the races for the others.
        taken = cache.get_many(keys)
        timeout = max(1, math.ceil(self.seconds_left(now)))
        for key in keys:
            if key not in taken and cache.add(key, 1, timeout):
                return Slot(key)
        return None

    def is_full(self, ident: str) -> bool:
        return len(caches["shared"].get_many(self._keys(ident, time.time()))) >= self.limit

    def seconds_left(self, now: float | None = None) -> float:
        """Until the current window ends (and its count with it)."""
        now = time.time() if now is None else now
        return self.window_seconds - now % self.window_seconds


@dataclasses.dataclass(frozen=True)
class Slot:
    key: str

    def give_back(self) -> None:
        """Un-count the event: it turned out not to be one (a share-link look-up that
        found its link), or not to happen (a sign-up form with errors)."""
        caches["shared"].delete(self.key)
