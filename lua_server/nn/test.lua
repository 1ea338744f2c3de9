-- nn.test([tests] [, seed]): Torch7 runs nn's own unit tests with this call; the tests live in
-- torch/nn's test.lua, which is not shipped with this runtime. nn.test loads that file when
-- it is on the module path as `nn.testsuite` (or named by $NN_TEST_FILE), and it defines
-- nn.test itself, as it did in Torch7; without it, the call explains where to put it.
nn = nn or {}  -- luacheck: ignore

local function locate()
  local path = os.getenv("NN_TEST_FILE")
  if path and path ~= "" then return path end
  return package.searchpath and package.searchpath("nn.testsuite", package.path) or nil
end

function nn.test(...)
  local path = locate()
  if not path then
    error("nn.test: torch/nn's test.lua is not part of this runtime; set NN_TEST_FILE to its " ..
      "path (or install it as nn/testsuite.lua on the module path)", 2)
  end
  local placeholder = nn.test
  dofile(path)  -- redefines nn.test (and nn.testTHNN)
  if nn.test == placeholder then error("nn.test: " .. path .. " did not define nn.test", 2) end
  return nn.test(...)
end
