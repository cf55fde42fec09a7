"""Every route says who may call it, with exactly one of these decorators.

- `requires(permission)`: a project route (`project_id` in the URL); the caller must hold the
  permission in that project. The view gets the caller's `Access` as its `access` argument,
  and reads through it, so what it reads is cut to the caller's places.
- `signed_in`: any authenticated caller; the view gets the `Principal` as `principal`.
- `public(reason)`: no credentials, for a stated reason (signing in, a health check, a draft
  test code that is itself the credential).

`tests/test_route_permissions.py` walks the URL map and fails for a route with none of them.
"""
from collections.abc import Callable
from functools import wraps

from ..core.access import Permission
from ..services.accounts import grants
from .identify import require_principal

ACCESS_RULE = "access_rule"   # the attribute each decorator sets on the view: what the route requires


def requires(permission: Permission, *, challenge: bool = False) -> Callable:
    """The route needs `permission` in the project named by its `project_id` URL argument.

    With `challenge`, a request without credentials gets a Digest challenge (OpenRosa routes:
    Collect asks for a password only when challenged). Raises Problem 401 / 403.1 / 404.1.
    """
    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def checked(*args, **kwargs):
            principal = require_principal(challenge=challenge)
            access = grants.require(principal, permission, kwargs["project_id"])
            return view(*args, access=access, **kwargs)
        setattr(checked, ACCESS_RULE, str(permission))
        return checked
    return decorate


def signed_in(view: Callable) -> Callable:
    """The route needs an authenticated caller and nothing more; it decides the rest itself."""
    @wraps(view)
    def checked(*args, **kwargs):
        return view(*args, principal=require_principal(challenge=False), **kwargs)
    setattr(checked, ACCESS_RULE, "signed in")
    return checked


def public(reason: str) -> Callable:
    """The route takes no credentials; `reason` says why that is safe."""
    def decorate(view: Callable) -> Callable:
        setattr(view, ACCESS_RULE, f"public: {reason}")
        return view
    return decorate
