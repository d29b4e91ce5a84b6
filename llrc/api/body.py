"""Request bodies of /api/v1: JSON, declared as JSON, each key once."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest
from ninja.parser import Parser


class BodyError(Exception):
    """Why a request body cannot be read, as the API answers it."""

    def __init__(self, status: int, detail: str, errors: dict[str, list[str]]) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.errors = errors


class _Repeated(dict[str, Any]):
    """A JSON object that gave some keys more than once."""

    repeated: list[str]


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # json keeps a repeated key's last value in silence: {"en": "first", "en": "second"} passed by the
    # "two values in one language" check. The object is marked here and named with its path below.
    found: dict[str, Any] = {}
    repeated: list[str] = []
    for key, value in pairs:
        if key in found and key not in repeated:
            repeated.append(key)
        found[key] = value
    if not repeated:
        return found
    marked = _Repeated(found)
    marked.repeated = repeated
    return marked


def _repeated_keys(data: Any) -> list[str]:
    """The paths (titles.en, creators.0.name) of the keys given twice anywhere in `data`."""
    paths: list[str] = []
    stack: list[tuple[Any, list[str]]] = [(data, [])]
    while stack:
        value, path = stack.pop()
        if isinstance(value, _Repeated):
            paths += [".".join([*path, key]) for key in value.repeated]
        if isinstance(value, dict):
            stack += [(item, [*path, key]) for key, item in value.items()]
        elif isinstance(value, list):
            stack += [(item, [*path, str(i)]) for i, item in enumerate(value)]
    return sorted(paths)


class StrictJsonParser(Parser):
    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        content_type = (request.content_type or "").lower()
        if content_type != "application/json" and not content_type.endswith("+json"):
            raise BodyError(
                415,
                "The request body must be JSON, sent with Content-Type: application/json.",
                {},
            )
        try:
            data = json.loads(request.body, object_pairs_hook=_object)
        except json.JSONDecodeError as exc:
            where = f"{exc.msg} at line {exc.lineno}, column {exc.colno}"
            raise BodyError(
                400, f"The request body is not JSON: {where}.", {"body": [where]}
            ) from exc
        except ValueError as exc:  # bytes that are not UTF-8 (nor UTF-16 or -32)
            raise BodyError(
                400, "The request body is not JSON: it is not UTF-8 text.", {"body": [str(exc)]}
            ) from exc
        repeated = _repeated_keys(data)
        if repeated:
            raise BodyError(
                422,
                f"The request is not valid: check {', '.join(repeated)}.",
                {path: ["given twice: give each key once"] for path in repeated},
            )
        return data  # type: ignore[no-any-return]
