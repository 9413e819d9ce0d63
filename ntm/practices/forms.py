from django import forms

from .models import Practice


class NewsForm(forms.Form):
    title = forms.CharField(label="Tiêu đề", max_length=255)
    summary = forms.CharField(label="Tóm tắt", max_length=500, required=False)
    body = forms.CharField(label="Nội dung (HTML đơn giản; mã không an toàn bị loại bỏ)", widget=forms.Textarea(attrs={"rows": 8}))
    criteria = forms.CharField(label="Tiêu chí liên quan (vd. xa-ntm-2026:3, cách nhau bởi dấu cách)", required=False)
    campaign_code = forms.CharField(label="Mã phong trào", required=False, max_length=64)
    lessons = forms.ModelMultipleChoiceField(label="Bài học liên quan", queryset=Practice.objects.filter(public=True),
                                             required=False)
    image = forms.ImageField(label="Ảnh", required=False)
    published = forms.BooleanField(label="Đăng công khai", required=False)
