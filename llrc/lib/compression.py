"""Compressed pages and API answers, for readers on slow mobile networks."""

from __future__ import annotations

from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.middleware.gzip import GZipMiddleware


class PageCompression(GZipMiddleware):
    """Django's gzip for pages and JSON answers (a search page of 32 KB is 6 KB gzipped; Django pads the
    output against BREACH), leaving streamed answers alone: files (PDFs, images, archives are compressed
    already, and a download compressed on the fly loses its length, so a phone cannot show its progress
    or resume it) and the static files, which WhiteNoise streams."""

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        if response.streaming:
            return response
        return super().process_response(request, response)
