from django.urls import path

from oversight import views
from oversight.bulletins import views as bulletins

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
]
