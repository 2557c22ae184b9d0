from django.urls import include, path

from campaign import accident_views, target_views
from campaign.job_kinds import ACCIDENT_IMPORT, YEARLY_VALUE_IMPORT

accident_patterns = [
    path("", accident_views.accident_list, name="accident_list"),
    path("new/", accident_views.accident_create, name="accident_create"),
    path("<int:pk>/", accident_views.accident_detail, name="accident_detail"),
    path("<int:pk>/edit/", accident_views.accident_edit, name="accident_edit"),
    path("export.xlsx", accident_views.export, name="export_accidents"),
    *ACCIDENT_IMPORT.urlpatterns(),
]
yearly_patterns = [
    path("", target_views.yearly_values, name="yearly_values"),
    path("<int:unit_pk>/<int:year>/", target_views.yearly_value_edit, name="yearly_value_edit"),
    path("export.xlsx", target_views.export_yearly_values, name="export_yearly_values"),
    *YEARLY_VALUE_IMPORT.urlpatterns(),
]
urlpatterns = [
    path("accidents/", include(accident_patterns)),
    path("yearly-values/", include(yearly_patterns)),
    path("targets/", target_views.targets, name="campaign_targets"),
]
