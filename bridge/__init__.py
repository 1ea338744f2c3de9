"""The luatorch bridge: the wire protocol (PROTOCOL.md) and its Python codec."""
