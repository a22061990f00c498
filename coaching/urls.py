from django.urls import path

from coaching import views

app_name = "coaching"

urlpatterns = [
    path("trends/", views.trend_page, name="trends"),
    path("trends/meetings/", views.trend_meetings, name="trend_meetings"),
    path("team/", views.team_page, name="team"),
    path("team.csv", views.team_csv, name="team_csv"),
    path("meetings.csv", views.meetings_csv, name="meetings_csv"),
    path("targets/", views.targets_page, name="targets"),
    path("meetings/<int:meeting_id>/peaks.json", views.meeting_peaks, name="peaks"),
]
