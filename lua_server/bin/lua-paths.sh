# Sourced by the launchers: this project's runtime first on the module path, then the users'
# own package tree ($LUATORCH_HOME, default ~/.luatorch, laid out as a luarocks tree), then
# the system's. `here` is lua_server/.
user_tree=${LUATORCH_HOME:-${HOME:-.}/.luatorch}
export LUA_PATH="$here/?.lua;$here/?/init.lua;$user_tree/share/lua/5.1/?.lua;$user_tree/share/lua/5.1/?/init.lua;${LUA_PATH:-;}"
export LUA_CPATH="$user_tree/lib/lua/5.1/?.so;${LUA_CPATH:-;}"
