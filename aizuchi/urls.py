from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="meetings:list", permanent=False)),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("meetings/", include("meetings.urls")),
    path("coaching/", include("coaching.urls")),
    path("reviews/", include("reviews.urls")),
    path("deals/", include("deals.urls")),
    path("experiments/", include("experiments.urls")),
    path("workbench/", include("coaching.workbench.urls")),
    path("api/", include("api.urls")),
    path("privacy/", include("privacy.urls")),
    path("integrations/", include("integrations.urls")),
    path("admin/", admin.site.urls),
]

handler404 = "api.views.not_found"
