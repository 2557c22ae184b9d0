from django.urls import path

from hazards import import_views, notices, step_views, views
from hazards.job_kinds import HAZARD_IMPORT

urlpatterns = [
    path("", views.hazard_list, name="hazard_list"),
    path("new/", views.hazard_create, name="hazard_create"),
    path("<int:pk>/", views.hazard_detail, name="hazard_detail"),
    path("<int:pk>/steps/<slug:step>/", step_views.hazard_step, name="hazard_step"),
    path("<int:pk>/rectification-notice.pdf", notices.rectification_notice, name="hazard_rectification_notice"),
    path("<int:pk>/listing-notice.pdf", notices.listing_notice, name="hazard_listing_notice"),
    path("photos/<int:pk>/", views.hazard_photo, name="hazard_photo"),
    path("photos/<int:pk>/thumb/", views.hazard_photo, {"size": "thumb"}, name="hazard_photo_thumb"),
    path("export.xlsx", import_views.export, name="export_hazards"),
    *HAZARD_IMPORT.urlpatterns(),
]
