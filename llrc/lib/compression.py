"""Compressed pages and API answers, for readers on slow mobile networks."""

from __future__ import annotations

from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.middleware.gzip import GZipMiddleware
from django.utils.cache import patch_vary_headers

# Set on an answer whose whole form is streamed as stored, never compressed (a file, and its 304).
NEVER_COMPRESSED = "llrc_never_compressed"


class PageCompression(GZipMiddleware):
    """Django's gzip for pages and JSON answers (a search page of 32 KB is 6 KB gzipped; Django pads the
    output against BREACH), leaving streamed answers alone: files (PDFs, images, archives are compressed
    already, and a download compressed on the fly loses its length, so a phone cannot show its progress
    or resume it) and the static files, which WhiteNoise streams.

    It sits outside Django's ConditionalGetMiddleware, which computes the ETag of the plain page (the
    gzipped one differs at every request, by the BREACH padding) and answers a matching If-None-Match
    with 304; compressing, Django's gzip makes that ETag weak, so the two representations differ."""

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        if response.streaming:
            return response
        if response.status_code == 304:
            return _as_compressed_answer_would_be(request, response)
        return super().process_response(request, response)


def _as_compressed_answer_would_be(
    request: HttpRequest, response: HttpResponseBase
) -> HttpResponseBase:
    """A 304 carries the validator and Vary of the 200 it stands for (RFC 9110, section 15.4.5). Which
    200 that was, the client says: it sends back the weak ETag of a page it got gzipped, the strong one
    of a page it got plain, a file or a page too short to compress. A 304 made weak for every client
    taking gzip gave a file's cache a weak ETag, and its next resume (If-Range) got the whole file."""
    etag = response.get("ETag")
    held = request.headers.get("If-None-Match", "")
    if etag and etag.startswith('"') and f"W/{etag}" in held:
        response.headers["ETag"] = "W/" + etag
    if not getattr(response, NEVER_COMPRESSED, False):
        # A page's 200 varies by Accept-Encoding whether or not this client took gzip (Django's gzip
        # says so for every page it could compress): its 304 lacked it for a client holding the plain
        # page's ETag.
        patch_vary_headers(response, ("Accept-Encoding",))
    return response
