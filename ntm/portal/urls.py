from django.urls import path

from . import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("don-vi/<str:code>/", views.unit, name="unit"),
    path("don-vi-cu/<str:code>/", views.unit, {"legacy": True}, name="legacy_unit"),
    path("don-vi/<str:code>/gui-y-kien/", views.feedback_form, name="feedback_form"),
    path("bai-hoc/", views.lessons, name="lessons"),
    path("bai-hoc/<int:pk>/", views.lesson, name="lesson"),
    path("tin-tuc/", views.news_list, name="news_list"),
    path("tin-tuc/<int:pk>/", views.news, name="news"),
    path("ocop/", views.products, name="products"),
    path("ocop/<int:pk>/", views.product, name="product"),
    path("y-kien/", views.feedback_list, name="feedback_list"),
    path("y-kien/<int:pk>/", views.feedback, name="feedback"),
    path("y-kien/theo-doi/<str:token>/", views.feedback_track, name="feedback_track"),
    path("thi-dua/", views.emulation, name="emulation"),
]
