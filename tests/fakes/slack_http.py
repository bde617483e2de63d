"""Reading Slack Web API requests the way Slack does: query, form or JSON, token anywhere legal."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import Request

from tests.fakes.slack_state import SlackApiFailure

__all__ = ["ParsedRequest", "parse_request"]


@dataclass
class ParsedRequest:
    args: dict[str, Any]
    token: str | None


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return None


async def parse_request(request: Request) -> ParsedRequest:
    """Arguments from the query string and the body; the body wins on conflicts.

    A JSON body cannot carry the token (Slack only reads it from the header then); a form body
    or the query string can, as ``token=``.
    """
    args: dict[str, Any] = dict(parse_qsl(request.url.query, keep_blank_values=True))
    body = await request.body()
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "application/json" and body:
        try:
            decoded = json.loads(body)
        except ValueError:
            raise SlackApiFailure("invalid_json") from None
        if not isinstance(decoded, dict):
            raise SlackApiFailure("json_not_object")
        decoded.pop("token", None)
        args.update(decoded)
    elif body:
        args.update(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
    form_token = args.pop("token", None)
    token = _bearer(request) or (form_token if isinstance(form_token, str) else None)
    return ParsedRequest(args, token or None)
