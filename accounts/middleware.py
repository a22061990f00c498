"""Pick the interface language from the user's profile before LocaleMiddleware looks at the browser."""

from django.utils import translation


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
