from django.urls import path

from . import views

app_name = "ocop"
urlpatterns = [
    path("don-vi/<int:pk>/ocop/", views.unit_products, name="unit"),
    path("don-vi/<int:pk>/ocop/them/", views.create, name="create"),
    path("ocop/<int:pk>/sua/", views.edit, name="edit"),
]
