from django.urls import path

from jobs import views

urlpatterns = [
    path("<int:pk>/", views.job_detail, name="job_detail"),
    path("<int:pk>/result/", views.job_result, name="job_result"),
]
