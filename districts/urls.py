from django.urls import include, path

from districts import views
from districts.import_views import export
from districts.job_kinds import SITE_IMPORT, UNIT_IMPORT

urlpatterns = [
    path("units/", views.unit_tree, name="unit_tree"),
    path("units/<int:pk>/", views.unit_detail, name="unit_detail"),
    path("sites/", views.site_list, name="site_list"),
    path("sites/new/", views.site_create, name="site_create"),
    path("sites/lookup/", views.site_lookup, name="site_lookup"),
    path("sites/<int:pk>/", views.site_detail, name="site_detail"),
    path("sites/<int:pk>/edit/", views.site_edit, name="site_edit"),
    path("units/", include(UNIT_IMPORT.urlpatterns())),
    path("units/export.xlsx", export, {"kind": "units"}, name="export_units"),
    path("sites/", include(SITE_IMPORT.urlpatterns())),
    path("sites/export.xlsx", export, {"kind": "sites"}, name="export_sites"),
]
