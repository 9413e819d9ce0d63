from django.urls import path

from . import views

app_name = "plans"

urlpatterns = [
    path("don-vi/<int:pk>/uu-tien/<int:year>/", views.prioritise, name="prioritise"),
    path("don-vi/<int:pk>/uu-tien/<int:year>/chap-nhan/", views.accept, name="accept"),
    path("don-vi/<int:pk>/uu-tien/<int:year>/nguoi-dan/", views.priority, name="priority"),
    path("don-vi/<int:pk>/ke-hoach/", views.plan_list, name="list"),
    path("don-vi/<int:pk>/chi-dao/", views.leadership, name="leadership"),
    path("don-vi/<int:pk>/don-gia/", views.catalogue, name="catalogue"),
    path("don-vi/<int:pk>/so-ket/<int:year>/", views.review, name="review"),
    path("ke-hoach/<int:pk>/", views.detail, name="detail"),
    path("ke-hoach/<int:pk>/excel/", views.export, name="export"),
    path("nhiem-vu/<int:pk>/", views.task, name="task"),
    path("nhiem-vu/<int:pk>/du-toan/", views.budget, name="budget"),
]
