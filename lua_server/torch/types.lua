-- The Torch7 tensor types and what each is in ATen: scalar type code, C element type,
-- and device. `torch.CudaTensor` is float32 on CUDA, as in cutorch.
local aten = require "aten"
local cnumber = require "torch.cnumber"

local dt = aten.dtype
local M = { list = {} }

local function add(name, dtype, ctype, device, integer, prefix)
  local info = {
    tensor = "torch." .. name .. "Tensor",
    storage = "torch." .. name .. "Storage",
    short = name,
    dtype = dtype,
    ctype = ctype,
    ptr = ctype and (ctype .. "*"),
    read = ctype and cnumber.reader(ctype),  -- (ptr, i) -> element i as a Lua number
    device = device,
    integer = integer,
    prefix = prefix,
  }
  M.list[#M.list + 1] = info
  return info
end

for _, t in ipairs {
  { "Byte", dt.uint8, "uint8_t", true }, { "Char", dt.int8, "int8_t", true },
  { "Short", dt.int16, "int16_t", true }, { "Int", dt.int32, "int32_t", true },
  { "Long", dt.int64, "int64_t", true }, { "Float", dt.float32, "float", false },
  { "Double", dt.float64, "double", false }, { "Half", dt.float16, nil, false },
} do
  add(t[1], t[2], t[3], aten.device.cpu, t[4], t[1])
  -- cutorch names: CudaTensor is float; the others carry their type in the name
  local cuda = t[1] == "Float" and "Cuda" or ("Cuda" .. t[1])
  add(cuda, t[2], t[3], aten.device.cuda, t[4], t[1])
end

M.by_tensor_name, M.by_storage_name, M.by_key = {}, {}, {}
for _, info in ipairs(M.list) do
  M.by_tensor_name[info.tensor] = info
  M.by_storage_name[info.storage] = info
  M.by_key[info.device * 64 + info.dtype] = info
end

-- The type of a handle: Torch7 has no bool tensors, so ATen bools (from comparisons)
-- are converted to Byte by the callers before they reach Lua.
function M.of(device_type, dtype)
  return M.by_key[device_type * 64 + dtype]
end

return M
