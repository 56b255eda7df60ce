"""The supervisor console: server-rendered pages over the same register functions the API uses."""
