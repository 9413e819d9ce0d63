from django.urls import path

from . import views

app_name = "practices"
urlpatterns = [
    path("don-vi/<int:pk>/tin-tuc/", views.unit_news, name="unit_news"),
    path("don-vi/<int:pk>/tin-tuc/viet/", views.create_news, name="create_news"),
    path("tin-tuc/<int:pk>/sua/", views.edit_news, name="edit_news"),
]
