"""The language of the person at a terminal, for management commands' messages."""

import os

from django.conf import settings


def terminal_language() -> str:
    """The first of LANGUAGE, LC_ALL, LC_MESSAGES and LANG that names a language the app speaks
    (ja_JP.UTF-8 → ja), else the site's default."""
    spoken = {code for code, _name in settings.LANGUAGES}
    for variable in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        for value in os.environ.get(variable, "").split(":"):
            code = value.split(".")[0].split("_")[0].lower()
            if code in spoken:
                return code
    return settings.LANGUAGE_CODE
