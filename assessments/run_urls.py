from django.urls import path

from assessments import run_views as views

ITEM = "runs/<int:pk>/<slug:side>/items/<int:item_pk>/"

urlpatterns = [
    path("rounds/", views.round_list, name="assessment_rounds"),
    path("rounds/new/", views.round_create, name="assessment_round_create"),
    path("rounds/<int:pk>/", views.round_detail, name="assessment_round"),
    path("runs/<int:pk>/", views.run_detail, name="assessment_run"),
    path("runs/<int:pk>/steps/<slug:action>/", views.run_step, name="assessment_run_step"),
    path("runs/<int:pk>/<slug:side>/", views.run_score, name="assessment_score"),
    path(ITEM, views.item_save, name="assessment_item_save"),
    path(f"{ITEM}autosave/", views.item_autosave, name="assessment_item_autosave"),
    path(f"{ITEM}findings/new/", views.finding_new, name="assessment_finding_new"),
    path(f"{ITEM}evidence/", views.evidence_add, name="assessment_evidence_add"),
    path("findings/<int:pk>/remove/", views.finding_remove, name="assessment_finding_remove"),
    path("findings/<int:pk>/hazard/", views.finding_hazard, name="assessment_finding_hazard"),
    path("findings/photos/<int:pk>/", views.finding_photo, name="assessment_finding_photo"),
    path(
        "findings/photos/<int:pk>/thumb/", views.finding_photo, {"size": "thumb"}, name="assessment_finding_photo_thumb"
    ),
    path("evidence/<int:pk>/remove/", views.evidence_remove, name="assessment_evidence_remove"),
]
