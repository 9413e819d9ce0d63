from django.urls import path

from . import views

app_name = "recognition"

urlpatterns = [
    path("viec-can-lam/", views.inbox, name="inbox"),
    path("don-vi/<id:pk>/cong-nhan/", views.unit_recognitions, name="unit"),
    path("don-vi/<id:pk>/cong-nhan/lap-ho-so/", views.open_dossier, name="open"),
    path("don-vi/<id:pk>/cong-nhan/nhap-quyet-dinh/", views.record_past, name="record"),
    path("don-vi/<id:pk>/duy-tri/", views.standings, name="standings"),
    path("ho-so/<id:pk>/", views.dossier_page, name="dossier"),
    path("ho-so/<id:pk>/buoc/<slug:action>/", views.act, name="act"),
    path("ho-so/<id:pk>/doc-loa/", views.add_reading, name="reading"),
    path("ho-so/<id:pk>/y-kien/", views.add_comment, name="comment"),
    path("ho-so/<id:pk>/dieu-kien/", views.declare, name="conditions"),
    path("ho-so/<id:pk>/ngoai-le/", views.override, name="override"),
    path("ho-so/<id:pk>/tai-lieu/", views.attach, name="attach"),
    path("ho-so/<id:pk>/van-ban/<slug:kind>.<slug:fmt>", views.document, name="document"),
    path("tai-lieu/<id:pk>/", views.attachment, name="attachment"),
    path("cong-nhan/<id:pk>/xem-xet-thu-hoi/", views.open_case, name="open_case"),
    path("thu-hoi/<id:pk>/", views.case_page, name="case"),
]
