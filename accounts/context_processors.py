from accounts.selectors import roles_for


def navigation(request) -> dict:
    """The signed-in person's roles, for the menu. Evaluated only when a template asks."""
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    return {"user_roles": lambda: roles_for(request.user)}
