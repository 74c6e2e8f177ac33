"""Flask-Limiter's request hooks run only on requests a limit can apply to.

Measured reason (commit b6b0109 and session 4, bench/README.md): for a request no
limit can apply to, the limiter's hooks (work out the limits, add the headers,
settle deductions, clear its state) were a twentieth of a cached page in-process
(~5 %).

Library internals relied on, pinned in requirements.txt (Flask-Limiter) and held by
tests/ops/test_rate_limit_scope.py, which fails if an upgrade changes them: the limiter
installs its hooks on the app as bound methods of itself (or functools.partial of
them) in `before_request_funcs`, `after_request_funcs` and `teardown_request_funcs`
(Flask's public hook registries); `limit_manager.default_limits` and
`.application_limits` say whether limits apply everywhere.
"""

import functools

from flask import Flask

from lms.extensions import limiter

# Rate limits are on single views (sign-in, passwords: their decorators check them) or on
# the blueprints below (checked before each request); a test holds the code to that. A
# request that reads a page elsewhere cannot meet a limit before its view runs.
LIMITED_BLUEPRINTS = frozenset({"api", "verify"})
UNLIMITED_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def cannot_be_limited() -> bool:
    from flask import request

    return request.method in UNLIMITED_METHODS and request.blueprint not in LIMITED_BLUEPRINTS


def check_limits_only_where_they_apply(app: Flask) -> None:
    """Skip Flask-Limiter's request hooks on requests no limit applies to.

    Before each request the limiter works out which limits apply; after it, it adds
    the rate-limit headers and settles conditional deductions; on teardown it clears
    its state. For a request that cannot be limited that was a twentieth of a cached
    page. Views with their own limits (decorated) check them in the decorator, and
    only for the methods they name (all of them POST; a test holds that), so only the
    blueprint limits need the hooks, unless default or application-wide limits are
    configured (RATELIMIT_DEFAULT, RATELIMIT_APPLICATION): those apply everywhere,
    and the hooks are left as they are.
    """
    manager = limiter.limit_manager
    if manager.default_limits or manager.application_limits:
        return

    def is_limiters(hook) -> bool:
        # A bound method of the limiter, or functools.partial(Limiter.method, limiter).
        owner = getattr(hook, "__self__", None)
        if owner is None and isinstance(hook, functools.partial) and hook.args:
            owner = hook.args[0]
        return owner is limiter

    # An after-request hook hands the response on; the others return nothing.
    for hooks, hands_on in (
        (app.before_request_funcs.get(None, []), False),
        (app.after_request_funcs.get(None, []), True),
        (app.teardown_request_funcs.get(None, []), False),
    ):
        # None when RATELIMIT_ENABLED is off: the limiter installed no hooks.
        for index, hook in enumerate(hooks):
            if is_limiters(hook):
                hooks[index] = only_where_limits_apply(hook, hands_on)


def only_where_limits_apply(hook, hands_on: bool):
    @functools.wraps(hook)
    def limiter_hook(*args):
        if cannot_be_limited():
            return args[0] if hands_on else None
        return hook(*args)

    return limiter_hook
