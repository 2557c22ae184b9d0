from django.urls import path

from audit import views

urlpatterns = [
    path("", views.event_list, name="audit_events"),
    path("export/", views.event_export, name="audit_export"),
    path("<int:pk>/", views.event_detail, name="audit_event"),
]
