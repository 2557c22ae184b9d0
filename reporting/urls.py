from django.urls import path

from reporting import calendar_views, views

urlpatterns = [
    path("", views.reporting_home, name="reporting_home"),
    path("mine/", calendar_views.my_reports, name="my_reports"),
    path("calendar/", calendar_views.report_calendar, name="report_calendar"),
    path("compilation/", calendar_views.report_compilation, name="report_compilation"),
    path("compilation.xlsx", calendar_views.report_compilation_xlsx, name="report_compilation_xlsx"),
    path("submissions/", views.submission_list, name="submission_list"),
    path("new/<int:period_pk>/<int:unit_pk>/", views.submission_new, name="submission_new"),
    path("new/<int:period_pk>/<int:unit_pk>/autosave/", views.submission_new_autosave, name="submission_new_autosave"),
    path("submissions/<int:pk>/", views.submission_detail, name="submission_detail"),
    path("submissions/<int:pk>/edit/", views.submission_edit, name="submission_edit"),
    path("submissions/<int:pk>/autosave/", views.submission_autosave, name="submission_autosave"),
    path("submissions/<int:pk>/review/", views.submission_review, name="submission_review"),
    path("submissions/<int:pk>/reopen/", views.submission_reopen, name="submission_reopen"),
    path("submissions/<int:pk>/adopt/", views.submission_adopt, name="submission_adopt"),
    path(
        "submissions/<int:pk>/adoptions/<int:adoption_pk>/withdraw/",
        views.adoption_withdraw,
        name="adoption_withdraw",
    ),
    path(
        "submissions/<int:pk>/attachments/<int:attachment_pk>/",
        views.attachment_download,
        name="report_attachment",
    ),
    path(
        "submissions/<int:pk>/attachments/<int:attachment_pk>/remove/",
        views.attachment_remove,
        name="report_attachment_remove",
    ),
]
