from django.urls import path

from . import views

app_name = "funding"

urlpatterns = [
    path("don-vi/<int:pk>/nguon-luc/", views.ledger, name="ledger"),
    path("don-vi/<int:pk>/nguon-luc/excel/", views.export, name="export"),
    path("don-vi/<int:pk>/nguon-luc/nhap/", views.import_entries, name="import"),
    path("nguon-luc/<int:pk>/dao/", views.reverse, name="reverse"),
    path("don-vi/<int:pk>/nguon-luc/cai-dat/", views.settings, name="settings"),
    path("don-vi/<int:pk>/du-an/", views.project_list, name="projects"),
    path("du-an/<int:pk>/", views.project, name="project"),
    path("cong-khai/don-vi/<str:code>/nguon-luc/", views.public_disclosure, name="disclosure"),
]
