from django.urls import include, path

# One module per screen family, so that each grows on its own.
urlpatterns = [
    path("", include("risks.register_urls")),
    path("", include("risks.import_urls")),
    path("", include("risks.distribution_urls")),
    path("", include("risks.control_urls")),
]
