from django.urls import path

from districts import views
from districts.import_views import export, import_confirm, import_template, import_upload

urlpatterns = [
    path("units/", views.unit_tree, name="unit_tree"),
    path("units/<int:pk>/", views.unit_detail, name="unit_detail"),
    path("sites/", views.site_list, name="site_list"),
    path("sites/new/", views.site_create, name="site_create"),
    path("sites/lookup/", views.site_lookup, name="site_lookup"),
    path("sites/<int:pk>/", views.site_detail, name="site_detail"),
    path("sites/<int:pk>/edit/", views.site_edit, name="site_edit"),
    path("units/import/", import_upload, {"kind": "units"}, name="import_units"),
    path("units/import/confirm/", import_confirm, {"kind": "units"}, name="import_units_confirm"),
    path("units/import/template.xlsx", import_template, {"kind": "units"}, name="import_units_template"),
    path("units/export.xlsx", export, {"kind": "units"}, name="export_units"),
    path("sites/import/", import_upload, {"kind": "sites"}, name="import_sites"),
    path("sites/import/confirm/", import_confirm, {"kind": "sites"}, name="import_sites_confirm"),
    path("sites/import/template.xlsx", import_template, {"kind": "sites"}, name="import_sites_template"),
    path("sites/export.xlsx", export, {"kind": "sites"}, name="export_sites"),
]
