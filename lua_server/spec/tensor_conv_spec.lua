-- torch.conv2 / xcorr2 / conv3 / xcorr3 against a hand-derived example and a direct loop
-- reference (the definitions written out), in every form Torch7 has: 'V'/'F', per-plane
-- (3D x 3D) and summed (3D x 4D) kernels, result tensors, methods, integer types, errors.
-- Torch7's own outputs are replayed in tensor_conv_fixtures_spec.
require "torch"

local T = torch.Tensor

local function max_diff(a, b) return (a:double() - b:double()):abs():max() end

-- direct 2-D cross-correlation (flip = convolution), valid or full, on Lua numbers
local function reference2(x, k, full, flip)
  local m, n, ki, kj = x:size(1), x:size(2), k:size(1), k:size(2)
  local rows = full and m + ki - 1 or m - ki + 1
  local cols = full and n + kj - 1 or n - kj + 1
  local out = T(rows, cols):zero()
  local shift_i, shift_j = full and ki - 1 or 0, full and kj - 1 or 0
  for r = 1, rows do
    for c = 1, cols do
      local s = 0
      for a = 1, ki do
        for b = 1, kj do
          local xi, xj = r + a - 1 - shift_i, c + b - 1 - shift_j
          if xi >= 1 and xi <= m and xj >= 1 and xj <= n then
            local kv = flip and k[ki - a + 1][kj - b + 1] or k[a][b]
            s = s + x[xi][xj] * kv
          end
        end
      end
      out[r][c] = s
    end
  end
  return out
end

describe("torch.conv2 / xcorr2", function()
  it("computes a hand-derived example", function()
    local x = T({ { 1, 2, 3 }, { 4, 5, 6 } })
    local k = T({ { 1, 0 }, { 0, -1 } })
    -- xcorr: x[i][j] - x[i+1][j+1]; conv flips k: x[i+1][j+1] - x[i][j];
    -- full xcorr: x[i-1][j-1] - x[i][j] with zeros outside x
    expect.same(torch.xcorr2(x, k):totable(), { { -4, -4 } })
    expect.same(torch.conv2(x, k):totable(), { { 4, 4 } })
    expect.same(torch.xcorr2(x, k, 'F'):totable(),
      { { -1, -2, -3, 0 }, { -4, -4, -4, 3 }, { 0, 4, 5, 6 } })
  end)
  it("matches the direct definition, valid and full", function()
    torch.manualSeed(11)
    local x, k = torch.randn(7, 6), torch.randn(3, 2)
    for _, mode in ipairs { 'V', 'F' } do
      local full = mode == 'F'
      expect.truthy(max_diff(torch.conv2(x, k, mode), reference2(x, k, full, true)) < 1e-12, "conv2 " .. mode)
      expect.truthy(max_diff(torch.xcorr2(x, k, mode), reference2(x, k, full, false)) < 1e-12, "xcorr2 " .. mode)
    end
  end)
  it("per-plane kernels (3D x 3D) and summed planes (3D x 4D)", function()
    torch.manualSeed(12)
    local x, k = torch.randn(2, 5, 5), torch.randn(2, 2, 3)
    local y = torch.conv2(x, k, 'F')
    expect.same(y:size():totable(), { 2, 6, 7 })
    for p = 1, 2 do
      expect.eq(max_diff(y[p], torch.conv2(x[p], k[p], 'F')), 0, "plane " .. p)
    end
    local kk = torch.randn(3, 2, 2, 3)
    local z = torch.xcorr2(x, kk)
    expect.same(z:size():totable(), { 3, 4, 3 })
    for q = 1, 3 do
      local want = torch.xcorr2(x[1], kk[q][1]) + torch.xcorr2(x[2], kk[q][2])
      expect.truthy(max_diff(z[q], want) < 1e-12, "output plane " .. q)
    end
  end)
  it("result forms overwrite the result; method forms on the input", function()
    local x, k = T({ { 1, 2, 3 }, { 4, 5, 6 } }), T({ { 1, 0 }, { 0, -1 } })
    local res = T(3, 3):fill(7)
    local r = torch.conv2(res, x, k)
    expect.truthy(rawequal(r, res), "returns res")
    expect.same(res:totable(), { { 4, 4 } })
    expect.same(x:conv2(k):totable(), { { 4, 4 } })
    local res2 = T()
    res2:xcorr2(x, k)
    expect.same(res2:totable(), { { -4, -4 } })
  end)
  it("works on integer tensors", function()
    local x = torch.LongTensor({ { 1, 2, 3 }, { 4, 5, 6 } })
    local y = torch.conv2(x, torch.LongTensor({ { 1, 0 }, { 0, -1 } }))
    expect.eq(torch.type(y), "torch.LongTensor")
    expect.same(y:totable(), { { 4, 4 } })
  end)
  it("raises Torch7's errors", function()
    expect.error(function() torch.conv2(T(2, 2):zero(), T(3, 3):zero()) end,
      "conv2Dmul : Input image is smaller than kernel")
    expect.same(torch.conv2(T(2, 2):fill(1), T(3, 3):fill(1), 'F'):size():totable(), { 4, 4 })
    expect.error(function() torch.conv2(T(2, 2):zero(), T(1, 1):zero(), 'X') end,
      "invalid arguments: DoubleTensor DoubleTensor string")
    expect.error(function() torch.conv2(T(2, 2):zero(), T(1, 1, 1):zero()) end, "invalid arguments")
    expect.error(function() torch.conv2(T(2, 3, 3):zero(), T(3, 1, 1):zero()) end,
      "invalid number of input/kernel planes")
    expect.error(function() torch.conv2(T(2, 3, 3):zero(), T(1, 3, 1, 1):zero()) end,
      "invalid number of input planes")
  end)
end)

