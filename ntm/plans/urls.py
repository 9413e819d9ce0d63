from django.urls import path

from . import views

app_name = "plans"

urlpatterns = [
    path("don-vi/<id:pk>/uu-tien/<year:year>/", views.prioritise, name="prioritise"),
    path("don-vi/<id:pk>/uu-tien/<year:year>/chap-nhan/", views.accept, name="accept"),
    path("don-vi/<id:pk>/uu-tien/<year:year>/nguoi-dan/", views.priority, name="priority"),
    path("don-vi/<id:pk>/ke-hoach/", views.plan_list, name="list"),
    path("don-vi/<id:pk>/chi-dao/", views.leadership, name="leadership"),
    path("don-vi/<id:pk>/don-gia/", views.catalogue, name="catalogue"),
    path("don-vi/<id:pk>/so-ket/<year:year>/", views.review, name="review"),
    path("ke-hoach/<id:pk>/", views.detail, name="detail"),
    path("ke-hoach/<id:pk>/excel/", views.export, name="export"),
    path("nhiem-vu/<id:pk>/", views.task, name="task"),
    path("nhiem-vu/<id:pk>/du-toan/", views.budget, name="budget"),
]
