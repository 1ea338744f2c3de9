-- res:addmm / addmv / addr take Torch7's optional leading arguments by count and type:
-- ([beta,] [M,] [alpha,] X, Y). The four-argument forms, which tensor_core_spec does not
-- reach, and argument counts that fit no form.
require "torch"

describe("the BLAS add* forms by argument count", function()
  local A = torch.Tensor({ { 1, 2 }, { 3, 4 } })
  local B = torch.Tensor({ { 0, 1 }, { 1, 0 } })  -- A * B = {{2, 1}, {4, 3}}

  it("res:addmm(beta, alpha, A, B) scales res and the product", function()
    local res = torch.Tensor({ { 1, 1 }, { 1, 1 } })
    res:addmm(2, 3, A, B)
    expect.same(res:totable(), { { 8, 5 }, { 14, 11 } })
  end)

  it("res:addmm(M, alpha, A, B) starts from M, not from res", function()
    local res = torch.Tensor({ { 100, 100 }, { 100, 100 } })
    res:addmm(torch.Tensor({ { 1, 1 }, { 1, 1 } }), 3, A, B)
    expect.same(res:totable(), { { 7, 4 }, { 13, 10 } })
  end)

  it("res:addmv(beta, alpha, A, v) and res:addr(M, alpha, x, y)", function()
    local y = torch.Tensor({ 1, 1 })
    y:addmv(2, 3, A, torch.Tensor({ 1, 0 }))
    expect.same(y:totable(), { 5, 11 })
    local r = torch.Tensor(2, 2):fill(9)
    r:addr(torch.Tensor(2, 2):zero(), 2, torch.Tensor({ 1, 2 }), torch.Tensor({ 3, 4 }))
    expect.same(r:totable(), { { 6, 8 }, { 12, 16 } })
  end)

  it("too few or too many arguments are refused, naming the method", function()
    local res = torch.Tensor(2, 2):zero()
    expect.error(function() res:addmm(A) end, "addmm")
    expect.error(function() res:addmm(1, res, 1, 2, A, B) end, "addmm")
  end)
end)
