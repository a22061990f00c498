from django.urls import path

from meetings import views, views_speakers

app_name = "meetings"

urlpatterns = [
    path("", views.meeting_list, name="list"),
    path("<int:meeting_id>/", views.meeting_detail, name="detail"),
    path("<int:meeting_id>/status/", views.meeting_status, name="status"),
    path("<int:meeting_id>/audio/", views.meeting_audio, name="audio"),
    path("<int:meeting_id>/retry/", views.meeting_retry, name="retry"),
    path("<int:meeting_id>/delete/", views.meeting_delete, name="delete"),
    path("<int:meeting_id>/outcome/", views.meeting_outcome, name="outcome"),
    # Speakers (views_speakers.py)
    path("<int:meeting_id>/speakers/", views_speakers.meeting_speakers_edit, name="speakers_edit"),
    path("<int:meeting_id>/speakers/swap/", views_speakers.meeting_speakers_swap, name="speakers_swap"),
    path(
        "<int:meeting_id>/speakers/confirm/", views_speakers.meeting_speakers_confirm, name="speakers_confirm"
    ),
    path("<int:meeting_id>/speakers/map/", views_speakers.meeting_speaker_mapping, name="speakers_map"),
    path(
        "<int:meeting_id>/segments/<int:segment_id>/speaker/",
        views_speakers.segment_speaker_set,
        name="segment_speaker",
    ),
    path("voice/", views_speakers.voice_enrolment, name="voice"),
    path("voice/delete/", views_speakers.voice_enrolment_delete, name="voice_delete"),
    path("voice/clip/", views_speakers.voice_enrolment_clip, name="voice_clip"),
]
