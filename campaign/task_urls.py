from django.urls import path

from campaign import task_views as views
from campaign.task_job_kinds import TASK_IMPORT

urlpatterns = [
    path("", views.key_task_list, name="key_task_list"),
    path("new/", views.key_task_create, name="key_task_create"),
    path("<int:pk>/", views.key_task_detail, name="key_task_detail"),
    path("<int:pk>/edit/", views.key_task_edit, name="key_task_edit"),
    path("<int:pk>/progress/", views.key_task_report, name="key_task_report"),
    path("<int:pk>/milestones/", views.milestone_add, name="key_task_milestone_add"),
    path("milestones/<int:pk>/done/", views.milestone_done, name="key_task_milestone_done"),
    path("evidence/<int:pk>/", views.evidence_download, name="key_task_evidence"),
    path("export.xlsx", views.export, name="export_key_tasks"),
    *TASK_IMPORT.urlpatterns(),
]
