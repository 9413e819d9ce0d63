from django import forms
from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ntm.units.models import Unit

from .models import Role
from .usernames import UsernameError, check_new


class UnitCodeField(forms.CharField):
    """A unit by its official code (current units; `L:` prefix for a pre-2025 unit)."""

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        scheme = Unit.Scheme.LEGACY if value.upper().startswith("L:") else Unit.Scheme.CURRENT
        code = value.split(":", 1)[-1].strip()
        candidates = [code, code.zfill(5), code.zfill(3), code.zfill(2)]
        found = {u.code: u for u in Unit.objects.filter(scheme__in=[scheme, Unit.Scheme.LOCAL], code__in=candidates)}
        unit = next((found[c] for c in candidates if c in found), None)
        if unit is None:
            raise forms.ValidationError(_("Không tìm thấy đơn vị mã “%(code)s”") % {"code": value})
        return unit


class GrantForm(forms.Form):
    role = forms.ChoiceField(label=gettext_lazy("Vai trò"), choices=Role.choices)
    unit = UnitCodeField(label=gettext_lazy("Mã đơn vị"), required=False,
                         help_text=gettext_lazy("Mã tỉnh (38), xã (15505) hoặc thôn; để trống = toàn quốc (chỉ quản trị)"))

    def clean(self):
        data = super().clean()
        if data.get("role") != Role.ADMIN and not data.get("unit"):
            self.add_error("unit", _("Vai trò này cần một đơn vị"))
        return data


class UserCreateForm(GrantForm):
    username = forms.CharField(label=gettext_lazy("Tên đăng nhập"), max_length=150)
    full_name = forms.CharField(label=gettext_lazy("Họ và tên"), max_length=150, required=False)
    password = forms.CharField(label=gettext_lazy("Mật khẩu"), widget=forms.PasswordInput(render_value=True))

    field_order = ["username", "full_name", "password", "role", "unit"]

    def clean_username(self):
        try:
            return check_new(self.cleaned_data["username"])
        except UsernameError as exc:
            raise forms.ValidationError(str(exc)) from exc

    def clean_password(self):
        password = self.cleaned_data["password"]
        name = (self.data.get("username") or "").strip()
        validate_password(password, User(username=name, first_name=self.data.get("full_name", "")))
        return password


class AuditFilterForm(forms.Form):
    ACTIONS = [("", "Mọi thao tác"), ("figures.", "Số liệu"), ("figures.excel", "Nhập Excel"),
               ("figures.close_period", "Khoá kỳ"), ("figures.reopen_period", "Mở lại kỳ"), ("units.", "Phân loại đơn vị"),
               ("accounts.", "Người dùng, phân quyền"), ("admin.", "Trang quản trị")]
    action = forms.ChoiceField(label="Thao tác", choices=ACTIONS, required=False)
    user = forms.CharField(label="Người thực hiện", max_length=150, required=False)
    since = forms.DateField(label="Từ ngày", required=False)
    until = forms.DateField(label="Đến ngày", required=False)
