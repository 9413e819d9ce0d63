"""Forms of the resources pages (Vietnamese labels; numbers typed "1.234,5"; dates dd/mm/yyyy)."""

from __future__ import annotations

from django import forms

from .config import rules, source_choices
from .models import CommunityProject, Contributor, ProjectType, ResidentDecision


class EntryForm(forms.Form):
    source = forms.ChoiceField(label="Nguồn", choices=source_choices())
    date = forms.DateField(label="Ngày")
    amount = forms.CharField(label="Số tiền (đồng)", max_length=30, required=False)
    quantity = forms.CharField(label="Số lượng (ngày công, m², hiện vật)", max_length=30, required=False)
    rate = forms.CharField(label="Đơn giá quy đổi (đồng/đơn vị)", max_length=30, required=False)
    contributor = forms.ModelChoiceField(label="Người đóng góp", queryset=Contributor.objects.none(), required=False)
    project = forms.ModelChoiceField(label="Dự án", queryset=CommunityProject.objects.none(), required=False)
    work = forms.CharField(label="Công trình, nội dung", max_length=300, required=False)
    decision = forms.ModelChoiceField(label="Họp dân", queryset=ResidentDecision.objects.none(), required=False)
    obligation = forms.BooleanField(label="Mức giao theo hộ", required=False)
    note = forms.CharField(label="Ghi chú", max_length=300, required=False)

    def __init__(self, *args, unit=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contributor"].queryset = Contributor.objects.filter(unit=unit)
        self.fields["project"].queryset = CommunityProject.objects.filter(unit=unit)
        self.fields["decision"].queryset = ResidentDecision.objects.filter(unit=unit)


class ContributorForm(forms.Form):
    name = forms.CharField(label="Tên", max_length=200)
    kind = forms.ChoiceField(label="Loại", choices=Contributor.Kind.choices)
    exemption = forms.ChoiceField(label="Thuộc diện miễn", required=False,
                                  choices=[("", "Không"), *rules().exemptions.items()])
    public_consent = forms.BooleanField(label="Đồng ý công khai tên", required=False)


class DecisionForm(forms.Form):
    subject = forms.CharField(label="Nội dung", max_length=300)
    meeting_date = forms.DateField(label="Ngày họp")
    eligible = forms.IntegerField(label="Số hộ/cử tri thuộc diện biểu quyết", min_value=0)
    attendance = forms.IntegerField(label="Số dự họp", min_value=0)
    agreeing = forms.IntegerField(label="Số đồng ý", min_value=0)
    per_household = forms.CharField(label="Mức đóng góp mỗi hộ (đồng)", max_length=30, required=False)


class DisclosureForm(forms.Form):
    year = forms.IntegerField(label="Năm", min_value=2010, max_value=2035)
    date = forms.DateField(label="Ngày công khai")
    place = forms.CharField(label="Nơi công khai", max_length=300)


class ReverseForm(forms.Form):
    reason = forms.CharField(label="Lý do đảo", max_length=250)


class ImportForm(forms.Form):
    file = forms.FileField(label="Tệp Excel (.xlsx)")


class ProjectForm(forms.Form):
    name = forms.CharField(label="Tên dự án", max_length=300)
    type = forms.ModelChoiceField(label="Loại dự án (danh mục của tỉnh)", queryset=ProjectType.objects.none())
    total = forms.CharField(label="Tổng mức đầu tư (đồng)", max_length=30)
    start = forms.DateField(label="Khởi công", required=False)
    end = forms.DateField(label="Hoàn thành", required=False)

    def __init__(self, *args, unit=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["type"].queryset = ProjectType.objects.filter(province_id=getattr(unit, "province_id", None))


class BoardForm(forms.Form):
    elected_on = forms.DateField(label="Ngày bầu")
    meeting = forms.CharField(label="Hội nghị bầu", max_length=300, required=False)
    members = forms.CharField(label="Thành viên (mỗi dòng: họ tên; vai trò head/deputy/member)", widget=forms.Textarea)


class InspectionForm(forms.Form):
    date = forms.DateField(label="Ngày giám sát")
    content = forms.CharField(label="Nội dung giám sát", widget=forms.Textarea)
    findings = forms.CharField(label="Phát hiện", widget=forms.Textarea, required=False)
    request_text = forms.CharField(label="Kiến nghị (nếu có)", widget=forms.Textarea, required=False)
    addressed_to = forms.CharField(label="Gửi", max_length=200, required=False)


class FollowUpForm(forms.Form):
    response = forms.CharField(label="Trả lời, xử lý", widget=forms.Textarea)
    resolved_on = forms.DateField(label="Ngày xử lý xong", required=False)


class CeilingForm(forms.Form):
    year_from = forms.IntegerField(label="Áp dụng từ năm", min_value=2010, max_value=2035)
    amount = forms.CharField(label="Mức tối đa mỗi hộ (đồng/năm)", max_length=30)
    decision = forms.CharField(label="Văn bản của tỉnh", max_length=200, required=False)


class ProjectTypeForm(forms.Form):
    code = forms.SlugField(label="Mã", max_length=32)
    name = forms.CharField(label="Loại dự án", max_length=200)
    decision = forms.CharField(label="Văn bản của tỉnh", max_length=200, required=False)
