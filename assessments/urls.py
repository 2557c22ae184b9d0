from django.urls import include, path

from assessments import views
from assessments.job_kinds import TEMPLATE_IMPORT

urlpatterns = [
    path("templates/", views.template_list, name="assessment_template_list"),
    path("templates/<int:pk>/", views.template_detail, name="assessment_template_detail"),
    path("templates/<int:pk>/new-version/", views.template_new_version, name="assessment_template_new_version"),
    path("templates/<int:pk>/export.xlsx", views.template_export, name="assessment_template_export"),
    path("templates/export.xlsx", views.export_any, name="export_assessment_templates"),
    path("templates/", include(TEMPLATE_IMPORT.urlpatterns())),  # import/, import/template.xlsx, import/<pk>/confirm/
]
