from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from campaign import views

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("", include("districts.urls")),
    path("risks/", include("risks.urls")),
    path("hazards/", include("hazards.urls")),
    path("reports/", include("reporting.urls")),
    path("audit/", include("audit.urls")),
]

admin.site.site_header = settings.PLATFORM_NAME
admin.site.site_title = settings.PLATFORM_NAME
