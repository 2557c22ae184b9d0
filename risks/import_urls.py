from django.urls import path

from risks import import_views

urlpatterns = [
    path("export.xlsx", import_views.export, name="export_risks"),
    path("import/", import_views.import_upload, name="import_risks"),
    path("import/template.xlsx", import_views.import_template, name="import_risks_template"),
    path("import/jobs/<int:pk>/", import_views.import_job, name="import_risks_job"),
    path("import/jobs/<int:pk>/confirm/", import_views.import_job_confirm, name="import_risks_confirm"),
]
