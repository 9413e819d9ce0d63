from django.urls import path

from . import views

app_name = "funding"

urlpatterns = [
    path("don-vi/<id:pk>/nguon-luc/", views.ledger, name="ledger"),
    path("don-vi/<id:pk>/nguon-luc/excel/", views.export, name="export"),
    path("don-vi/<id:pk>/nguon-luc/nhap/", views.import_entries, name="import"),
    path("nguon-luc/<id:pk>/dao/", views.reverse, name="reverse"),
    path("don-vi/<id:pk>/nguon-luc/cai-dat/", views.settings, name="settings"),
    path("don-vi/<id:pk>/du-an/", views.project_list, name="projects"),
    path("du-an/<id:pk>/", views.project, name="project"),
    path("cong-khai/don-vi/<str:code>/nguon-luc/", views.public_disclosure, name="disclosure"),
]
