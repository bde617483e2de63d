"""Make a document example fit its own schema, keeping every value that already fits.

Statsig's published examples often contradict their schemas (a single object where a page
is promised, missing required fields, no envelope). Contract tests answer the client with
the example *repaired* this way: realistic values, valid shape.
"""

from __future__ import annotations

from typing import Any

_EMPTY: dict[str, Any] = {"string": "x", "number": 0, "integer": 0, "boolean": False}


class Conformer:
    def __init__(self, spec: dict[str, Any]) -> None:
        self._spec = spec

    def resolve(self, schema: dict[str, Any]) -> dict[str, Any]:
        """Follow ``$ref`` and flatten ``allOf`` into one schema."""
        while "$ref" in schema:
            node: Any = self._spec
            for part in schema["$ref"].lstrip("#/").split("/"):
                node = node[part]
            schema = node
        if "allOf" not in schema:
            return schema
        merged: dict[str, Any] = {k: v for k, v in schema.items() if k != "allOf"}
        properties = dict(merged.get("properties", {}))
        required = list(merged.get("required", []))
        for part in schema["allOf"]:
            resolved = self.resolve(part)
            for name, sub in resolved.get("properties", {}).items():
                properties[name] = sub  # later parts refine earlier ones (envelope + data)
            required += resolved.get("required", [])
            for key in ("type", "nullable"):
                if key in resolved:
                    merged.setdefault(key, resolved[key])
        merged["properties"] = properties
        merged["required"] = sorted(set(required))
        return merged

    def conform(self, value: Any, schema: dict[str, Any]) -> Any:
        schema = self.resolve(schema)
        if value is None and schema.get("nullable"):
            return None
        for key in ("oneOf", "anyOf"):
            if key in schema:
                options = [self.resolve(option) for option in schema[key]]
                fitting = [o for o in options if self._fits(value, o)]
                if key == "oneOf" and value == [] and len(fitting) > 1:
                    # ``[]`` fits every array option, which ``oneOf`` forbids: add an item.
                    return [self.example_of(fitting[0].get("items", {}))]
                return self.conform(value, (fitting or options)[0])
        if "enum" in schema:
            return value if value in schema["enum"] else schema["enum"][0]
        kind = schema.get("type") or ("object" if "properties" in schema else None)
        if kind == "object":
            return self._object(value, schema)
        if kind == "array":
            items = value if isinstance(value, list) else ([] if value is None else [value])
            return [self.conform(item, schema.get("items", {})) for item in items]
        if kind in _EMPTY and not self._fits(value, schema):
            return self.example_of(schema)
        return value

    def example_of(self, schema: dict[str, Any]) -> Any:
        schema = self.resolve(schema)
        example = schema.get("example", schema.get("default"))
        if example is not None and self._fits(example, schema):
            return example
        if schema.get("nullable"):
            return None
        if "enum" in schema:
            return schema["enum"][0]
        if "oneOf" in schema or "anyOf" in schema:
            return self.example_of((schema.get("oneOf") or schema["anyOf"])[0])
        kind = schema.get("type") or ("object" if "properties" in schema else None)
        if kind == "object":
            return self._object({}, schema)
        if kind == "array":
            return []
        return _EMPTY.get(str(kind))

    def _object(self, value: Any, schema: dict[str, Any]) -> dict[str, Any]:
        out = dict(value) if isinstance(value, dict) else {}
        for name, sub in schema.get("properties", {}).items():
            if name in out:
                out[name] = self.conform(out[name], sub)
            elif name in schema.get("required", []):
                out[name] = self.example_of(sub)
        return out

    def _fits(self, value: Any, schema: dict[str, Any]) -> bool:
        """A shallow check: right JSON type and every required key present."""
        schema = self.resolve(schema)
        if value is None:
            return bool(schema.get("nullable"))
        kind = schema.get("type") or ("object" if "properties" in schema else None)
        checks: dict[str, Any] = {
            "object": lambda v: (
                isinstance(v, dict) and all(k in v for k in schema.get("required", []))
            ),
            "array": lambda v: isinstance(v, list),
            "string": lambda v: isinstance(v, str),
            "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
            "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
            "boolean": lambda v: isinstance(v, bool),
        }
        ok = checks[kind](value) if kind in checks else True
        if ok and "enum" in schema:
            return value in schema["enum"]
        return bool(ok)
