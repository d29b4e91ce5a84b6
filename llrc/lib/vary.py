"""Answers that are the same in every language say so to caches (`Vary`)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest
from django.http.response import HttpResponseBase

# Set on an answer whose bytes do not depend on the reader's language (a stored file).
SAME_IN_EVERY_LANGUAGE = "llrc_same_in_every_language"


class LanguageIndependentAnswers:
    """Takes Accept-Language out of the Vary of answers marked SAME_IN_EVERY_LANGUAGE.

    Django's LocaleMiddleware adds it to every answer outside the language prefixes, files too: a
    shared cache (a campus's or a rural centre's proxy) then keeps one copy of a 2 MB manual for each
    Accept-Language its readers' browsers send ("zh-CN,zh;q=0.9", "zh-CN", "en-US,en;q=0.8"...) and
    fetches it again for each. It sits just before LocaleMiddleware in MIDDLEWARE, so that it sees the
    answer after it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if getattr(response, SAME_IN_EVERY_LANGUAGE, False) and response.has_header("Vary"):
            kept = [
                field.strip()
                for field in response["Vary"].split(",")
                if field.strip() and field.strip().lower() != "accept-language"
            ]
            if kept:
                response["Vary"] = ", ".join(kept)
            else:
                del response["Vary"]
        return response
