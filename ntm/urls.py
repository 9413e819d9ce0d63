from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from ntm.accounts import views as accounts
from ntm.api.routes import api
from ntm.evaluations import views as evaluations
from ntm.figures import imports
from ntm.figures import views as figures
from ntm.reports import home
from ntm.reports import upload as maps
from ntm.reports import views as reports
from ntm.units import views as units

urlpatterns = [
    path("", home.home, name="home"),
    path("dang-nhap/", auth_views.LoginView.as_view(), name="login"),
    path("dang-xuat/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("don-vi/", units.tree, name="unit_tree"),
    path("don-vi/tim/", units.search, name="unit_search"),
    path("don-vi/<int:pk>/", evaluations.unit_detail, name="unit_detail"),
    path("don-vi/<int:pk>/con/", units.children, name="unit_children"),
    path("don-vi/<int:pk>/phan-loai/", units.classify, name="unit_classify"),
    path("don-vi/<int:pk>/bao-cao/<int:year>.pdf", reports.unit_report, name="unit_report"),
    path("don-vi/<int:pk>/bao-cao/<int:year>.docx", reports.unit_report, {"fmt": "docx"}, name="unit_report_docx"),
    path("don-vi/<int:pk>/so-lieu/<int:year>/", figures.entry, name="figure_entry"),
    path("don-vi/<int:pk>/so-lieu/<int:year>/ky/", figures.period, name="period"),
    path("don-vi/<int:pk>/so-lieu/<int:year>/excel/", imports.import_figures, name="figure_import"),
    path("don-vi/<int:pk>/so-lieu/<int:year>/<slug:field>/", figures.save, name="figure_save"),
    path("don-vi/<int:pk>/so-lieu/<int:year>/<slug:field>/lich-su/", figures.history, name="figure_history"),
    path("bang-dieu-khien/<int:pk>/", reports.dashboard, name="dashboard"),
    path("don-vi/<int:pk>/tinh-lai/", evaluations.recompute, name="recompute"),
    path("cong-viec/tinh-lai/<int:pk>/", evaluations.recompute_job, name="recompute_job"),
    path("toan-quoc/", reports.national, name="national"),
    path("ban-do/", maps.upload, name="map_upload"),
    path("ban-do/<int:pk>.geojson", maps.layer, name="map_layer"),
    path("nguoi-dung/", accounts.user_list, name="user_list"),
    path("nguoi-dung/<int:pk>/", accounts.user_grants, name="user_grants"),
    path("don-vi/<int:pk>/nhat-ky/", accounts.audit_log, name="audit_log"),
    path("", include("ntm.recognition.urls")),
    path("api/", api.urls),
    path("quan-tri/", admin.site.urls),
]
