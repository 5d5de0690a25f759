"""Compact JSON Schemas for ``tools/list``: the same constraints in fewer bytes.

Tool definitions are paid for in the model's context on every turn, so the listing is
shrunk without making the advertised schema stricter than the server: ``title`` annotations
and ``default: null`` go, output schemas lose ``required``, ``format``, ``default`` and ``null`` (results
leave None fields out), an optional argument's ``null`` is left implicit,
``anyOf`` over plain types becomes a type list (``{"type": ["string", "null"]}``), a
``$defs`` entry used once is inlined, and in output schemas a nested object or array type that its
``properties`` or ``items`` imply is left implicit.
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["compact_schema"]

_REF = "#/$defs/"


def _strip(node: Any, drop: frozenset[str], names: bool = False) -> Any:
    """Drop ``drop`` keywords and ``default: null``; ``names`` marks a name→schema map (properties, $defs)."""
    if isinstance(node, list):
        return [_strip(item, drop) for item in node]
    if not isinstance(node, dict):
        return node
    if names:
        return {key: _strip(value, drop) for key, value in node.items()}
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in drop or (key == "default" and value is None):
            continue
        out[key] = _strip(value, drop, names=key in ("properties", "$defs"))
    return _merge_types(out)


def _merge_types(node: dict[str, Any]) -> dict[str, Any]:
    """``anyOf`` whose members are bare types (plus at most one constrained one) → a type list."""
    options = node.get("anyOf")
    if not isinstance(options, list) or not all(
        isinstance(o, dict) and isinstance(o.get("type"), str) for o in options
    ):
        return node
    constrained = [o for o in options if set(o) != {"type"}]
    if len(constrained) > 1:
        return node
    types = [o["type"] for o in options]
    rest = {key: value for key, value in node.items() if key != "anyOf"}
    base = constrained[0] if constrained else {}
    return {**base, **rest, "type": types}


def _inline_single_use(schema: dict[str, Any]) -> dict[str, Any]:
    defs = schema.get("$defs")
    if not isinstance(defs, dict):
        return schema
    text = json.dumps(schema)
    once = {name for name in defs if text.count(f'"{_REF}{name}"') == 1}

    def walk(node: Any) -> Any:
        if isinstance(node, list):
            return [walk(item) for item in node]
        if not isinstance(node, dict):
            return node
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith(_REF) and ref[len(_REF) :] in once:
            target = walk(defs[ref[len(_REF) :]])
            return {**target, **{k: v for k, v in node.items() if k != "$ref"}}
        return {key: walk(value) for key, value in node.items() if key != "$defs"}

    result: dict[str, Any] = walk(schema)
    kept = {name: walk(value) for name, value in defs.items() if name not in once}
    if kept:
        result["$defs"] = kept
    return result


def _no_nulls(node: Any) -> Any:
    """Output schemas: results leave None fields out, so no schema needs to allow null."""
    if isinstance(node, list):
        return [_no_nulls(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: _no_nulls(value) for key, value in node.items()}
    types = out.get("type")
    if isinstance(types, list) and "null" in types:
        rest = [t for t in types if t != "null"]
        out["type"] = rest[0] if len(rest) == 1 else rest
    options = out.get("anyOf")
    if isinstance(options, list) and {"type": "null"} in options:
        rest_options = [o for o in options if o != {"type": "null"}]
        out.pop("anyOf")
        out = {**rest_options[0], **out} if len(rest_options) == 1 else {**out, "anyOf": rest_options}
    return out


def _implied_types(node: Any, top: bool = True) -> Any:
    """Output schemas: a nested ``type`` that ``properties`` or ``items`` already implies goes (every result is
    built from its model, so the listing describes it without the word)."""
    if isinstance(node, list):
        return [_implied_types(item, False) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: _implied_types(value, False) for key, value in node.items()}
    implied = (out.get("type") == "object" and "properties" in out) or (out.get("type") == "array" and "items" in out)
    if implied and not top:
        del out["type"]
    return out


def _optional_inputs(schema: dict[str, Any]) -> dict[str, Any]:
    """An optional argument's ``null`` is implied by leaving it out; the server still accepts an explicit null."""
    required = set(schema.get("required", []))
    properties = schema.get("properties", {})
    for name, prop in properties.items():
        types = prop.get("type")
        if name not in required and isinstance(types, list) and "null" in types:
            rest = [t for t in types if t != "null"]
            prop["type"] = rest[0] if len(rest) == 1 else rest
    return schema


def compact_schema(schema: dict[str, Any], *, output: bool = False) -> dict[str, Any]:
    """The compact form. Output schemas also lose ``required`` and ``format`` (every result carries all its
    fields, in the formats the server writes); optional inputs lose their ``null``."""
    drop = frozenset({"title", "required", "format", "default"} if output else {"title"})
    compacted: dict[str, Any] = _inline_single_use(_strip(schema, drop))
    return _implied_types(_no_nulls(compacted)) if output else _optional_inputs(compacted)
