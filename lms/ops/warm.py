"""Work every worker process would otherwise repeat on its first requests, done once before forking."""

from flask import Flask
from sqlalchemy.orm import configure_mappers


def warm_up(app: Flask) -> int:
    """Compile every template into the app's Jinja cache and configure the ORM mappers.

    Run in gunicorn's master (`when_ready`, with `preload_app`), so each forked worker
    starts with them ready: measured, a fresh worker's first dashboard took 65 ms
    instead of 4, mostly compiling templates. Opens no database connection. Returns
    the number of templates compiled.
    """
    names = app.jinja_env.list_templates()
    for name in names:
        app.jinja_env.get_template(name)
    configure_mappers()
    return len(names)
