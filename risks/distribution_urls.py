from django.urls import path

from risks import distribution_views

urlpatterns = [
    path("distribution/", distribution_views.risk_distribution, name="risk_distribution"),
]
