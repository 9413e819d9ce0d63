from django import forms

from . import rules
from .models import Feedback


class FeedbackForm(forms.Form):
    """The public form (no account). `challenge` is issued by the server, `nonce` found by pow.js."""

    subject = forms.ChoiceField(label="Ý kiến về", choices=Feedback.Subject.choices, initial=Feedback.Subject.UNIT)
    criterion = forms.CharField(label="Tiêu chí (nếu có)", required=False, max_length=16)
    project = forms.CharField(label="Công trình, dự án (nếu có)", required=False, max_length=200)
    title = forms.CharField(label="Tiêu đề", max_length=200)
    body = forms.CharField(label="Nội dung", widget=forms.Textarea(attrs={"rows": 5}), max_length=4000)
    author_name = forms.CharField(label="Họ tên (không bắt buộc)", required=False, max_length=120)
    show_name = forms.BooleanField(label="Cho phép công khai họ tên", required=False)
    contact = forms.CharField(label="Điện thoại hoặc thư điện tử để xã liên hệ (không công khai)", required=False,
                              max_length=120)
    challenge = forms.CharField(widget=forms.HiddenInput)
    nonce = forms.CharField(widget=forms.HiddenInput, required=False)


class AnswerForm(forms.Form):
    action = forms.ChoiceField(choices=list(rules.ACTIONS.items()), widget=forms.HiddenInput)
    answer = forms.CharField(label="Trả lời công khai", widget=forms.Textarea(attrs={"rows": 4}), required=False)
    note = forms.CharField(label="Ghi chú nội bộ", required=False, max_length=255)


class CommendationForm(forms.Form):
    form = forms.ChoiceField(label="Hình thức", choices=lambda: rules.choices("forms"))
    recipient_type = forms.ChoiceField(label="Đối tượng", choices=lambda: rules.choices("recipient_types"))
    recipient = forms.CharField(label="Tên đối tượng", max_length=200)
    publish_name = forms.BooleanField(label="Công khai tên (hộ, cá nhân)", required=False)
    decision_number = forms.CharField(label="Số quyết định", max_length=64)
    decision_date = forms.DateField(label="Ngày quyết định")
    reason = forms.CharField(label="Thành tích", required=False, max_length=500)
    proposal = forms.BooleanField(label="Mới là đề nghị (từ sơ kết, tổng kết; chưa có quyết định, không công khai)",
                                  required=False)


class CulturalTitleForm(forms.Form):
    year = forms.IntegerField(label="Năm", min_value=2000, max_value=2100)
    title = forms.ChoiceField(label="Danh hiệu", choices=rules.title_choices)
    count = forms.IntegerField(label="Số đạt", min_value=0)
    total = forms.IntegerField(label="Tổng số (hộ, thôn…)", min_value=0, required=False)
    source = forms.CharField(label="Nguồn (báo cáo bình xét)", max_length=255, required=False)
