-- torch.test([tests]): Torch7 runs its tensor library's own unit tests with this call. Torch7
-- installed test/test.lua inside the torch package, and that file defines torch.test itself.
-- This runtime does not ship it: torch.test loads it from $TORCH_TEST_FILE (or from the module
-- path as `torch.testsuite`), lets it redefine torch.test, and runs it unchanged.
local torch = require "torch.env"

local function locate()
  local path = os.getenv("TORCH_TEST_FILE")
  if path and path ~= "" then return path end
  return package.searchpath and package.searchpath("torch.testsuite", package.path) or nil
end

function torch.test(...)
  local path = locate()
  if not path then
    error("torch.test: torch7's test/test.lua is not part of this runtime; set TORCH_TEST_FILE " ..
      "to its path (or install it as torch/testsuite.lua on the module path)", 2)
  end
  local placeholder = torch.test
  dofile(path)  -- redefines torch.test
  if torch.test == placeholder then error("torch.test: " .. path .. " did not define torch.test", 2) end
  return torch.test(...)
end
