from django.urls import path

from risks import control_views

urlpatterns = [
    path("control-register/", control_views.control_register, name="risk_control_register"),
    path("control-register.xlsx", control_views.control_register_export, name="risk_control_register_export"),
]
