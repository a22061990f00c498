from django.urls import path

from integrations import views

app_name = "integrations"

urlpatterns = [
    path("webhooks/", views.endpoint_list, name="endpoints"),
    path("webhooks/<int:pk>/", views.endpoint_detail, name="endpoint"),
    path("webhooks/<int:pk>/resume/", views.endpoint_resume, name="resume"),
    path("webhooks/<int:pk>/test/", views.endpoint_ping, name="ping"),
    path("webhooks/<int:pk>/secret/", views.endpoint_rotate_secret, name="rotate_secret"),
    path("webhooks/<int:pk>/delete/", views.endpoint_delete, name="delete"),
    path("webhooks/<int:pk>/deliveries/<int:delivery_pk>/", views.delivery_detail, name="delivery"),
    path(
        "webhooks/<int:pk>/deliveries/<int:delivery_pk>/redeliver/",
        views.delivery_redeliver,
        name="redeliver",
    ),
]
