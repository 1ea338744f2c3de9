-- The runtime's own Lua files (lua_server/, without specs and build output), for the specs
-- that check a rule over all of its code: each(root, fn) calls fn(path, label), label being
-- the path from the project root.
local lfs = require "lfs"

local _M = {}

function _M.each(project_root, fn)
  local function walk(dir)
    for name in lfs.dir(dir) do
      local path = dir .. "/" .. name
      if name ~= "." and name ~= ".." and name ~= "spec" and name ~= "build" then
        if lfs.attributes(path, "mode") == "directory" then walk(path)
        elseif name:match("%.lua$") then fn(path, path:sub(#project_root + 1)) end
      end
    end
  end
  walk(project_root .. "lua_server")
end

return _M
