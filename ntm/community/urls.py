from django.urls import path

from . import views

app_name = "community"
urlpatterns = [
    path("y-kien/", views.board, name="board"),
    path("y-kien/<int:pk>/", views.detail, name="detail"),
    path("y-kien/<int:pk>/xu-ly/", views.act, name="act"),
    path("don-vi/<int:pk>/y-kien/", views.unit_feedback, name="unit"),
    path("don-vi/<int:pk>/khen-thuong/", views.commendations, name="commendations"),
]
