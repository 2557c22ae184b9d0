from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from campaign import views
from districts import signin_views
from jobs.health import healthz

urlpatterns = [
    path("", views.home, name="home"),
    # For a load balancer or a monitor: no sign-in, no personal data (jobs/health.py).
    path("healthz", healthz, name="healthz"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", signin_views.PasswordChange.as_view(), name="password_change"),
    path("accounts/second-factor/", signin_views.otp_verify, name="otp_verify"),
    path("accounts/second-factor/enrol/", signin_views.otp_enrol, name="otp_enrol"),
    path("accounts/second-factor/recovery-codes/", signin_views.otp_recovery_codes, name="otp_recovery_codes"),
    path("i18n/", include("django.conf.urls.i18n")),
    # One sign-in page for everyone (lockout, second factor, forced change), the back office's too.
    path("admin/login/", signin_views.back_office_login),
    path("admin/", admin.site.urls),
    path("", include("districts.urls")),
    path("risks/", include("risks.urls")),
    path("hazards/", include("hazards.urls")),
    path("reports/", include("reporting.urls")),
    path("assessments/", include("assessments.run_urls")),
    path("campaign/", include("campaign.app_urls")),
    path("dashboard/", include("oversight.urls")),
    path("notifications/", include("notifications.urls")),
    path("audit/", include("audit.urls")),
    path("jobs/", include("jobs.urls")),
    path("campaign/tasks/", include("campaign.task_urls")),
    path("assessments/", include("assessments.urls")),
]

admin.site.site_header = settings.PLATFORM_NAME
admin.site.site_title = settings.PLATFORM_NAME
