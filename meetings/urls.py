from django.urls import path

from meetings import views

app_name = "meetings"

urlpatterns = [
    path("", views.meeting_list, name="list"),
    path("<int:meeting_id>/", views.meeting_detail, name="detail"),
    path("<int:meeting_id>/status/", views.meeting_status, name="status"),
    path("<int:meeting_id>/audio/", views.meeting_audio, name="audio"),
    path("<int:meeting_id>/retry/", views.meeting_retry, name="retry"),
    path("<int:meeting_id>/delete/", views.meeting_delete, name="delete"),
]
