"""``python -m client``: a Lua Torch prompt connected to a luatorch server (``--help``)."""

import sys

from .cli import repl_main

sys.exit(repl_main())
