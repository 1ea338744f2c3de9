-- Printing: every expected string below is worked out by hand from Torch7's Tensor.lua
-- (Storage__printformat, Tensor__printMatrix, Tensor__printTensor, __tostring__):
--   * intMode when every value is an integer;
--   * expMin/expMax = floor(log10(min|x|)) + 1 and floor(log10(max|x|)) + 1 (1 for 0);
--   * integers: "%<expMax+1>d", or "%11.4e" when expMax > 9;
--   * others: "%11.4e" (12 wide when |exp| > 99) when expMax - expMin > 4; else "%7.4f"
--     with scale 10^(expMax-1) when expMax > 5 or expMax < 0, "%7.4f" when expMax == 0,
--     otherwise "%<expMax+6>.4f";
--   * one format for the whole tensor, values separated by one space, columns per line
--     floor((80 - #indent) / (sz + 1)), "Columns a to b" headers only when they do not fit;
--   * the scale line is string.format('%g', scale) .. ' *' and rows under it get one more
--     leading space;
--   * N-D: "(i,j,.,.) = " slices, first index fastest, matrix indent ' ', a blank line
--     between slices; then "[<type> of size AxB]\n".
require "torch"

describe("tensor printing", function()
  it("prints a small double matrix with a per-tensor fixed format", function()
    -- |x| in [0.125, 12]: expMin = floor(-0.90)+1 = 0, expMax = floor(1.08)+1 = 2, not
    -- integers, 2-0 <= 4, expMax in [0,5] -> sz = 2+6 = 8, "%8.4f"
    local t = torch.Tensor({ { 1.5, -2.25, 3 }, { 0.125, 12, -7.5 } })
    expect.eq(tostring(t),
      "  1.5000  -2.2500   3.0000\n" ..
      "  0.1250  12.0000  -7.5000\n" ..
      "[torch.DoubleTensor of size 2x3]\n")
  end)

  it("prints integer-valued matrices with %<digits+1>d", function()
    -- max 6: expMax = 1, sz = 2, "%2d"
    expect.eq(tostring(torch.Tensor({ { 1, 2, 3 }, { 4, 5, 6 } })),
      " 1  2  3\n 4  5  6\n[torch.DoubleTensor of size 2x3]\n")
    -- max |x| 300: expMax = 3, sz = 4, "%4d"; the sign takes the spare column
    expect.eq(tostring(torch.Tensor({ { -1, 20 }, { 300, 4 } })),
      "  -1   20\n 300    4\n[torch.DoubleTensor of size 2x2]\n")
  end)

  it("prints negative non-integers", function()
    -- |x| in [1.5, 4.25]: expMin = expMax = 1 -> sz = 7, "%7.4f"
    expect.eq(tostring(torch.Tensor({ { -1.5, 2 }, { 3, -4.25 } })),
      "-1.5000  2.0000\n 3.0000 -4.2500\n[torch.DoubleTensor of size 2x2]\n")
  end)

  it("prints a float matrix under a common scale factor", function()
    -- |x| in [0.0012, 0.0078]: expMin = expMax = floor(-2.9)+1 = -2 < 0 -> "%7.4f" with
    -- scale 10^-3, printed by %g as "0.001"; values /0.001 -> 1.2, 3.4, -5.6, 7.8
    local t = torch.FloatTensor({ { 0.0012, 0.0034 }, { -0.0056, 0.0078 } })
    expect.eq(tostring(t),
      "0.001 *\n" ..
      "  1.2000  3.4000\n" ..
      " -5.6000  7.8000\n" ..
      "[torch.FloatTensor of size 2x2]\n")
  end)

  it("prints a scale above one and the exponent format", function()
    -- expMin = expMax = 7 > 5: scale 10^6, "%g" -> "1e+06"; 1.2345675 -> 1.2346
    expect.eq(tostring(torch.Tensor({ 1234567.5, 2345678.25 })),
      "1e+06 *\n 1.2346\n 2.3457\n[torch.DoubleTensor of size 2]\n")
    -- expMin = -2, expMax = 3: spread 5 > 4 -> "%11.4e"
    expect.eq(tostring(torch.Tensor({ 0.001234, 123.4 })),
      " 1.2340e-03\n 1.2340e+02\n[torch.DoubleTensor of size 2]\n")
  end)

  it("splits a wide matrix into column blocks of the 80-column line", function()
    -- 1..50 as 2x25: "%3d", floor(80/4) = 20 columns a line -> blocks 1-20 and 21-25
    local rows = {}
    for r = 1, 2 do
      rows[r] = {}
      for c = 1, 25 do rows[r][c] = (r - 1) * 25 + c end
    end
    expect.eq(tostring(torch.Tensor(rows)),
      "Columns 1 to 20\n" ..
      "  1   2   3   4   5   6   7   8   9  10  11  12  13  14  15  16  17  18  19  20\n" ..
      " 26  27  28  29  30  31  32  33  34  35  36  37  38  39  40  41  42  43  44  45\n" ..
      "\n" ..
      "Columns 21 to 25\n" ..
      " 21  22  23  24  25\n" ..
      " 46  47  48  49  50\n" ..
      "[torch.DoubleTensor of size 2x25]\n")
  end)

  it("prints 1-D tensors one value a line", function()
    expect.eq(tostring(torch.Tensor({ 1, 2, 3 })), " 1\n 2\n 3\n[torch.DoubleTensor of size 3]\n")
    -- |x| in [0.5, 1.25]: expMin 0, expMax 1 -> "%7.4f"
    expect.eq(tostring(torch.Tensor({ 0.5, -1.25 })), " 0.5000\n-1.2500\n[torch.DoubleTensor of size 2]\n")
  end)

  it("prints 3-D tensors as matrix slices", function()
    local t = torch.Tensor({ { { 1, 2 }, { 3, 4 } }, { { 5, 6 }, { 7, 8 } } })
    expect.eq(tostring(t),
      "(1,.,.) = \n  1  2\n  3  4\n\n" ..
      "(2,.,.) = \n  5  6\n  7  8\n" ..
      "[torch.DoubleTensor of size 2x2x2]\n")
  end)

  it("walks 4-D slices with the first index fastest", function()
    -- t[i][j][1][1] = 2*(i-1) + j: slices (1,1)=1, (2,1)=3, (1,2)=2, (2,2)=4
    local t = torch.Tensor({ { { { 1 } }, { { 2 } } }, { { { 3 } }, { { 4 } } } })
    expect.eq(tostring(t),
      "(1,1,.,.) = \n  1\n\n(2,1,.,.) = \n  3\n\n(1,2,.,.) = \n  2\n\n(2,2,.,.) = \n  4\n" ..
      "[torch.DoubleTensor of size 2x2x1x1]\n")
  end)

  it("prints slices under a scale with the extra indent", function()
    -- |x| in [0.0015, 0.004]: expMax = -2 -> scale 0.001, "%7.4f"; in a slice the scale
    -- line is indented by ' ' and rows by '  '
    local t = torch.Tensor({ { { 0.0015, 0.002 } }, { { 0.003, 0.004 } } })
    expect.eq(tostring(t),
      "(1,.,.) = \n 0.001 *\n   1.5000  2.0000\n\n" ..
      "(2,.,.) = \n 0.001 *\n   3.0000  4.0000\n" ..
      "[torch.DoubleTensor of size 2x1x2]\n")
  end)

  it("prints empty tensors", function()
    expect.eq(tostring(torch.Tensor()), "[torch.DoubleTensor with no dimension]\n")
    expect.eq(tostring(torch.LongTensor()), "[torch.LongTensor with no dimension]\n")
  end)

  it("prints ByteTensors and LongTensors with large values", function()
    -- max 200: expMax = 3, "%4d"
    expect.eq(tostring(torch.ByteTensor({ { 1, 200 }, { 3, 4 } })),
      "   1  200\n   3    4\n[torch.ByteTensor of size 2x2]\n")
    -- max 123456789012: expMax = 12 > 9 -> "%11.4e" even for integers
    expect.eq(tostring(torch.LongTensor({ 123456789012, -5 })),
      " 1.2346e+11\n-5.0000e+00\n[torch.LongTensor of size 2]\n")
  end)

  it("prints non-contiguous views by their logical order", function()
    local t = torch.Tensor({ { 1, 2, 3 }, { 4, 5, 6 } }):t()
    expect.eq(tostring(t), " 1  4\n 2  5\n 3  6\n[torch.DoubleTensor of size 3x2]\n")
  end)

  it("falls back to %f when a value is NaN", function()
    -- NaN makes min and max NaN in TH, the width becomes NaN and Torch7 uses "%f"
    local s = tostring(torch.Tensor({ 1.5, 0 / 0 }))
    expect.truthy(s:find("^1%.500000\n%-?nan\n%[torch%.DoubleTensor of size 2%]\n$"), s)
  end)

  it("is what print, tostring and __tostring__ give", function()
    local t = torch.IntTensor({ 7 })
    expect.eq(t:__tostring__(), " 7\n[torch.IntTensor of size 1]\n")
    expect.eq(tostring(t), t:__tostring__())
  end)
end)

describe("storage printing", function()
  it("prints a LongStorage with Torch7's leading newline", function()
    expect.eq(tostring(torch.LongStorage({ 2, 3 })), "\n 2\n 3\n[torch.LongStorage of size 2]\n")
    expect.eq(tostring(torch.Tensor(2, 3):size()), "\n 2\n 3\n[torch.LongStorage of size 2]\n")
  end)

  it("prints empty and floating storages", function()
    expect.eq(tostring(torch.LongStorage()), "\n[torch.LongStorage of size 0]\n")
    -- 0.5 and 1.5: expMin 0, expMax 1 -> "%7.4f"
    expect.eq(tostring(torch.DoubleStorage({ 0.5, 1.5 })), "\n 0.5000\n 1.5000\n[torch.DoubleStorage of size 2]\n")
  end)
end)
