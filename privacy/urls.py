from django.urls import path

from privacy import views

app_name = "privacy"

urlpatterns = [
    path("", views.privacy_home, name="home"),
    path("people/<int:person_id>/export/", views.person_export, name="export"),
]
