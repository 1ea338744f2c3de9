-- optim.Logger([filename] [, timestamp]): logs named values during training to a text
-- file in Torch7's format: a header row of names, then one row per add(), each field
-- followed by a tab ('%11.4e' for numbers, strings as they are). Without a filename it
-- writes to stdout. With timestamp, '-YYYY_MM_DD_HH:MM:SS' is appended to the file name.
--   logger:setNames{'train', 'test'}; logger:add{0.5, 0.6}     -- positional columns
--   logger:add{['train'] = 0.5, ['test'] = 0.6}                -- named (column order is
--                                                                 pairs() order, as Torch7)
-- plot() draws nothing: Torch7 plots through gnuplot, which this runtime does not have.
-- It warns once, as Torch7 does without gnuplot, and never fails; style, setlogscale and
-- display only record their settings.
local torch = require "torch"
require "optim.env"

local Logger = torch.class("optim.Logger")

local type, pairs, error = type, pairs, error
local format, tinsert = string.format, table.insert

local function dirname(path)
  local dir = path:match("^(.*)/[^/]*$")
  if dir == nil then return "." end
  if dir == "" then return "/" end
  return dir
end

local function shell_quote(s)
  return "'" .. s:gsub("'", "'\\''") .. "'"
end

function Logger:__init(filename, timestamp)
  if filename then
    if type(filename) ~= "string" then
      error("optim.Logger: filename must be a string, got " .. torch.type(filename), 2)
    end
    self.name = filename
    local dir = dirname(filename)
    if dir ~= "." and dir ~= "/" then
      os.execute("mkdir -p " .. shell_quote(dir))
    end
    if timestamp then
      filename = filename .. "-" .. os.date("%Y_%m_%d_%X")
    end
    local file, err = io.open(filename, "w")
    if not file then
      error("optim.Logger: cannot open " .. filename .. " for writing: " .. tostring(err), 2)
    end
    self.file = file
    self.epsfile = self.name .. ".eps"
  else
    self.file = io.stdout
    self.name = "stdout"
    print("<Logger> warning: no path provided, logging to std out")
  end
  self.empty = true
  self.symbols = {}
  self.styles = {}
  self.names = {}
  self.idx = {}
  self.figure = nil
  self.showPlot = true
  self.plotRawCmd = nil
  self.defaultStyle = "+"
  self.logscale = false
end

function Logger:setNames(names)
  self.names = names
  self.empty = false
  self.nsymbols = #names
  for k, key in pairs(names) do
    self.file:write(key .. "\t")
    self.symbols[k] = {}
    self.styles[k] = { self.defaultStyle }
    self.idx[key] = k
  end
  self.file:write("\n")
  self.file:flush()
  return self
end

function Logger:add(symbols)
  if type(symbols) ~= "table" then
    error("optim.Logger.add: expected a table of values, got " .. torch.type(symbols), 2)
  end
  -- first time without setNames: the keys become the header
  if self.empty then
    self.empty = false
    self.nsymbols = #symbols
    for k in pairs(symbols) do
      self.file:write(k .. "\t")
      self.symbols[k] = {}
      self.styles[k] = { self.defaultStyle }
      self.names[k] = k
    end
    self.idx = self.names
    self.file:write("\n")
  end
  -- one row
  for _, val in pairs(symbols) do
    if type(val) == "number" then
      self.file:write(format("%11.4e", val) .. "\t")
    elseif type(val) == "string" then
      self.file:write(val .. "\t")
    else
      error("<Logger> can only log numbers and strings", 2)
    end
  end
  self.file:write("\n")
  self.file:flush()
  for k, val in pairs(symbols) do
    local list = self.symbols[k]
    if list == nil then  -- a key the header did not have (Torch7 fails here)
      list = {}
      self.symbols[k] = list
    end
    tinsert(list, val)
  end
end

function Logger:style(symbols)
  for name, style in pairs(symbols) do
    if type(style) == "string" then
      self.styles[name] = { style }
    elseif type(style) == "table" then
      self.styles[name] = style
    else
      error("<Logger> style should be a string or a table of strings", 2)
    end
  end
  return self
end

function Logger:setlogscale(state)
  self.logscale = state
end

function Logger:display(state)
  self.showPlot = state
end

-- No gnuplot here: warn once, draw nothing.
function Logger:plot(...)
  if not self.warned then
    print("<Logger> warning: cannot plot with this version of Torch")
    self.warned = true
  end
end

return Logger
