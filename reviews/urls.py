from django.urls import path

from reviews import views

app_name = "reviews"

urlpatterns = [
    path("meetings/<int:meeting_id>/comments/", views.comment_list, name="comments"),
    path("meetings/<int:meeting_id>/comments/new/", views.comment_create, name="comment_create"),
    path(
        "meetings/<int:meeting_id>/moments/<int:moment_id>/not-right/",
        views.moment_not_right,
        name="moment_not_right",
    ),
    path("notifications/", views.notification_list, name="notifications"),
    path("feedback/", views.feedback_list, name="feedback"),
]
