from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from api import views
from integrations.api import DeliveryViewSet, WebhookViewSet

app_name = "api"

router = DefaultRouter()
router.register("meetings", views.MeetingViewSet, basename="meeting")
router.register("rule-versions", views.RuleVersionViewSet, basename="rule-version")
router.register("webhooks", WebhookViewSet, basename="webhook")
router.register("webhook-deliveries", DeliveryViewSet, basename="webhook-delivery")

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path(
        "redoc/",
        SpectacularRedocView.as_view(url_name="api:schema", template_name="api/redoc.html"),
        name="redoc",
    ),
    path("v1/trends/rep/", views.RepTrendView.as_view(), name="trend-rep"),
    path("v1/trends/team/", views.TeamTrendView.as_view(), name="trend-team"),
    path("v1/", include(router.urls)),
]
