from django.urls import path

from oversight import views

app_name = "oversight"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("unit/<int:pk>/", views.unit_dashboard, name="unit"),
    path("rebuild/", views.rebuild, name="rebuild"),
]
