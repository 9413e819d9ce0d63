from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.http import HttpResponsePermanentRedirect
from django.templatetags.static import static as static_url
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
    path("mat-khau/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("mat-khau/da-doi/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    # resolved per request: with hashed static names the manifest exists only after collectstatic
    path("favicon.ico", lambda request: HttpResponsePermanentRedirect(static_url("favicon.svg"))),
    path("i18n/", include("django.conf.urls.i18n")),
    path("don-vi/", units.tree, name="unit_tree"),
    path("don-vi/tim/", units.search, name="unit_search"),
    path("don-vi/<id:pk>/", evaluations.unit_detail, name="unit_detail"),
    path("don-vi/<id:pk>/con/", units.children, name="unit_children"),
    path("don-vi/<id:pk>/phan-loai/", units.classify, name="unit_classify"),
    path("don-vi/<id:pk>/bao-cao/<year:year>.pdf", reports.unit_report, name="unit_report"),
    path("don-vi/<id:pk>/bao-cao/<year:year>.docx", reports.unit_report, {"fmt": "docx"}, name="unit_report_docx"),
    path("don-vi/<id:pk>/tong-ket/<year:year>.pdf", reports.review_report, name="review_report"),
    path("don-vi/<id:pk>/tong-ket/<year:year>.docx", reports.review_report, {"fmt": "docx"}, name="review_report_docx"),
    path("don-vi/<id:pk>/so-lieu/<year:year>/", figures.entry, name="figure_entry"),
    path("don-vi/<id:pk>/so-lieu/<year:year>/ky/", figures.period, name="period"),
    path("don-vi/<id:pk>/so-lieu/<year:year>/excel/", imports.import_figures, name="figure_import"),
    path("don-vi/<id:pk>/so-lieu/<year:year>/<slug:field>/", figures.save, name="figure_save"),
    path("don-vi/<id:pk>/so-lieu/<year:year>/<slug:field>/lich-su/", figures.history, name="figure_history"),
    path("bang-dieu-khien/<id:pk>/", reports.dashboard, name="dashboard"),
    path("don-vi/<id:pk>/tinh-lai/", evaluations.recompute, name="recompute"),
    path("cong-viec/tinh-lai/<id:pk>/", evaluations.recompute_job, name="recompute_job"),
    path("cong-viec/tinh-lai/<id:pk>/chay-lai/", evaluations.recompute_resume, name="recompute_resume"),
    path("toan-quoc/tinh-lai/", evaluations.recompute_national, name="recompute_national"),
    path("toan-quoc/", reports.national, name="national"),
    path("ban-do/", maps.upload, name="map_upload"),
    path("ban-do/<id:pk>.geojson", maps.layer, name="map_layer"),
    path("nguoi-dung/", accounts.user_list, name="user_list"),
    path("nguoi-dung/<id:pk>/", accounts.user_grants, name="user_grants"),
    path("don-vi/<id:pk>/nhat-ky/", accounts.audit_log, name="audit_log"),
    path("", include("ntm.plans.urls")),
    path("", include("ntm.funding.urls")),
    path("", include("ntm.recognition.urls")),
    path("cong-khai/", include("ntm.portal.urls")),
    path("", include("ntm.community.urls")),
    path("", include("ntm.ocop.urls")),
    path("", include("ntm.practices.urls")),
    path("api/", api.urls),
    path("quan-tri/", admin.site.urls),
    *static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT),  # development only (empty when DEBUG=0)
]

# Error pages in Vietnamese, in the site's layout (ntm/core/errors.py, templates/4xx.html, 500.html).
handler400 = "ntm.core.errors.bad_request"
handler403 = "ntm.core.errors.permission_denied"
handler404 = "ntm.core.errors.page_not_found"
handler500 = "ntm.core.errors.server_error"
