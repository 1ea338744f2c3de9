# Builds lua_server/build/torch-<version>/libluatorch_aten.so and build/config.lua.
TORCH_DIR := $(shell $(PY) -c "import importlib.util as u, os; print(os.path.dirname(u.find_spec('torch').origin))")
TORCH_VERSION := $(shell $(PY) -c "import importlib.metadata as m; print(m.version('torch'))")
OUT := $(BUILD)/torch-$(TORCH_VERSION)
LIB := $(OUT)/libluatorch_aten.so
SRC := lua_server/aten/shim.cpp lua_server/aten/mt19937.cpp lua_server/aten/objects.cpp lua_server/aten/small_ops.cpp \
  lua_server/aten/tensor_pool.cpp lua_server/aten/blob.cpp lua_server/aten/shared_memory.cpp
HEADERS := lua_server/aten/lt_tensor.h lua_server/aten/blob.h
# On a CUDA build, -ltorch pulls in libtorch_cuda so the CUDA backend registers.
LIBS := -ltorch_cpu -lc10 $(if $(wildcard $(TORCH_DIR)/lib/libtorch_cuda.so),-ltorch -ltorch_cuda -lc10_cuda,)

all: $(BUILD)/config.lua

$(LIB): $(SRC) $(HEADERS)
	mkdir -p $(OUT)
	g++ -O2 -std=c++20 -fPIC -shared $(SRC) -o $@ \
	  -I$(TORCH_DIR)/include -L$(TORCH_DIR)/lib $(LIBS) -Wl,-rpath,$(TORCH_DIR)/lib \
	  -Wl,--no-as-needed -D_GLIBCXX_USE_CXX11_ABI=1

$(BUILD)/config.lua: $(LIB)
	printf 'return {\n  aten_lib = "%s",\n  torch_version = "%s",\n}\n' "$(LIB)" "$(TORCH_VERSION)" > $@
