from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse, translate_url
from django.utils.http import urlencode
from django.utils.translation import get_language, get_language_bidi, get_language_info


def site(request: HttpRequest) -> dict[str, object]:
    """Language switcher links to the same page in each interface language; `dir` for right-to-left."""
    current = get_language() or settings.LANGUAGE_CODE
    path = request.get_full_path()
    languages = []
    for code, _name in settings.LANGUAGES:
        url = _in_language(path, current, code)
        languages.append(
            {
                "code": code,
                # In its own language (English, 简体中文) on every page: a reader who cannot read the
                # page's language can still find theirs.
                "name": get_language_info(code)["name_local"],
                "url": url,
                # Through choose_language, which remembers the choice for the next visit to /.
                "switch_url": reverse("choose-language", args=[code])
                + "?"
                + urlencode({"next": url}),
                "current": code == current,
            }
        )
    return {
        "interface_languages": languages,
        "language_alternates": _alternates(request, path, current, languages),
        "text_direction": "rtl" if get_language_bidi() else "ltr",
    }


def _alternates(
    request: HttpRequest, path: str, current: str, languages: list[dict[str, object]]
) -> list[tuple[str, str]]:
    """The page in each interface language for <link rel="alternate" hreflang>, so that search engines
    show a reader the version in their language: full addresses, as they ask, the page itself among
    them, and as x-default the address without a language, which leads each reader to theirs
    (LocaleMiddleware). None for a page outside the language prefixes (the API's reference)."""
    prefix = f"/{current}/"
    if not path.startswith(prefix):
        return []
    found = [
        (str(lang["code"]), request.build_absolute_uri(str(lang["url"]))) for lang in languages
    ]
    return [*found, ("x-default", request.build_absolute_uri("/" + path.removeprefix(prefix)))]


def _in_language(path: str, current: str, code: str) -> str:
    """The page's address in another interface language. `translate_url` gives back the address
    unchanged when it names no page (a 404): there the language prefix is swapped, so that the
    switch leads to the same "not found" page in the other language rather than to itself."""
    translated = translate_url(path, code)
    prefix = f"/{current}/"
    if translated == path and code != current and path.startswith(prefix):
        return f"/{code}/" + path.removeprefix(prefix)
    return translated
