# luatorch — the two commands a user needs are `make demo` and `make test`.
# Every target installs what is missing first and is quick when nothing is.
SHELL := /bin/bash
ROOT := $(CURDIR)
VENV := $(ROOT)/.venv
PY := $(VENV)/bin/python
BUILD := $(ROOT)/lua_server/build
LISTEN ?= tcp://127.0.0.1:5555
CONNECTION_FILE ?= $(HOME)/luatorch.json

.PHONY: all deps venv shim demo test lint lua-spec server bench clean

all: shim

# Debian packages: LuaJIT and libzmq (the server reaches libzmq through LuaJIT's FFI), g++
# for the ATen shim, and the Lua libraries the Torch ecosystem uses (lfs, Penlight, cjson,
# moses), taken from Debian rather than written again.
LUA_DEBS := lua-filesystem lua-penlight lua-cjson lua-moses
deps:
	@if ! command -v luajit >/dev/null || ! command -v g++ >/dev/null || \
	    ! ldconfig -p | grep -q 'libzmq.so.5 ' || \
	    ! luajit -e "require 'lfs'; require 'pl.path'; require 'cjson'; require 'moses'" 2>/dev/null; then \
	  echo "installing luajit, libzmq5, g++ and $(LUA_DEBS) with apt-get"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq luajit libzmq5 g++ make $(LUA_DEBS) >/dev/null; \
	fi

# The venv is rebuilt when the lock changes. A local wheel folder, where the machine has
# one, spares the download of torch.
WHEELS := $(if $(wildcard /opt/wheels/*.whl),--find-links /opt/wheels,)
$(VENV)/.stamp: requirements.lock
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check $(WHEELS) -r requirements.lock
	$(PY) -m pip install -q --disable-pip-version-check --no-deps -e .
	touch $@

venv: $(VENV)/.stamp

# The ATen shim is built against the installed torch, in a folder named after its version,
# so a different torch builds its own copy; config.lua tells the server which one to load.
shim: deps venv
	@$(MAKE) --no-print-directory -f lua_server/aten/shim.mk PY=$(PY) BUILD=$(BUILD)

demo: shim
	$(PY) examples/tutorial.py

server: shim
	lua_server/bin/luatorch-server --listen $(LISTEN) --connection-file $(CONNECTION_FILE)

lint: venv
	$(VENV)/bin/ruff check client bridge tests examples bench

lua-spec: shim
	lua_server/bin/luajit-env lua_server/spec/runner.lua lua_server/spec/*_spec.lua

test: shim lint
	$(PY) -m pytest -q tests

# every row of issue 10's table, each a ratio to a reference measured in the same run
bench: shim
	$(PY) bench/ops.py
	$(PY) bench/latency.py
	$(PY) bench/bulk.py
	$(PY) bench/tutorial.py
	$(PY) bench/clients.py
	$(PY) bench/charrnn_step.py 3 3
	$(PY) bench/convnet_step.py

clean:
	rm -rf $(BUILD)
