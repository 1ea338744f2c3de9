"""Display, completion, help and AttributeError: proxies that feel native in IPython."""

from __future__ import annotations

import pydoc

import numpy as np
import pytest

IPython = pytest.importorskip("IPython")
from IPython.core.completer import provisionalcompleter  # noqa: E402
from IPython.core.interactiveshell import InteractiveShell  # noqa: E402


class RequestCounter:
    """Counts the requests a connection sends (``requests_sent``, which every send adds to)."""

    def __init__(self, lua, monkeypatch) -> None:
        self.lua, self.start = lua, lua.requests_sent

    @property
    def count(self) -> int:
        return self.lua.requests_sent - self.start

    @count.setter
    def count(self, value: int) -> None:
        self.start = self.lua.requests_sent - value


@pytest.fixture(scope="module")
def shell():
    return InteractiveShell.instance()


def completions(shell, text: str) -> list[str]:
    with provisionalcompleter():
        return [c.text for c in shell.Completer.completions(text, len(text))]


def test_ipython_completer_lists_lua_methods_fields_and_classes(lua, nn, torch, shell):
    lin = nn.Linear(3, 2)
    net = nn.Sequential()
    net.add(lin)
    shell.user_ns.update(lin=lin, net=net, nn=nn, torch=torch)
    assert "weight" in completions(shell, "lin.we")
    assert "forward" in completions(shell, "net.forw")
    assert "Linear" in completions(shell, "nn.Lin")
    assert {"rand", "randn"} <= set(completions(shell, "torch.ran"))


def test_dir_is_the_lua_class_chain_and_the_objects_fields(lua, nn, torch):
    names = dir(nn.Linear(3, 2))
    for name in ("forward", "backward", "zeroGradParameters", "weight", "gradBias", "call_method"):
        assert name in names
    t = torch.Tensor(2)
    assert {"fill", "size", "narrow", "numpy", "tolist"} <= set(dir(t))


def test_class_methods_are_asked_for_once_per_class(lua, torch, monkeypatch):
    a, b = torch.FloatTensor(2), torch.FloatTensor(3)
    dir(a)
    counter = RequestCounter(lua, monkeypatch)
    assert "fill" in dir(b)
    assert counter.count == 0  # a tensor has no fields of its own: nothing to ask


def test_misspelled_names_raise_attribute_error_with_a_suggestion(lua, nn):
    lin = nn.Linear(3, 2)
    with pytest.raises(AttributeError, match="did you mean 'weight'"):
        lin.wieght  # noqa: B018
    with pytest.raises(AttributeError, match="did you mean 'forward'"):
        lin.froward(np.zeros(3))
    assert not hasattr(lin, "no_such_thing")
    assert hasattr(lin, "weight") and hasattr(lin, "forward")
    assert getattr(lin, "missing", 42) == 42
    with pytest.raises(AttributeError, match="did you mean 'Linear'"):
        nn.Linaer  # noqa: B018


def test_display_is_torch7_text_in_one_request(lua, nn, torch, shell, monkeypatch):
    net = nn.Sequential()
    net.add(nn.Linear(3, 4))
    net.add(nn.Tanh())
    t = torch.range(1, 6).resize(2, 3)
    counter = RequestCounter(lua, monkeypatch)
    data, _ = shell.display_formatter.format(net)
    assert counter.count == 1
    assert data["text/plain"] == str(net)
    assert data["text/plain"].startswith("nn.Sequential {\n  [input -> (1) -> (2) -> output]")
    assert "<pre>" in data["text/html"] and "nn.Linear(3 -&gt; 4)" in data["text/html"]
    counter.count = 0
    data, _ = shell.display_formatter.format(t)
    assert counter.count == 1
    assert data["text/plain"] == " 1  2  3\n 4  5  6\n[torch.DoubleTensor of size 2x3]\n"


def test_ipython_probes_are_answered_without_the_server(lua, nn, monkeypatch):
    lin = nn.Linear(2, 2)
    counter = RequestCounter(lua, monkeypatch)
    for name in ("_repr_html_", "_repr_png_", "_ipython_canary_method_should_not_exist_",
                 "_ipython_display_", "__array_interface__", "_repr_latex_"):
        assert getattr(lin, name, None) is None
    assert counter.count == 0


def test_large_tensors_display_their_first_rows_and_true_size(lua, torch):
    big = torch.zeros(500, 40)
    text = big._repr_mimebundle_()["text/plain"]
    assert text.endswith("... the first 25 of 500 along dimension 1 (print() shows all)\n"
                         "[torch.DoubleTensor of size 500x40]")
    assert len(text) < 8000 < len(str(big))
    vector = torch.range(1, 100)
    shown = vector._repr_mimebundle_()["text/plain"]
    assert shown.startswith("  1\n  2\n") and "\n 20\n... the first 20 of 100" in shown


def test_help_shows_the_lua_class_parents_and_methods(lua, nn, torch):
    lin = nn.Linear(3, 2)
    text = pydoc.render_doc(lin, renderer=pydoc.plaintext)
    assert "Lua nn.Linear (a subclass of nn.Module)" in text
    assert "forward" in text and "weight" in text
    method = pydoc.render_doc(torch.Tensor(2).fill, renderer=pydoc.plaintext)
    assert "torch.DoubleTensor:fill(...), a Lua method" in method
    assert "nn.Module at nn/Module.lua:" in lin.forward.__doc__
    assert "Linear.lua" in lin.updateOutput.__doc__


def test_plain_torch_class_classes_are_callable_from_python(lua):
    lua.execute("""
      torch.class('Greeter')
      function Greeter:__init(name) self.name = name end
      function Greeter:greet(greeting) return greeting .. ', ' .. self.name end
    """)
    greeter = lua.globals.Greeter("Ada")
    assert greeter.greet("Hello") == "Hello, Ada"
    assert greeter.name == "Ada"
    assert "greet" in dir(greeter)


def test_a_closed_connection_still_displays_and_completes(nn):
    import client

    other = client.connect()
    lin = other.require("nn").Linear(2, 2)
    other.close()
    assert "(this connection is closed)" in lin._repr_mimebundle_()["text/plain"]
    assert "call_method" in dir(lin)
