"""OpenAPI details drf-spectacular cannot infer: the error bodies DRF sends."""

from typing import Any

ERROR = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
    "description": "Why the request was refused, in the client's language (Accept-Language).",
}
FIELD_ERRORS = {
    "type": "object",
    "additionalProperties": {"type": "array", "items": {"type": "string"}},
    "description": "Each invalid field (or non_field_errors) with its messages.",
}
COMMON = {
    "401": "No valid credentials: send `Authorization: Bearer <key>` or sign in.",
    "429": "Too many requests; retry after the number of seconds in Retry-After.",
}


def _content(schema: dict[str, Any]) -> dict[str, Any]:
    return {"application/json": {"schema": schema}}


def add_error_responses(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """Every operation may answer 401 and 429; 400 carries field errors, 403/404 a detail."""
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            responses = operation.setdefault("responses", {})
            for code, description in COMMON.items():
                responses.setdefault(code, {"description": description})
            for code, response in responses.items():
                if code.startswith("4") and "content" not in response:
                    response["content"] = _content(FIELD_ERRORS if code == "400" else ERROR)
    return result
