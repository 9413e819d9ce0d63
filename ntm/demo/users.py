"""One demo login per role, password `ntm-demo` (demo settings only; see README)."""

from django.contrib.auth.models import User

from ntm.accounts.models import Grant, Role
from ntm.units.models import Unit

PASSWORD = "ntm-demo"


def ensure_users() -> list[str]:
    thanh_hoa = Unit.objects.get(scheme=Unit.Scheme.CURRENT, level=Unit.Level.PROVINCE, code="38")
    tho_long = Unit.objects.get(scheme=Unit.Scheme.CURRENT, level=Unit.Level.COMMUNE, code="15505")
    hamlet = Unit.objects.filter(parent=tho_long, level=Unit.Level.HAMLET).order_by("code").first()
    plan = [
        ("admin", "Quản trị hệ thống", Role.ADMIN, None),
        ("tinh", "Văn phòng điều phối NTM tỉnh Thanh Hóa", Role.PROVINCE, thanh_hoa),
        ("xa", "Cán bộ xã Thọ Long", Role.COMMUNE, tho_long),
        ("thon", "Trưởng thôn", Role.HAMLET, hamlet or tho_long),
        ("thamdinh", "Thành viên Hội đồng thẩm định", Role.APPRAISAL, thanh_hoa),
        ("giamsat", "Ban giám sát cộng đồng", Role.SUPERVISOR, tho_long),
        ("xem", "Người xem", Role.VIEWER, thanh_hoa),
    ]
    created = []
    for username, name, role, unit in plan:
        user, new = User.objects.get_or_create(username=username, defaults={"first_name": name})
        if new:
            user.set_password(PASSWORD)
            user.is_staff = user.is_superuser = role == Role.ADMIN
            user.save()
            created.append(username)
        Grant.objects.get_or_create(user=user, unit=unit, role=role)
    return created
