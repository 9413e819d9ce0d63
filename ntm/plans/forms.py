"""Forms of the plans pages (Vietnamese labels; dates typed dd/mm/yyyy by the project formats)."""

from __future__ import annotations

from django import forms

from ntm.criteria.spec import LEVEL_LABELS
from ntm.funding.config import source_choices

from .models import Committee, Member, Organisation, Review, Task

LEVELS = [(k, v) for k, v in LEVEL_LABELS.items() if k]


class Styled(forms.Form):
    """Tabler classes on every widget (inputs, selects, text areas)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            css = "form-select" if isinstance(widget, forms.Select) else (
                "form-check-input" if isinstance(widget, forms.CheckboxInput) else "form-control")
            widget.attrs.setdefault("class", css)


class PlanForm(Styled):
    title = forms.CharField(label="Tên kế hoạch", max_length=300)
    target_level = forms.ChoiceField(label="Mức phấn đấu", choices=LEVELS)
    target_year = forms.IntegerField(label="Năm đạt", min_value=2010, max_value=2035)
    year_from = forms.IntegerField(label="Từ năm", min_value=2010, max_value=2035)
    year_to = forms.IntegerField(label="Đến năm", min_value=2010, max_value=2035)
    decision = forms.CharField(label="Số quyết định", max_length=120, required=False)
    decision_date = forms.DateField(label="Ngày quyết định", required=False)


class AcceptForm(Styled):
    plan = forms.IntegerField(label="Kế hoạch")
    indicators = forms.MultipleChoiceField(label="Chỉ tiêu", choices=[])
    deadline = forms.DateField(label="Hạn hoàn thành", required=False)

    def __init__(self, *args, codes: list[str] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicators"].choices = [(c, c) for c in codes]


class TaskForm(Styled):
    owner = forms.ModelChoiceField(label="Đơn vị chủ trì", queryset=Organisation.objects.none(), required=False)
    deadline = forms.DateField(label="Hạn hoàn thành", required=False)
    status = forms.ChoiceField(label="Trạng thái", choices=Task.Status.choices, required=False)

    def __init__(self, *args, unit=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = Organisation.objects.filter(unit=unit, active=True)


class BudgetForm(Styled):
    source = forms.ChoiceField(label="Nguồn", choices=source_choices())
    amount = forms.CharField(label="Số tiền (đồng)", max_length=30, required=False)


class OrganisationForm(Styled):
    name = forms.CharField(label="Tên tổ chức", max_length=160)
    kind = forms.ChoiceField(label="Loại", choices=Organisation.Kind.choices)


class CommitteeForm(Styled):
    kind = forms.ChoiceField(label="Ban", choices=Committee.Kind.choices)
    name = forms.CharField(label="Tên ban", max_length=200)
    decision = forms.CharField(label="Quyết định thành lập", max_length=120, required=False)


class MemberForm(Styled):
    committee = forms.ModelChoiceField(label="Ban", queryset=Committee.objects.none())
    name = forms.CharField(label="Họ tên", max_length=120)
    position = forms.CharField(label="Chức vụ", max_length=160, required=False)
    role = forms.ChoiceField(label="Vai trò", choices=Member.Role.choices)

    def __init__(self, *args, unit=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["committee"].queryset = Committee.objects.filter(unit=unit)


class AssignmentForm(Styled):
    criterion = forms.CharField(label="Tiêu chí", max_length=16)
    organisation = forms.ModelChoiceField(label="Tổ chức phụ trách", queryset=Organisation.objects.none())

    def __init__(self, *args, unit=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.filter(unit=unit)


class CostRateForm(Styled):
    field = forms.CharField(label="Trường số liệu", max_length=64)
    label = forms.CharField(label="Hạng mục", max_length=200)
    unit = forms.CharField(label="Đơn vị tính", max_length=32, required=False)
    unit_cost = forms.CharField(label="Đơn giá (đồng)", max_length=30)
    effort = forms.TypedChoiceField(label="Độ khó", coerce=int, choices=[(1, "Dễ"), (2, "Trung bình"), (3, "Khó")])
    source = forms.CharField(label="Nguồn", max_length=300, required=False)


class PriorityForm(Styled):
    code = forms.CharField(label="Chỉ tiêu hoặc tiêu chí", max_length=16)
    weight = forms.IntegerField(label="Mức ưu tiên", min_value=0, max_value=10)
    note = forms.CharField(label="Cuộc họp", max_length=300, required=False)


class ReviewForm(Styled):
    kind = forms.ChoiceField(label="Loại", choices=Review.Kind.choices)
    lessons = forms.CharField(label="Bài học kinh nghiệm", widget=forms.Textarea, required=False)
    commendations = forms.CharField(label="Đề nghị khen thưởng", widget=forms.Textarea, required=False)
