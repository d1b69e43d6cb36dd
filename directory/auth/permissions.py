"""Who may do what: pure predicates over users, tested without a client."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort
from flask_login import current_user

from ..models import Role, Service, User


def has_role(user: Any, *roles: Role) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and getattr(user, "role", None) in roles


def can_use_workspace(user: Any) -> bool:
    return has_role(user, Role.LINK_WORKER, Role.ADMIN)


def can_edit(user: User, service: Service) -> bool:
    """Admins edit anything; providers edit their own organisations' listings."""
    if has_role(user, Role.ADMIN):
        return True
    return has_role(user, Role.PROVIDER) and any(
        org.id == service.organization_id for org in user.organizations
    )


def role_required(*roles: Role) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """View decorator: sign-in required (redirect), then one of roles (403)."""

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            from . import login_manager

            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorate
