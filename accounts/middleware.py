"""Per-user request handling: the interface language from the profile, and no caching of what a
signed-in user is shown."""

from django.utils import translation
from django.utils.cache import patch_cache_control


class UserLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        language = ""
        if user is not None and user.is_authenticated:
            profile = getattr(user, "profile", None)
            language = getattr(profile, "language", "") or ""
        if language:
            request.COOKIES[translation.trans_real.settings.LANGUAGE_COOKIE_NAME] = language
        return self.get_response(request)


class PrivatePagesMiddleware:
    """Every response to a signed-in user shows customer data (meetings, transcripts, names, CSV
    exports): no browser or proxy may store it (a shared PC's back button, a caching proxy).
    Static files are answered by WhiteNoise before this runs and stay cacheable."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, private=True, no_store=True)
        return response
