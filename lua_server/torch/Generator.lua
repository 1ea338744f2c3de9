-- torch.Generator: an independent random stream (Torch7's THGenerator) that the random
-- functions take as an optional first argument. It wraps a torch.random generator and is
-- serialized in .t7 files as Torch7 wrote it: the raw bytes of the C struct.
local ffi = require "ffi"
local torch = require "torch.env"
local random = require "torch.random"

local getmetatable, rawget = getmetatable, rawget

local Generator = torch.class("torch.Generator")

function Generator:__init()
  self._gen = random.Generator()   -- seeded from /dev/urandom, like THGenerator_new
end

local mt = torch.getmetatable("torch.Generator")

local M = {}

--- is `v` a torch.Generator object
function M.is(v)
  return type(v) == "table" and getmetatable(v) == mt
end

--- the random.lua state behind a torch.Generator (nil for anything else)
function M.state_of(v)
  if M.is(v) then return rawget(v, "_gen") end
  return nil
end

local function state_bytes(self)
  local s = torch.ByteStorage(random.STATE_SIZE)
  ffi.copy(s:data(), self._gen:getState(), random.STATE_SIZE)
  return s
end

function Generator:write(file)
  file:writeByte(state_bytes(self))
end

function Generator:read(file)
  local s = torch.ByteStorage(random.STATE_SIZE)
  file:readByte(s)
  self._gen = random.Generator()
  self._gen:setState(ffi.string(s:data(), random.STATE_SIZE))
end

return M
