"""REST layer tests: HTTP through the real ASGI app, in-process."""
