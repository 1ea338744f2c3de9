-- Torch7's paths.install_* variables. Torch7 pointed them at its install tree; ours point at
-- the users' package tree (README: "Your own Lua packages"), $LUATORCH_HOME or ~/.luatorch,
-- which the launchers put on package.path and package.cpath, and at this project's bin/.
local M = {}

function M.user_tree()
  local home = os.getenv("LUATORCH_HOME")
  if home and home ~= "" then return home end
  return (os.getenv("HOME") or ".") .. "/.luatorch"
end

function M.define(paths)
  local prefix = M.user_tree()
  local here = debug.getinfo(1, "S").source:match("^@(.*)/paths/[^/]*$")
  local root = here and paths.concat(here) or paths.cwd()
  paths.install_prefix = prefix
  paths.install_lua_path = prefix .. "/share/lua/5.1"
  paths.install_lua_cpath = prefix .. "/lib/lua/5.1"
  paths.install_lib = prefix .. "/lib"
  paths.install_share = prefix .. "/share"
  paths.install_include = prefix .. "/include"
  paths.install_cmake = prefix .. "/share/cmake"
  paths.install_bin = root .. "/bin"
  paths.install_man = prefix .. "/share/man"
  paths.install_html = prefix .. "/share/html"
end

return M
