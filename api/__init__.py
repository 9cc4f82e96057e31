"""The OMS application: settings, database, domain services, events, auth, the ASGI app, the CLI."""
