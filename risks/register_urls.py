from django.urls import path

from risks import views

urlpatterns = [
    path("", views.risk_list, name="risk_list"),
    path("new/", views.risk_create, name="risk_create"),
    path("<int:pk>/", views.risk_detail, name="risk_detail"),
    path("<int:pk>/edit/", views.risk_edit, name="risk_edit"),
    path("<int:pk>/assess/", views.risk_assess, name="risk_assess"),
    path("<int:pk>/review/", views.risk_review, name="risk_review"),
    path("levels.css", views.level_css, name="risk_level_css"),
]
