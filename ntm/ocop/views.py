"""Signed-in pages of the register: a commune's products, add and edit (role `ocop.edit`)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render

from ntm.accounts.scope import can, get_object_for, get_unit_for

from .forms import ProductForm
from .models import OcopProduct
from .services import EDIT, ProductInput, save_product

INPUT_FIELDS = [f for f in ProductInput.__dataclass_fields__]


@login_required
def unit_products(request, pk: int):
    unit = get_unit_for(request, pk)
    products = OcopProduct.objects.restrict(request.user).filter(unit=unit)
    return render(request, "ocop/list.html", {"unit": unit, "products": products, "can_edit": can(request.user, unit, EDIT)})


def _save(request, unit, product=None):
    form = ProductForm(request.POST or None, request.FILES or None, instance=product)
    if request.method == "POST" and form.is_valid():
        data = ProductInput(**{k: form.cleaned_data.get(k) for k in INPUT_FIELDS})
        data.issuer = data.issuer or ""
        try:
            stored = OcopProduct.objects.get(pk=product.pk) if product else None  # the form changed `product`
            saved = save_product(request.user, unit, data, product=stored, photo=form.cleaned_data.get("photo")
                                 if request.FILES.get("photo") else None)
        except ValidationError as exc:
            for field, errs in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errs)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Đã lưu “{saved.name}”: {saved.stars} sao")
            return redirect("ocop:unit", pk=unit.pk)
    return render(request, "ocop/form.html", {"unit": unit, "form": form, "product": product},
                  status=422 if request.method == "POST" else 200)


@login_required
def create(request, pk: int):
    unit = get_unit_for(request, pk, EDIT)
    return _save(request, unit)


@login_required
def edit(request, pk: int):
    product = get_object_for(request, OcopProduct.objects.select_related("unit"), pk, EDIT)
    return _save(request, product.unit, product)
