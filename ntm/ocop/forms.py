from django import forms

from .models import OcopProduct


class ProductForm(forms.ModelForm):
    class Meta:
        model = OcopProduct
        fields = ["name", "producer", "producer_email", "group", "description", "score_a", "score_b", "score_c",
                  "issuer", "certificate_number", "issued_on", "revoked_on", "revoke_reason", "photo", "public"]
        widgets = {"issued_on": forms.DateInput(attrs={"placeholder": "dd/mm/yyyy"}),
                   "revoked_on": forms.DateInput(attrs={"placeholder": "dd/mm/yyyy"}),
                   "description": forms.Textarea(attrs={"rows": 3})}
        help_texts = {"score_a": "tối đa 40", "score_b": "tối đa 25", "score_c": "tối đa 35"}
