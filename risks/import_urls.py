from django.urls import path

from risks import import_views
from risks.job_kinds import RISK_IMPORT

urlpatterns = [
    path("export.xlsx", import_views.export, name="export_risks"),
    *RISK_IMPORT.urlpatterns(),
]
