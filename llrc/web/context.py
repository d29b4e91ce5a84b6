from django.conf import settings
from django.http import HttpRequest
from django.urls import translate_url
from django.utils.translation import get_language, get_language_bidi


def site(request: HttpRequest) -> dict[str, object]:
    """Language switcher links to the same page in each interface language; `dir` for right-to-left."""
    current = get_language() or settings.LANGUAGE_CODE
    path = request.get_full_path()
    languages = [
        {"code": code, "name": name, "url": translate_url(path, code), "current": code == current}
        for code, name in settings.LANGUAGES
    ]
    return {
        "interface_languages": languages,
        "text_direction": "rtl" if get_language_bidi() else "ltr",
    }
