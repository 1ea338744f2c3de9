-- Turning anything a request raised into an error reply, without ever raising again.
-- User code may raise any value: a table whose __tostring or __index raises, a userdata,
-- a coroutine. Everything here reads such values with rawget and pcall, so the error path
-- cannot fail and no request can stop the server (bridge/PROTOCOL.md §3).
local mp = require "server.msgpack"
local wire = require "server.wire"

local type, tostring, pcall, rawget, floor = type, tostring, pcall, rawget, math.floor
local traceback = debug.traceback

local _M = {}

local UINT_END = 18446744073709551616  -- 2^64

-- A request id worth echoing: an integer in [0, 2^64). Anything else (an ext value, a
-- table, a string) is not an id, and the reply goes without one.
function _M.valid_id(x)
  if type(x) == "number" and x >= 0 and x < UINT_END and x == floor(x) then return x end
  return nil
end

-- tostring that cannot raise and always gives a string
function _M.describe(v)
  if type(v) == "string" then return v end
  local ok, s = pcall(tostring, v)
  if ok and type(s) == "string" then return s end
  return "(an error value of type " .. type(v) .. " that cannot be converted to a string)"
end
local describe = _M.describe

-- Raise a ProtocolError (id: the request id, when the request had a readable one).
function _M.protocol(msg, id)
  error({ ename = "ProtocolError", evalue = msg, id = id }, 0)
end

-- ename and evalue of a raised value: our own {ename = ...} tables keep their name,
-- anything else is a LuaError.
function _M.fields(err)
  if type(err) == "table" then
    local ename, evalue = rawget(err, "ename"), rawget(err, "evalue")
    if type(ename) == "string" then return ename, describe(evalue), rawget(err, "id") end
  end
  return "LuaError", describe(err), nil
end

-- The xpcall handler: a plain table {ename, evalue, traceback, id}. It guards itself,
-- since LuaJIT would otherwise hand back "error in error handling" as a bare string.
function _M.handler(err)
  _M.handling = true  -- an interrupt (interrupt.lua) must not strike the handler itself
  local ok, result = pcall(function()
    local ename, evalue, id = _M.fields(err)
    local tb_ok, tb = pcall(traceback, evalue, 4)
    local fields = { ename = ename, evalue = evalue, traceback = tb_ok and tb or "", id = id }
    if _M.on_request_error then _M.on_request_error(fields) end
    return fields
  end)
  _M.handling = false
  if ok then return result end
  return { ename = "LuaError", evalue = "the error could not be described", traceback = "" }
end

-- Whatever xpcall gave back (normally the handler's table) as reply fields.
function _M.reply(err, id)
  if type(err) ~= "table" or rawget(err, "traceback") == nil then err = _M.handler(err) end
  return {
    v = wire.VERSION, status = "error",
    id = _M.valid_id(id) or _M.valid_id(rawget(err, "id")),
    ename = _M.describe(rawget(err, "ename")), evalue = _M.describe(rawget(err, "evalue")),
    traceback = _M.describe(rawget(err, "traceback")),
  }
end

local LAST_RESORT = mp.encode({ v = wire.VERSION, status = "error", ename = "LuaError",
  evalue = "the reply could not be encoded", traceback = "" })

-- The encoded header of a reply: the reply itself, else an error reply saying why it could
-- not be encoded, else a constant. Never raises.
function _M.encode_reply(reply)
  local ok, header = pcall(mp.encode, reply)
  if ok then return header, true end
  local id = type(reply) == "table" and _M.valid_id(rawget(reply, "id")) or nil
  ok, header = pcall(mp.encode, { v = wire.VERSION, id = id, status = "error", ename = "LuaError",
    evalue = "the result could not be encoded: " .. describe(header), traceback = "" })
  if ok then return header, false end
  return LAST_RESORT, false
end

return _M
