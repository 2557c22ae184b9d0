from django.urls import path

from notifications import views

urlpatterns = [
    path("", views.notification_list, name="notification_list"),
    path("unread/", views.unread, name="notification_unread"),
    path("read-all/", views.notifications_read_all, name="notifications_read_all"),
    path("settings/", views.notification_settings, name="notification_settings"),
    path("tomorrow/", views.preview, name="notification_preview"),
    path("<int:pk>/", views.notification_detail, name="notification_detail"),
    path("<int:pk>/read/", views.notification_read, name="notification_read"),
    path("<int:pk>/open/<int:reminder_pk>/", views.notification_open, name="notification_open"),
]
