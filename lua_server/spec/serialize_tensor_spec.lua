-- Tensor and Storage payloads: the Torch7 tensor fixtures (values from manifest.json),
-- byte-exact saving, shared storages, every element type, and malformed tensors.
local torch = require "torch"
require "torch.serialize"
require("torch.serialize_tensor").install(torch)

local src = debug.getinfo(1, "S").source:sub(2)
local root = (src:match("^(.*)/[^/]*$") or ".") .. "/../.."
local FIX = root .. "/tests/fixtures/torch7/"

local function read_bytes(path)
  local h = assert(io.open(path, "rb"))
  local s = h:read("*a")
  h:close()
  return s
end

local function layout(t)
  local size, stride = {}, {}
  for d = 1, t:nDimension() do size[d], stride[d] = t:size(d), t:stride(d) end
  return size, stride
end

-- elements in row-major logical order, read through size/stride/offset from the storage
local function flat(t)
  local out, s, off = {}, t:storage(), t:storageOffset()
  local size, stride = layout(t)
  local function walk(d, pos)
    if d > #size then out[#out + 1] = s[pos]; return end
    for i = 0, size[d] - 1 do walk(d + 1, pos + i * stride[d]) end
  end
  if #size > 0 then walk(1, off) end
  return out
end

local function hex(s)
  return (s:gsub(".", function(c) return string.format("%02x", c:byte()) end))
end

