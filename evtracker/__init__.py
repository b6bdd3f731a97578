"""Configuration only: settings from the environment, URLs, WSGI/ASGI, security headers, health, login lockout.
May import every layer below it (public, sources, companies, dataio, core); nothing imports it."""
