"""Forms for each step of a dossier; they only parse input — services decide and write."""

from __future__ import annotations

from django import forms

from . import workflow
from .models import LEVELS
from .rules import load

YES_NO = [("", "— chưa kê khai —"), ("1", "Có"), ("0", "Không")]


def _tri(value: str) -> bool | None:
    return None if value in ("", None) else value == "1"


class OpenDossierForm(forms.Form):
    level = forms.ChoiceField(label="Mức đề nghị công nhận", choices=LEVELS)
    year = forms.IntegerField(label="Năm", min_value=2010, max_value=2035)

    def __init__(self, *args, levels=None, **kwargs):
        super().__init__(*args, **kwargs)
        if levels is not None:
            self.fields["level"].choices = [(k, v) for k, v in LEVELS if k in levels]


class StepForm(forms.Form):
    """The comment every move may carry (required for return, refusal, cancel)."""

    comment = forms.CharField(label="Ý kiến, lý do", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, action: str = "", criteria=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.action = action
        if action in workflow.NEEDS_COMMENT:
            self.fields["comment"].required = True
        for name, field in EXTRA.get(action, {}).items():
            self.fields[name] = field()
        if action == workflow.APPRAISE:
            for code, name, met in criteria:
                self.fields[f"v_{code}"] = forms.ChoiceField(
                    label=f"Tiêu chí {code}. {name}", choices=[("1", "Đạt"), ("0", "Không đạt")],
                    initial="1" if met else "0")
                self.fields[f"c_{code}"] = forms.CharField(label=f"Ý kiến tiêu chí {code}", required=False)

    def step_data(self) -> dict:
        """Keyword arguments for services.transition."""
        data = dict(self.cleaned_data)
        data.pop("comment", None)
        if self.action == workflow.APPRAISE:
            verdicts = {}
            for key in [k for k in data if k.startswith("v_")]:
                code = key[2:]
                verdicts[code] = (data.pop(key) == "1", data.pop(f"c_{code}", "") or "")
            data["verdicts"] = verdicts
            data["members"] = [m for m in (data.get("members") or "").splitlines() if m.strip()]
        return {k: v for k, v in data.items() if v not in (None, "")}


EXTRA = {
    workflow.OPEN_CONSULTATION: {
        "posted_at": lambda: forms.CharField(label="Nơi niêm yết báo cáo", max_length=255,
                                             initial="Trụ sở UBND xã, nhà văn hóa các thôn"),
        "opened_on": lambda: forms.DateField(label="Ngày bắt đầu lấy ý kiến (dd/mm/yyyy)"),
    },
    workflow.RECORD_SURVEY: {
        "households_asked": lambda: forms.IntegerField(label="Số hộ được hỏi", min_value=0),
        "households_answered": lambda: forms.IntegerField(label="Số hộ trả lời", min_value=0),
        "households_satisfied": lambda: forms.IntegerField(label="Số hộ hài lòng", min_value=0),
        "method": lambda: forms.CharField(label="Hình thức khảo sát", required=False,
                                          initial="Phiếu khảo sát tại hộ"),
        "survey_on": lambda: forms.DateField(label="Ngày tổng hợp (dd/mm/yyyy)", required=False),
    },
    workflow.APPRAISE: {
        "members": lambda: forms.CharField(label="Thành viên Hội đồng (mỗi dòng một người)",
                                           widget=forms.Textarea(attrs={"rows": 3})),
        "meeting_on": lambda: forms.DateField(label="Ngày họp (dd/mm/yyyy)", required=False),
        "votes_for": lambda: forms.IntegerField(label="Số phiếu tán thành", min_value=0),
        "votes_against": lambda: forms.IntegerField(label="Số phiếu không tán thành", min_value=0),
        "conclusion": lambda: forms.CharField(label="Kết luận", required=False, widget=forms.Textarea(attrs={"rows": 2})),
    },
    workflow.RECOGNISE: {
        "decision_number": lambda: forms.CharField(label="Số, ký hiệu quyết định", max_length=64),
        "decision_date": lambda: forms.DateField(label="Ngày quyết định (dd/mm/yyyy)", required=False),
        "signer_name": lambda: forms.CharField(label="Người ký", max_length=128, required=False),
        "signed_file": lambda: forms.FileField(label="Bản quyết định đã ký", required=False),
    },
    workflow.ANNOUNCE: {
        "ceremony_date": lambda: forms.DateField(label="Ngày công bố (dd/mm/yyyy)", required=False),
        "certificate": lambda: forms.CharField(label="Bằng công nhận (số)", max_length=128, required=False),
    },
}


class ReadingForm(forms.Form):
    on = forms.DateField(label="Ngày đọc trên loa (dd/mm/yyyy)")
    note = forms.CharField(label="Ghi chú", required=False, max_length=255)


class CommentForm(forms.Form):
    organisation = forms.CharField(label="Tổ chức", max_length=128, initial="Ủy ban MTTQ Việt Nam xã")
    on = forms.DateField(label="Ngày văn bản (dd/mm/yyyy)")
    text = forms.CharField(label="Nội dung ý kiến", widget=forms.Textarea(attrs={"rows": 2}))
    file = forms.FileField(label="Văn bản", required=False)


class ConditionsForm(forms.Form):
    no_debt = forms.ChoiceField(label="Không còn nợ đọng XDCB trong xây dựng NTM", choices=YES_NO, required=False)
    no_debt_evidence = forms.CharField(label="Minh chứng (số, ngày báo cáo nợ đọng)", required=False, max_length=255)
    security_ok = forms.ChoiceField(label="An ninh trật tự không thuộc diện “phức tạp”", choices=YES_NO, required=False)
    security_evidence = forms.CharField(label="Minh chứng (xác nhận của Công an)", required=False, max_length=255)

    def values(self) -> dict:
        d = self.cleaned_data
        return {"no_debt": _tri(d["no_debt"]), "no_debt_evidence": d["no_debt_evidence"],
                "security_ok": _tri(d["security_ok"]), "security_evidence": d["security_evidence"]}


class OverrideForm(forms.Form):
    criterion = forms.CharField(label="Tiêu chí", max_length=16)
    reason = forms.CharField(label="Lý do Hội đồng chấp thuận", widget=forms.Textarea(attrs={"rows": 2}))


class AttachmentForm(forms.Form):
    kind = forms.ChoiceField(label="Loại tài liệu", choices=())
    title = forms.CharField(label="Tên tài liệu", required=False, max_length=200)
    file = forms.FileField(label="Tệp")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = list(load().document_types.items())


class WithdrawalStepForm(forms.Form):
    comment = forms.CharField(label="Ý kiến, lý do", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    decision_number = forms.CharField(label="Số, ký hiệu quyết định thu hồi", required=False, max_length=64)
    decision_date = forms.DateField(label="Ngày quyết định (dd/mm/yyyy)", required=False)


class RecordPastForm(forms.Form):
    """A decision taken before NTM was used."""

    level = forms.ChoiceField(label="Mức", choices=LEVELS)
    year = forms.IntegerField(label="Năm đạt chuẩn", min_value=2010, max_value=2035)
    decision_number = forms.CharField(label="Số, ký hiệu quyết định", max_length=64)
    decision_date = forms.DateField(label="Ngày quyết định (dd/mm/yyyy)")
    signer_name = forms.CharField(label="Người ký", max_length=128, required=False)
