"""Forms for classifying communes (group 2026–2030 from the decision's inputs; 2021–2025 flags)."""

from __future__ import annotations

from django import forms

from .rules import flag_defs, input_defs


class GroupForm(forms.Form):
    adjacent_urban = forms.BooleanField(required=False)
    agriculture_share = forms.DecimalField(required=False, min_value=0, max_value=100, decimal_places=2,
                                           localize=True)
    new_urban_area = forms.BooleanField(required=False)
    ethnic_area = forms.ChoiceField(required=False)
    group = forms.TypedChoiceField(label="Nhóm xã do tỉnh xác định", required=False, coerce=int, empty_value=None,
                                   choices=[("", "Theo dữ kiện"), (1, "Nhóm 1"), (2, "Nhóm 2"), (3, "Nhóm 3")])
    source = forms.CharField(label="Căn cứ (số quyết định, văn bản)", max_length=255)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        defs = input_defs()
        for name, d in defs.items():
            self.fields[name].label = d["name"]
        self.fields["ethnic_area"].choices = [(c, c or "—") for c in defs["ethnic_area"]["choices"]]
        self.fields["agriculture_share"].label += " (%)"

    def inputs(self) -> dict:
        d = self.cleaned_data
        out = {k: d[k] for k in ("adjacent_urban", "new_urban_area")}
        out["agriculture_share"] = float(d["agriculture_share"]) if d.get("agriculture_share") is not None else None
        out["ethnic_area"] = d.get("ethnic_area") or ""
        return out


class FlagsForm(forms.Form):
    flags = forms.MultipleChoiceField(label="Đặc điểm 2021–2025", required=False, widget=forms.CheckboxSelectMultiple)
    source = forms.CharField(label="Căn cứ", max_length=255, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["flags"].choices = [(k, d["name"]) for k, d in flag_defs().items()]
