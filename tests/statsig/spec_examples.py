"""Response examples from Statsig's OpenAPI documents, grouped by the DTO they show.

The documents put examples in three places (the media type's ``example``, its named
``examples``, and the schema's ``example``), sometimes keyed by variant
(``{"id_list": {...}, "rule_based": {...}}``), and sometimes without the envelope.
This module hides all of that: :func:`response_examples` yields one record per example.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

SPEC_ENV = "STATSIG_OPENAPI_SPEC"
DOCUMENTS = ("console-api-20240601.json", "console-api-subset.json")
METHODS = ("get", "post", "put", "patch", "delete")


@dataclass(frozen=True)
class Example:
    document: str
    method: str
    path: str
    status: str
    dto: str | None  # the schema ``data`` refers to, for 2xx answers
    is_list: bool
    value: Any

    @property
    def where(self) -> str:
        return f"{self.document} {self.method.upper()} {self.path} {self.status} ({self.dto})"


def spec_dir() -> Path | None:
    value = os.environ.get(SPEC_ENV)
    return Path(value).parent if value else None


@cache
def load(path: Path) -> dict[str, Any]:
    return dict(json.loads(path.read_text()))


def _raw_examples(media: dict[str, Any]) -> Iterator[Any]:
    if "example" in media:
        yield media["example"]
    for named in media.get("examples", {}).values():
        if "value" in named:
            yield named["value"]
    if "example" in media.get("schema", {}):
        yield media["schema"]["example"]


def _unwrap(value: Any) -> Iterator[Any]:
    """Split ``{"variant": envelope, …}`` examples into their envelopes."""
    if (
        isinstance(value, dict)
        and value
        and "data" not in value
        and "message" not in value
        and all(isinstance(v, dict) and ("data" in v or "message" in v) for v in value.values())
    ):
        for inner in value.values():
            yield from _unwrap(inner)
    else:
        yield value


def data_ref(schema: dict[str, Any]) -> tuple[str | None, bool]:
    """The DTO name of an envelope's ``data`` and whether it is a list of them."""
    for part in schema.get("allOf", []):
        data = part.get("properties", {}).get("data")
        if not data:
            continue
        if "$ref" in data:
            return data["$ref"].rsplit("/", 1)[-1], False
        if data.get("type") == "array" and "$ref" in data.get("items", {}):
            return data["items"]["$ref"].rsplit("/", 1)[-1], True
    return None, False


def response_examples(document: Path) -> Iterator[Example]:
    spec = load(document)
    for path, item in spec["paths"].items():
        for method in METHODS:
            operation = item.get(method)
            if not operation:
                continue
            for status, response in operation.get("responses", {}).items():
                media = response.get("content", {}).get("application/json")
                if not media:
                    continue
                dto, is_list = data_ref(media.get("schema", {}))
                for raw in _raw_examples(media):
                    for value in _unwrap(raw):
                        yield Example(document.name, method, path, status, dto, is_list, value)


def first_success_example(document: Path, method: str, path: str) -> tuple[int, Any] | None:
    """The first 2xx example of an operation, as ``(status, body)``."""
    for example in response_examples(document):
        if (example.method, example.path) == (method, path) and example.status.startswith("2"):
            return int(example.status), example.value
    return None
