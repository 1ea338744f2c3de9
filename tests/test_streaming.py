"""Lua's print reaches Python while the call runs (PROTOCOL.md 2.3), not with the reply."""

from __future__ import annotations

import io
import re
import sys
import time


class Stamped(io.StringIO):
    """sys.stdout that remembers when each piece of text arrived."""

    def __init__(self) -> None:
        super().__init__()
        self.arrivals: list[tuple[float, str]] = []

    def write(self, text: str) -> int:
        self.arrivals.append((time.monotonic(), text))
        return super().write(text)


def test_print_arrives_while_the_call_runs(lua, monkeypatch):
    out = Stamped()
    monkeypatch.setattr(sys, "stdout", out)
    lua.execute("""
      print('started', 1)
      local timer = torch.Timer()
      while timer:time().real < 0.8 do end
      io.write('progress 50%\\r')
      while timer:time().real < 1.6 do end
      print('finished')
    """)
    returned = time.monotonic()
    assert out.getvalue() == "started\t1\nprogress 50%\rfinished\n"
    started, progress = out.arrivals[0][0], out.arrivals[1][0]
    assert returned - started >= 1.2  # the first line came long before the reply
    assert returned - progress >= 0.5


def test_output_of_a_failing_call_and_of_callbacks_streams_too(lua, capsys):
    from client import RemoteError

    try:
        lua.execute("print('before the error'); error('stop', 0)")
    except RemoteError:
        pass
    run = lua.eval("function(f) print('lua says', f(20)) end")
    run(lambda x: print("python says", x) or x + 1)
    assert capsys.readouterr().out == "before the error\npython says 20\nlua says\t21\n"


def test_lua_progress_draws_a_progress_bar(lua, capsys):
    lua.execute("""
      local stream = require 'server.stream'
      for i = 1, 40 do stream.progress(i, 40) end
      print('trained')
    """)
    out = capsys.readouterr().out
    last_drawn = out.rsplit("\r", 1)[1]
    assert re.fullmatch(r"\[#{30}\] 40/40 [\d.]+ it/s\ntrained\n", last_drawn), last_drawn
