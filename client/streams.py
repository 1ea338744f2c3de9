"""``stream`` messages (PROTOCOL.md 2.6): what Lua prints while a call runs, written out at
once, and progress reported by Lua loops, drawn as a progress bar (tqdm's where installed)."""

from __future__ import annotations

import sys
from typing import Any

from .progress import has_tqdm, progress

_bars: dict[Any, Any] = {}  # request id -> the progress bar Lua is advancing


def received(message: dict) -> None:
    name = message.get("name")
    if name == "progress":
        _advance(message)
        return
    text = message.get("text")
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    if isinstance(text, str):
        out = sys.stderr if name == "stderr" else sys.stdout
        out.write(text)
        out.flush()


def _advance(message: dict) -> None:
    current, total = message.get("current"), message.get("total")
    if not (isinstance(current, int) and isinstance(total, int)) or total <= 0:
        return
    text = message.get("text")
    if isinstance(text, (str, bytes)) and not has_tqdm():
        # the loop's own drawing (Torch7's xlua.progress bar), as a terminal would show it
        received({"name": "stdout", "text": text})
        return
    request = message.get("request")
    bar = _bars.get(request)
    if bar is None or current < bar.n:  # a new loop in the same request starts a new bar
        if bar is not None:
            bar.close()
        bar = _bars[request] = progress(total=total)
    bar.update(min(current, total) - bar.n)
    if current >= total:
        bar.close()
        del _bars[request]
