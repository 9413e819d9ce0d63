from ntm.accounts.scope import home_unit, is_admin


def nav(request):
    user = request.user
    if not user.is_authenticated:
        return {}
    return {"home_unit": home_unit(user), "is_admin": is_admin(user)}
