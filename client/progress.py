"""A progress bar for long loops: tqdm's (notebook widget or terminal) where tqdm is
installed, otherwise one line of text redrawn in place."""

from __future__ import annotations

import importlib.util
import sys
import time
from collections.abc import Iterable, Iterator
from typing import Any

REDRAW_S = 0.2
WIDTH = 30


class TextProgress:
    """``[#########.........]  120/400 6.1 it/s``, redrawn with a carriage return."""

    def __init__(self, iterable: Iterable | None = None, total: int | None = None, desc: str = "") -> None:
        self.iterable = iterable
        self.total = total if total is not None else len(iterable)  # type: ignore[arg-type]
        self.desc = f"{desc}: " if desc else ""
        self.n = 0
        self.start = time.monotonic()
        self.drawn = 0.0

    def __iter__(self) -> Iterator[Any]:
        for item in self.iterable or ():
            yield item
            self.update()
        self.close()

    def update(self, n: int = 1) -> None:
        self.n += n
        now = time.monotonic()
        if now - self.drawn >= REDRAW_S or self.n >= self.total:
            self.drawn = now
            self._draw(now)

    def _draw(self, now: float) -> None:
        done = int(WIDTH * self.n / self.total) if self.total else WIDTH
        rate = self.n / max(now - self.start, 1e-9)
        sys.stdout.write(f"\r{self.desc}[{'#' * done}{'.' * (WIDTH - done)}] "
                         f"{self.n}/{self.total} {rate:.1f} it/s")
        sys.stdout.flush()

    def close(self) -> None:
        if self.drawn == 0.0 or self.n < self.total:
            self._draw(time.monotonic())
        sys.stdout.write("\n")
        sys.stdout.flush()


def has_tqdm() -> bool:
    """Whether tqdm is installed, so bars are tqdm's (a notebook widget or terminal bar)."""
    return importlib.util.find_spec("tqdm") is not None


def progress(iterable: Iterable | None = None, total: int | None = None, desc: str = "") -> Any:
    """Iterate with a progress bar: ``for step in client.progress(range(2400)): ...``."""
    try:
        from tqdm.auto import tqdm
    except ImportError:
        return TextProgress(iterable, total, desc)
    return tqdm(iterable, total=total, desc=desc)
