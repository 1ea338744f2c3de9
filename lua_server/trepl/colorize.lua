-- trepl.colorize: col.red('text') etc. wrap text in ANSI colours; every colour becomes the
-- empty string when stdout is not a terminal (as Torch7's trepl did with noColors()).
local ffi = require "ffi"

ffi.cdef [[ int isatty(int fd); ]]

local codes = {
  none = "\27[0m",
  black = "\27[0;30m", red = "\27[0;31m", green = "\27[0;32m", yellow = "\27[0;33m",
  blue = "\27[0;34m", magenta = "\27[0;35m", cyan = "\27[0;36m", white = "\27[0;37m",
  Black = "\27[1;30m", Red = "\27[1;31m", Green = "\27[1;32m", Yellow = "\27[1;33m",
  Blue = "\27[1;34m", Magenta = "\27[1;35m", Cyan = "\27[1;36m", White = "\27[1;37m",
  _black = "\27[40m", _red = "\27[41m", _green = "\27[42m", _yellow = "\27[43m",
  _blue = "\27[44m", _magenta = "\27[45m", _cyan = "\27[46m", _white = "\27[47m",
}

local enabled = ffi.C.isatty(1) == 1 and os.getenv("TERM") ~= "dumb"

local colorize = {}
for name, code in pairs(codes) do
  colorize[name] = function(text)
    if not enabled then return text end
    return code .. text .. codes.none
  end
end

--- switch colours off (or on again): trepl's noColors()
function colorize.enable(on)
  enabled = on and true or false
end

return colorize
