"""The API's reference page, /api/v1/docs: the OpenAPI document rendered on the server.

django-ninja's own page loads Swagger UI from a CDN (cdn.jsdelivr.net), which the site's
Content-Security-Policy blocks and which readers on a closed network or in mainland China could not
reach anyway: the page stayed blank. This one is plain HTML from the same document that
/api/v1/openapi.json serves, readable without JavaScript and on a phone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

METHODS = ("get", "post", "put", "patch", "delete")
_REF = "#/components/schemas/"


def type_text(schema: dict[str, Any]) -> str:
    """A JSON Schema as a reader would say it: "string", "list of ResourceSummary", "integer or null"."""
    if "$ref" in schema:
        return str(schema["$ref"]).removeprefix(_REF)
    if "anyOf" in schema:
        return " or ".join(dict.fromkeys(type_text(s) for s in schema["anyOf"]))
    if "enum" in schema:
        return "one of " + ", ".join(str(v) for v in schema["enum"])
    kind = schema.get("type", "any")
    if kind == "array":
        return "list of " + type_text(schema.get("items", {}))
    if kind == "object" and "additionalProperties" in schema:
        values = schema["additionalProperties"]
        return "object of " + (type_text(values) if isinstance(values, dict) else "any")
    return f"{kind} ({schema['format']})" if "format" in schema else str(kind)


@dataclass
class Row:
    name: str
    type: str
    required: bool
    description: str = ""
    default: str = ""
    where: str = ""


@dataclass
class Operation:
    method: str
    path: str
    anchor: str
    summary: str
    description: str
    token: bool
    parameters: list[Row] = field(default_factory=list)
    body: str = ""
    responses: list[Row] = field(default_factory=list)


@dataclass
class SchemaPart:
    name: str
    description: str
    fields: list[Row]


def _default(schema: dict[str, Any]) -> str:
    if "default" not in schema or schema["default"] in ("", [], None):
        return ""
    return repr(schema["default"]) if isinstance(schema["default"], str) else str(schema["default"])


def _content_type(part: dict[str, Any]) -> str:
    content = part.get("content", {})
    for media in content.values():
        return type_text(media.get("schema", {}))
    return ""


def operations(document: dict[str, Any]) -> list[Operation]:
    out = []
    for path, item in document.get("paths", {}).items():
        for method in METHODS:
            op = item.get(method)
            if op is None:
                continue
            parameters = [
                Row(
                    name=p["name"],
                    type=type_text(p.get("schema", {})),
                    required=bool(p.get("required")),
                    description=p.get("description", ""),
                    default=_default(p.get("schema", {})),
                    where=p.get("in", ""),
                )
                for p in op.get("parameters", [])
            ]
            responses = [
                Row(
                    name=str(code),
                    type=_content_type(answer),
                    required=False,
                    description=answer.get("description", ""),
                )
                for code, answer in op.get("responses", {}).items()
            ]
            out.append(
                Operation(
                    method=method.upper(),
                    path=path,
                    anchor=op.get("operationId", f"{method}-{path}"),
                    summary=op.get("summary", ""),
                    description=op.get("description", ""),
                    token=bool(op.get("security")),
                    parameters=parameters,
                    body=_content_type(op["requestBody"]) if "requestBody" in op else "",
                    responses=responses,
                )
            )
    return out


def schemas(document: dict[str, Any]) -> list[SchemaPart]:
    out = []
    for name, schema in document.get("components", {}).get("schemas", {}).items():
        required = set(schema.get("required", []))
        fields = [
            Row(
                name=prop,
                type=type_text(spec),
                required=prop in required,
                description=spec.get("description", ""),
                default=_default(spec),
            )
            for prop, spec in schema.get("properties", {}).items()
        ]
        out.append(SchemaPart(name, schema.get("description", ""), fields))
    return out


@require_safe
def reference(request: HttpRequest) -> HttpResponse:
    from llrc.api.urls import api  # the URLconf imports this module

    document = api.get_openapi_schema(path_prefix="/api/v1/")
    context = {
        "info": document.get("info", {}),
        "operations": operations(document),
        "schemas": schemas(document),
    }
    return render(request, "api/reference.html", context)
