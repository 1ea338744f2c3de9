-- Run a small kernel on one thread. ATen's kernels (and the BLAS under them) wake their
-- thread pool even for a few hundred elements; on a 2-core machine with other work the
-- wake-up costs 100-1000x the kernel (nn.LogSoftMax's backward on 10x29: 3.5 ms against
-- 4 us). Torch7's TH only went parallel above 100k elements, OpenBLAS above 2^18
-- multiply-adds. The caller's thread setting is restored, also when the kernel fails.
local aten = require "aten"

local C = aten.C
local pcall, error = pcall, error

local M = {}

-- fn(...) on one thread when work < limit; otherwise as torch.setnumthreads says
function M.run(work, limit, fn, ...)
  if work >= limit then return fn(...) end
  local threads = C.lt_get_num_threads()
  if threads <= 1 then return fn(...) end
  C.lt_set_num_threads(1)
  local ok, err = pcall(fn, ...)
  C.lt_set_num_threads(threads)
  if not ok then error(err, 0) end
end

return M
