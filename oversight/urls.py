from django.urls import path

from oversight import views
from oversight.bulletins import views as bulletins
from oversight.summaries import views as summaries

app_name = "oversight"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("unit/<int:pk>/", views.unit_dashboard, name="unit"),
    path("rebuild/", views.rebuild, name="rebuild"),
    path("bulletins/", bulletins.bulletin_list, name="bulletins"),
    path("bulletins/new/", bulletins.bulletin_new, name="bulletin_new"),
    path("bulletins/<int:pk>/", bulletins.bulletin_detail, name="bulletin_detail"),
    path("bulletins/<int:pk>/edit/", bulletins.bulletin_edit, name="bulletin_edit"),
    path("bulletins/<int:pk>/do/<str:action>/", bulletins.bulletin_move, name="bulletin_move"),
    path("bulletins/<int:pk>/acknowledge/", bulletins.bulletin_acknowledge, name="bulletin_acknowledge"),
    path("bulletins/<int:pk>/acknowledgements/", bulletins.bulletin_acknowledgements, name="bulletin_acknowledgements"),
    path("bulletins/<int:pk>/pdf/", bulletins.bulletin_pdf, name="bulletin_pdf"),
    path("bulletins/<int:pk>/v<int:number>/", bulletins.version_detail, name="bulletin_version"),
    path("bulletins/<int:pk>/v<int:number>/pdf/", bulletins.bulletin_pdf, name="bulletin_version_pdf"),
    path("summaries/", summaries.summary_list, name="summaries"),
    path("summaries/new/", summaries.summary_new, name="summary_new"),
    path("summaries/<int:pk>/", summaries.summary_detail, name="summary_detail"),
    path("summaries/<int:pk>/save/", summaries.summary_save, name="summary_save"),
    path("summaries/<int:pk>/autosave/", summaries.summary_autosave, name="summary_autosave"),
    path("summaries/<int:pk>/start/", summaries.summary_start, name="summary_start"),
    path("summaries/<int:pk>/v<int:number>/<str:kind>/", summaries.summary_file, name="summary_file"),
]