describe("torch.conv3 / xcorr3", function()
  it("is a sum of 2-D correlations over the first dimension", function()
    torch.manualSeed(13)
    local x, k = torch.randn(4, 5, 6), torch.randn(2, 2, 3)
    local y = torch.xcorr3(x, k)
    expect.same(y:size():totable(), { 3, 4, 4 })
    for i = 1, 3 do
      local want = torch.xcorr2(x[i], k[1]) + torch.xcorr2(x[i + 1], k[2])
      expect.truthy(max_diff(y[i], want) < 1e-12, "slice " .. i)
    end
    local c = torch.conv3(x, k, 'F')
    expect.same(c:size():totable(), { 5, 6, 8 })
    local flipped = k:index(1, torch.LongTensor({ 2, 1 })):index(2, torch.LongTensor({ 2, 1 }))
      :index(3, torch.LongTensor({ 3, 2, 1 }))
    expect.truthy(max_diff(c, torch.xcorr3(x, flipped, 'F')) < 1e-12, "conv = xcorr with the flipped kernel")
  end)
  it("per-volume kernels (4D x 4D) and summed volumes (4D x 5D)", function()
    torch.manualSeed(14)
    local x = torch.randn(2, 3, 4, 4)
    local k4, k5 = torch.randn(2, 2, 2, 2), torch.randn(3, 2, 2, 2, 2)
    local y = torch.conv3(x, k4)
    expect.same(y:size():totable(), { 2, 2, 3, 3 })
    expect.eq(max_diff(y[2], torch.conv3(x[2], k4[2])), 0, "volume 2")
    local z = torch.conv3(x, k5, 'F')
    expect.same(z:size():totable(), { 3, 4, 5, 5 })
    expect.truthy(max_diff(z[3], torch.conv3(x[1], k5[3][1], 'F') + torch.conv3(x[2], k5[3][2], 'F')) < 1e-12,
      "summed")
    expect.error(function() torch.conv3(T(2, 2, 2):zero(), T(3, 1, 1):zero()) end,
      "conv3Dmul : Input image is smaller than kernel")
  end)
end)
