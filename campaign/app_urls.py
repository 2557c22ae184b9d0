"""The campaign's own screens, under /campaign/ (the project's root URLs include this)."""

from django.urls import include, path

urlpatterns = [
    path("", include("campaign.accident_urls")),
]
