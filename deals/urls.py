from django.urls import path

from deals import import_views, views

app_name = "deals"

urlpatterns = [
    path("", views.deal_list, name="list"),
    path("<int:deal_id>/", views.deal_detail, name="detail"),
    path("evidence/", views.deal_evidence, name="evidence"),
    path("import/", import_views.deal_import, name="import"),
    path("meeting/<int:meeting_id>/", views.meeting_deal, name="meeting"),
]