-- from manifest.json → tensors
local manifest = {
  ["byte_2x3.t7"] = { type = "torch.ByteTensor", size = { 2, 3 }, stride = { 3, 1 }, offset = 1,
    data = { 0, 1, 127, 128, 254, 255 } },
  ["double_3x2.t7"] = { type = "torch.DoubleTensor", size = { 3, 2 }, stride = { 2, 1 }, offset = 1,
    data = { 3.1415926535897931, -0.33333333333333331, 10000000000, 2.5, 0, 1e-300 } },
  ["float_2x3.t7"] = { type = "torch.FloatTensor", size = { 2, 3 }, stride = { 3, 1 }, offset = 1,
    data = { 1.5, -2.25, 3, 0.125, 100, -7.75 } },
  ["float_2x3_ascii.t7"] = { type = "torch.FloatTensor", size = { 2, 3 }, stride = { 3, 1 }, offset = 1,
    data = { 1.5, -2.25, 3, 0.125, 100, -7.75 }, mode = "ascii" },
  ["long_6.t7"] = { type = "torch.LongTensor", size = { 6 }, stride = { 1 }, offset = 1,
    data = { 1, -2, 3, 1099511627776, -1099511627776, 0 } },
  ["transpose_3x2.t7"] = { type = "torch.FloatTensor", size = { 3, 2 }, stride = { 1, 3 }, offset = 1,
    data = { 1, 4, 2, 5, 3, 6 }, storage = 6 },
}
local names = {}
for name in pairs(manifest) do names[#names + 1] = name end
table.sort(names)

describe("Torch7 tensor fixtures", function()
  for _, name in ipairs(names) do
    local m = manifest[name]
    it(name .. " loads with the manifest's type, layout and values", function()
      local t = torch.load(FIX .. name, m.mode)
      expect.eq(torch.typename(t), m.type)
      local size, stride = layout(t)
      expect.same(size, m.size, "size")
      expect.same(stride, m.stride, "stride")
      expect.eq(t:storageOffset(), m.offset)
      expect.same(flat(t), m.data, "values")
      if m.storage then expect.eq(t:storage():size(), m.storage, "whole storage") end
    end)

    it(name .. " saved again gives the same bytes", function()
      local t = torch.load(FIX .. name, m.mode)
      expect.eq(torch.serialize(t, m.mode), read_bytes(FIX .. name))
      local p = os.tmpname()
      torch.save(p, t, m.mode)
      local again = read_bytes(p)
      os.remove(p)
      expect.eq(again, read_bytes(FIX .. name))
    end)
  end

  local function check_shared(v)
    local base = v.base
    expect.eq(v.base_again, base, "base_again is the same object")
    local views = {
      base = { size = { 3, 4 }, stride = { 4, 1 }, offset = 1, data = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 } },
      transposed = { size = { 4, 3 }, stride = { 1, 4 }, offset = 1, data = { 1, 5, 9, 2, 6, 10, 3, 7, 11, 4, 8, 12 } },
      narrowed = { size = { 3, 2 }, stride = { 4, 1 }, offset = 2, data = { 2, 3, 6, 7, 10, 11 } },
      row = { size = { 4 }, stride = { 1 }, offset = 9, data = { 9, 10, 11, 12 } },
    }
    for key, m in pairs(views) do
      local t = v[key]
      expect.eq(torch.typename(t), "torch.DoubleTensor", key)
      local size, stride = layout(t)
      expect.same(size, m.size, key .. " size")
      expect.same(stride, m.stride, key .. " stride")
      expect.eq(t:storageOffset(), m.offset, key .. " offset")
      expect.same(flat(t), m.data, key .. " values")
      expect.eq(torch.pointer(t:storage()), torch.pointer(base:storage()), key .. " shares the storage")
    end
    -- one storage: a write through one view shows through the others
    v.row:storage()[10] = -10
    expect.eq(flat(v.transposed)[6], -10)
    expect.eq(flat(v.narrowed)[5], -10)
    v.row:storage()[10] = 10
  end

  it("shared_views.t7 loads as views of one storage", function()
    check_shared(torch.load(FIX .. "shared_views.t7"))
  end)

  it("shared_views.t7 saved again writes the storage once and keeps the sharing", function()
    local v = torch.load(FIX .. "shared_views.t7")
    local s = torch.serialize(v)
    expect.eq(#s, #read_bytes(FIX .. "shared_views.t7"))
    local _, n = s:gsub("torch.DoubleStorage", "")
    expect.eq(n, 1, "one storage object")
    check_shared(torch.deserialize(s))
    check_shared(torch.deserialize(torch.serialize(v, "ascii"), "ascii"))
  end)
end)

describe("python-torchfile tensor fixtures", function()
  local TF = root .. "/tests/fixtures/torchfile/"

  it("doubletensor.t7 is {{1,2,3},{4,5,6.9}}", function()
    local t = torch.load(TF .. "doubletensor.t7")
    expect.eq(torch.typename(t), "torch.DoubleTensor")
    expect.same(flat(t), { 1, 2, 3, 4, 5, 6.9 })
    expect.eq(torch.serialize(t), read_bytes(TF .. "doubletensor.t7"))
  end)

  it("floattensor.t7 sums to 12.97241666913", function()
    local t = torch.load(TF .. "floattensor.t7")
    expect.eq(torch.typename(t), "torch.FloatTensor")
    local sum = 0
    for _, v in ipairs(flat(t)) do sum = sum + v end
    expect.near(sum, 12.97241666913, 1e-5)
    expect.eq(torch.serialize(t), read_bytes(TF .. "floattensor.t7"))
  end)
end)

describe("every fixture", function()
  -- files holding tables differ from run to run in pair order only, so the same length
  -- (and, for the others, the same bytes) is what saving again must give
  for _, dir in ipairs { "torch7", "torchfile" } do
    for _, name in ipairs { "byte_2x3", "convnet", "convnet_io", "double_3x2", "float_2x3",
        "float_2x3_ascii", "long_6", "mse_criterion", "nested_table", "nested_table_ascii",
        "sequential", "sequential_after_backward", "shared_views", "transpose_3x2",
        "xor_trained_double", "xor_trained_float", "custom_class", "doubletensor", "floattensor",
        "function", "function_upvals", "gmodule_with_linear_identity", "hello=123", "list_table",
        "map_table1", "map_table2", "nngraph_node", "recursive_class", "recursive_kv_table",
        "tds_hash", "tds_vec" } do
      local path = root .. "/tests/fixtures/" .. dir .. "/" .. name .. ".t7"
      local h = io.open(path, "rb")
      if h then h:close() end
      if h then
        it(dir .. "/" .. name .. ".t7 saved again has the same length", function()
          local mode = name:match("ascii") and "ascii" or nil
          local orig = read_bytes(path)
          local again = torch.serialize(torch.load(path, mode), mode)
          expect.eq(#again, #orig)
          expect.eq(#torch.serialize(torch.deserialize(again, mode), mode), #orig)
        end)
      end
    end
  end
end)

describe("tensor payloads", function()
  it("match the worked example of the format byte for byte", function()
    local t = torch.DoubleTensor({ { 1, 2, 3 }, { 4, 5, 6 } })
    local s = torch.serialize(t)
    expect.eq(#s, 175)
    local head = "04000000" .. "01000000" .. "03000000" .. hex("V 1") .. "12000000" .. hex("torch.DoubleTensor")
      .. "02000000" .. "0200000000000000" .. "0300000000000000" .. "0300000000000000" .. "0100000000000000"
      .. "0100000000000000" .. "04000000" .. "02000000" .. "03000000" .. hex("V 1") .. "13000000"
      .. hex("torch.DoubleStorage") .. "0600000000000000"
    expect.eq(hex(s:sub(1, #head / 2)), head)
    expect.same(flat(torch.deserialize(s)), { 1, 2, 3, 4, 5, 6 })
  end)

  it("write an empty tensor with no storage, as Torch7", function()
    local s = torch.serialize(torch.FloatTensor())
    expect.eq(hex(s:sub(37)), "00000000" .. "0100000000000000" .. "00000000")
    local t = torch.deserialize(s)
    expect.eq(torch.typename(t), "torch.FloatTensor")
    expect.eq(t:nDimension(), 0)
    expect.eq(torch.serialize(t), s)
  end)

  for _, stem in ipairs { "Byte", "Char", "Short", "Int", "Long", "Float", "Double", "Half" } do
    it("round-trip torch." .. stem .. "Tensor in binary, ascii and b32", function()
      local values = { 1, 2, 3, 4, 5, 6 }
      if stem ~= "Byte" then values[2] = -2 end
      if stem == "Float" or stem == "Double" or stem == "Half" then values[3] = 0.5 end
      local fs = torch.FloatStorage(8):fill(0)
      for i, v in ipairs(values) do fs[i + 1] = v end
      local t = torch[stem .. "Tensor"](fs:type("torch." .. stem .. "Storage"), 2,
        torch.LongStorage { 3, 2 }, torch.LongStorage { 1, 3 })
      local function values_of(x) return stem == "Half" and flat(x:float()) or flat(x) end
      expect.same(values_of(t), { values[1], values[4], values[2], values[5], values[3], values[6] })
      for _, mode in ipairs { "binary", "ascii", "b32" } do
        local enc = mode == "b32" and "b32" or mode
        local u = torch.deserialize(torch.serialize(t, mode), enc)
        expect.eq(torch.typename(u), "torch." .. stem .. "Tensor", mode)
        local size, stride = layout(u)
        expect.same(size, { 3, 2 }, mode)
        expect.same(stride, { 1, 3 }, mode)
        expect.eq(u:storageOffset(), 2, mode)
        expect.eq(u:storage():size(), 8, "the whole storage is written")
        expect.same(values_of(u), values_of(t), mode)
      end
    end)
  end

  it("write Longs in 4 bytes with b32 and read them back", function()
    local t = torch.LongTensor({ 1, -2, 3 })
    local s64, s32 = torch.serialize(t), torch.serialize(t, "b32")
    expect.eq(#s64 - #s32, 4 * (1 + 1 + 1 + 1 + 3), "sizes, strides, offset, count and elements shrink")
    expect.same(flat(torch.deserialize(s32, "b32")), { 1, -2, 3 })
  end)

  it("round-trip through torch.save and torch.load", function()
    local p = os.tmpname()
    local w = torch.DoubleTensor(4, 5)
    for i = 1, 4 do for j = 1, 5 do w[i][j] = i * 10 + j end end
    local model = { weight = w, bias = w:select(2, 5), name = "m" }
    torch.save(p, model)
    local back = torch.load(p)
    os.remove(p)
    expect.same(flat(back.weight), flat(w))
    expect.same(flat(back.bias), { 15, 25, 35, 45 })
    expect.eq(torch.pointer(back.bias:storage()), torch.pointer(back.weight:storage()))
  end)

  it("clone through a MemoryFile as nn's clone() does: shared inside, apart from the original", function()
    local w = torch.DoubleTensor({ 1, 2, 3, 4 })
    local obj = { w = w, tail = w:narrow(1, 3, 2) }
    local f = torch.MemoryFile("rw"):binary()
    f:writeObject(obj)
    f:seek(1)
    local c = f:readObject()
    f:close()
    c.w[3] = 30
    expect.eq(c.tail[1], 30, "the clone's views share one storage")
    expect.eq(w[3], 3, "the original is untouched")
  end)

  it("serialize to and from a CharStorage", function()
    local s = torch.serializeToStorage({ t = torch.IntTensor({ 4, 5 }) })
    expect.eq(torch.typename(s), "torch.CharStorage")
    expect.eq(s[s:size()], 0, "NUL-terminated, as MemoryFile:storage()")
    local back = torch.deserializeFromStorage(s)
    expect.same(flat(back.t), { 4, 5 })
  end)

  it("keep the Torch7 methods t:write(file) and storage:write(file)", function()
    local t = torch.IntTensor({ 5, 6 })
    local f = torch.MemoryFile():binary()
    t:write(f)
    f:seek(1)
    expect.eq(f:readInt(), 1, "nDimension")
  end)

  it("load CUDA classes as their CPU types", function()
    local function b(build)
      local f = torch.MemoryFile():binary()
      build(f)
      return f:string()
    end
    local s = b(function(f)
      f:writeInt(4); f:writeInt(1); f:writeInt(3); f:writeChar("V 1")
      f:writeInt(16); f:writeChar("torch.CudaTensor")
      f:writeInt(1); f:writeLong(2); f:writeLong(1); f:writeLong(1)
      f:writeInt(4); f:writeInt(2); f:writeInt(3); f:writeChar("V 1")
      f:writeInt(17); f:writeChar("torch.CudaStorage")
      f:writeLong(2); f:writeFloat(1.5); f:writeFloat(-3)
    end)
    local t = torch.deserialize(s)
    expect.eq(torch.typename(t), "torch.FloatTensor")
    expect.same(flat(t), { 1.5, -3 })
  end)
end)

describe("malformed tensors", function()
  local function tensor_bytes(tname, sname, nd, sizes, strides, offset, n, elements, esize)
    local f = torch.MemoryFile():binary()
    f:writeInt(4); f:writeInt(1); f:writeInt(3); f:writeChar("V 1")
    f:writeInt(#tname); f:writeChar(tname)
    f:writeInt(nd)
    for _, v in ipairs(sizes) do f:writeLong(v) end
    for _, v in ipairs(strides) do f:writeLong(v) end
    f:writeLong(offset)
    f:writeInt(4); f:writeInt(2); f:writeInt(3); f:writeChar("V 1")
    f:writeInt(#sname); f:writeChar(sname)
    f:writeLong(n)
    for _, v in ipairs(elements) do if esize == 4 then f:writeFloat(v) else f:writeDouble(v) end end
    return f:string()
  end

  it("a view outside its storage is refused", function()
    local s = tensor_bytes("torch.DoubleTensor", "torch.DoubleStorage", 1, { 3 }, { 1 }, 2, 3, { 1, 2, 3 }, 8)
    expect.error(function() torch.deserialize(s) end, "lies outside its storage of 3 elements")
  end)

  it("a storage of another type is refused", function()
    local s = tensor_bytes("torch.DoubleTensor", "torch.FloatStorage", 1, { 2 }, { 1 }, 1, 2, { 1, 2 }, 4)
    expect.error(function() torch.deserialize(s) end, "a torch.DoubleTensor must view a torch.DoubleStorage, got torch.FloatStorage")
  end)

  it("an absurd dimension count is refused", function()
    local s = tensor_bytes("torch.DoubleTensor", "torch.DoubleStorage", 1000, {}, {}, 1, 0, {}, 8)
    expect.error(function() torch.deserialize(s) end, "torch.DoubleTensor with 1000 dimensions")
  end)

  it("a storage claiming more than the file holds is refused", function()
    local s = tensor_bytes("torch.DoubleTensor", "torch.DoubleStorage", 1, { 2 }, { 1 }, 1, 2 ^ 40, { 1, 2 }, 8)
    expect.error(function() torch.deserialize(s) end, "torch.DoubleStorage size 1099511627776 needs at least")
  end)

  it("every truncation of a tensor file names its offset", function()
    local good = read_bytes(FIX .. "shared_views.t7")
    for n = 0, #good - 1 do
      local ok, err = pcall(torch.deserialize, good:sub(1, n))
      if ok or not tostring(err):find("at byte offset", 1, true) then
        error("prefix of " .. n .. " bytes: " .. tostring(err))
      end
    end
  end)
end)
