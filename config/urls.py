from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from config import views
from config.errors import api_not_found
from experts import signin_views

urlpatterns = [
    path("admin/", include(wagtailadmin_urls)),
    path("django-admin/", admin.site.urls),
    path("documents/", include(wagtaildocs_urls)),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("accounts/code/", signin_views.signin_code, name="signin-code"),
    path("accounts/code/verify/", signin_views.signin_code_verify, name="signin-code-verify"),
    path("accounts/second-factor/", signin_views.second_factor_verify, name="second-factor"),
    path("accounts/second-factor/setup/", signin_views.second_factor_setup, name="second-factor-setup"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("portal/", views.portal_home, name="portal-home"),
    path("portal/text-size/", views.text_size, name="text-size"),
    path("portal/", include("reviews.urls")),
    path("portal/", include("consultations.urls")),
    path("", include("experts.urls")),
    path("api/v1/", include("config.api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    re_path(r"^api/", api_not_found, name="api-not-found"),  # a JSON 404, not the site's HTML page
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# The committee site: search, feeds, sitemap (cms/urls.py), then Wagtail's pages last.
urlpatterns += [path("", include("cms.urls"))]
urlpatterns += [path("", include(wagtail_urls))]

handler400 = "config.errors.bad_request"  # JSON under /api/ (config/errors.py)
