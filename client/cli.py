"""Command lines: ``luatorch-server`` (start a server) and ``python -m client`` (a Lua REPL
connected to one)."""

from __future__ import annotations

import argparse
import os
import sys

from . import __name__ as _package

REPL_HELP = """\
A Lua Torch prompt in the terminal: each line you type runs on a luatorch server (an
expression's value is printed, statements just run) and Lua's print output appears here.
Without an ENDPOINT a private local server is started and stopped with the prompt.
Inside Python, `import client; lua = client.connect()` gives you the same server.

examples:
  python -m client                               # private server
  python -m client tcp://127.0.0.1:5555          # a server started with luatorch-server
  python -m client -e "print(torch.randn(2, 2))" # run one chunk and exit
"""


def server_main(argv: list[str] | None = None) -> None:
    """``luatorch-server ARGS``: run the LuaJIT server of this installation with ARGS
    (``--help`` lists them). Needs the server side: a checkout with ``make shim`` done."""
    from .errors import ServerUnavailable
    from .spawn import server_command

    try:
        command = server_command()
    except ServerUnavailable as e:
        sys.exit(f"luatorch-server: {e}")
    args = sys.argv[1:] if argv is None else argv
    os.execv(command[0], command + args)


def _show(values: object) -> None:
    if values is None:
        return
    for value in values if isinstance(values, tuple) else (values,):
        print(str(value))


def repl_main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=f"python -m {_package}", description=REPL_HELP,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("endpoint", nargs="?", help="a running server's ZeroMQ endpoint")
    parser.add_argument("-e", dest="chunk", help="run this Lua chunk and exit")
    args = parser.parse_args(argv)

    from . import LuaTorchError, RemoteError, connect

    try:
        lua = connect(args.endpoint)
    except LuaTorchError as e:
        print(f"{parser.prog}: {e}", file=sys.stderr)
        return 1
    with lua:
        lua.execute("require 'torch'; require 'nn'")
        if args.chunk is not None:
            try:
                _show(lua.eval(args.chunk))
            except RemoteError as e:
                print(f"{type(e).__name__}: {e}", file=sys.stderr)
                return 1
            return 0
        print(f"luatorch server (torch {lua.info.get('torch')}) at {lua.endpoint}; "
              "Ctrl-D to quit")
        while True:
            try:
                line = input("th> ")
            except EOFError:
                print()
                return 0
            except KeyboardInterrupt:
                print()
                continue
            if line.strip():
                try:
                    _show(lua.eval(line))
                except RemoteError as e:
                    print(f"{type(e).__name__}: {e}")
