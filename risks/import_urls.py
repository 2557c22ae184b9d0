from django.urls import path

from risks import import_views

urlpatterns = [
    path("export.xlsx", import_views.export, name="export_risks"),
    *import_views.RISK_IMPORT.urlpatterns(),
]
