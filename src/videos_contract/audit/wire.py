"""Does a request, as it went over the wire, break the spec? Read with the server's eyes.

The fuzzer decides that a case is invalid from the value it generated, but the server sees
bytes: in a form or a query string every value is text, so `prompt: false` arrives as the
valid string "false", and an extra property can vanish on encoding. Before the audit reports
"invalid input accepted" it asks this module whether the bytes really were invalid.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from email.message import Message
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from videos_contract.audit.operations import OperationIndex
from videos_contract.audit.results import Exchange
from videos_contract.schema import coerce_text
from videos_contract.validator import by_path

__all__ = ["WireProblem", "request_fields", "wire_problems"]


@dataclass(frozen=True)
class WireProblem:
    """One rule of the spec that the bytes sent break; `location` is path/query/header/body."""

    location: str
    name: str
    message: str


def _first_error(instance: Any, schema: dict[str, Any]) -> str | None:
    from videos_contract.validator import EcmaValidator  # jsonschema, on first use

    errors = by_path(list(EcmaValidator(schema).iter_errors(instance)))
    if not errors:
        return None
    where = "/".join(str(part) for part in errors[0].path)
    return f"field {where}: {errors[0].message}" if where else str(errors[0].message)


def _is_binary(schema: dict[str, Any]) -> bool:
    if schema.get("format") == "binary":
        return True
    return any(_is_binary(branch) for branch in schema.get("oneOf", []) + schema.get("anyOf", []))


def _parameter_problems(
    location: str, params: list[dict[str, Any]], values: dict[str, list[str]]
) -> list[WireProblem]:
    problems = []
    for param in params:
        if param.get("in") != location:
            continue
        name = param["name"]
        key = name.lower() if location == "header" else name
        given = values.get(key, [])
        if not given:
            if param.get("required"):
                problems.append(WireProblem(location, name, "required but absent"))
            continue
        schema = param.get("schema", {})
        # A repeated parameter is read as its first or its last value, depending on the
        # server; the request is invalid only if both readings are.
        errors = [_first_error(coerce_text(v, schema), schema) for v in {given[0], given[-1]}]
        if all(errors):
            problems.append(WireProblem(location, name, str(errors[0])))
    return problems


def _media_type(headers: dict[str, list[str]]) -> tuple[str, Message]:
    raw = (headers.get("content-type") or [""])[-1]
    message = BytesParser(policy=HTTP).parsebytes(f"Content-Type: {raw}\r\n\r\n".encode())
    return message.get_content_type() if raw else "", message


def _form_parts(body: bytes, content_type: str) -> list[tuple[str, bool, str, bytes]]:
    """(name, is_file, part content type, data) of each part of a multipart body."""
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
    message = BytesParser(policy=HTTP).parsebytes(head + body)
    parts = []
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        parts.append((name, part.get_filename() is not None, part.get_content_type(), data))
    return parts


def _form_instances(
    parts: list[tuple[str, bool, str, bytes]], schema: dict[str, Any]
) -> tuple[list[dict[str, Any]], list[WireProblem]]:
    """The object a server reads from the form, once taking first and once last values."""
    properties: dict[str, Any] = schema.get("properties", {})
    grouped: dict[str, list[Any]] = {}
    problems = []
    for name, is_file, part_type, data in parts:
        base = name.split("[", 1)[0]
        prop = properties.get(base, {})
        if "[" in name and base in properties:
            # Bracketed fields (`input_reference[image_url]`) build an object, as Node SDKs send.
            field = name[len(base) + 1 : -1]
            target = grouped.setdefault(base, [{}])[-1]
            if isinstance(target, dict):
                target[field] = data.decode("utf-8", "replace")
            continue
        if _is_binary(prop) or is_file:
            value: Any = "<binary>"
        else:
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError:
                problems.append(WireProblem("body", name, "text field is not UTF-8"))
                continue
            value = json.loads(text) if part_type == "application/json" and text else text
            if isinstance(value, str):
                value = coerce_text(value, prop)
        grouped.setdefault(name, []).append(value)
    first = {name: values[0] for name, values in grouped.items()}
    last = {name: values[-1] for name, values in grouped.items()}
    return [first, last], problems


def _form_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """The body schema with file-capable fields relaxed: any bytes are a valid file."""
    relaxed = dict(schema)
    relaxed["properties"] = {
        name: ({} if _is_binary(prop) else prop)
        for name, prop in schema.get("properties", {}).items()
    }
    return relaxed


def _body_problems(
    op_body: dict[str, Any], headers: dict[str, list[str]], body: bytes
) -> list[WireProblem]:
    content: dict[str, Any] = op_body.get("content", {})
    if not body:
        return [WireProblem("body", "", "required but empty")] if op_body.get("required") else []
    media_type, _ = _media_type(headers)
    if media_type not in content:
        return [WireProblem("body", "", f"media type {media_type or 'none'} is not accepted")]
    schema: dict[str, Any] = content[media_type].get("schema", {})
    if media_type == "application/json":
        try:
            instance = json.loads(body)
        except ValueError:
            return [WireProblem("body", "", "not valid JSON")]
        error = _first_error(instance, schema)
        return [WireProblem("body", "", error)] if error else []
    if media_type == "multipart/form-data":
        try:
            parts = _form_parts(body, (headers.get("content-type") or [""])[-1])
        except (ValueError, json.JSONDecodeError) as exc:
            return [WireProblem("body", "", f"unreadable form: {exc}")]
        instances, problems = _form_instances(parts, schema)
        if problems:
            return problems
        relaxed = _form_schema(schema)
        rules = schema.get("x-rules-from")
        if isinstance(rules, dict):
            # The cross-field rules this form takes from another schema (`x-rules-from`).
            kept = {k: v for k, v in rules.items() if k in ("if", "then", "else", "allOf")}
            relaxed = {**relaxed, "allOf": [*relaxed.get("allOf", []), kept]}
        errors = [_first_error(instance, relaxed) for instance in instances]
        return [WireProblem("body", "", str(errors[0]))] if all(errors) else []
    return []


def wire_problems(index: OperationIndex, exchange: Exchange) -> list[WireProblem] | None:
    """What the request breaks, read as a server reads it; None when no operation matches."""
    url = urlsplit(exchange.url)
    found = index.match(exchange.method, url.path)
    if found is None:
        return None
    op = found.operation
    headers: dict[str, list[str]] = {}
    for name, value in exchange.headers:
        headers.setdefault(name.lower(), []).append(value)
    query: dict[str, list[str]] = {}
    for name, value in parse_qsl(url.query, keep_blank_values=True):
        query.setdefault(name, []).append(value)
    path = {name: [value] for name, value in found.path_params.items()}
    problems = (
        _parameter_problems("path", op.parameters, path)
        + _parameter_problems("query", op.parameters, query)
        + _parameter_problems("header", op.parameters, headers)
    )
    if op.data.get("requestBody"):
        try:
            problems += _body_problems(op.data["requestBody"], headers, exchange.body)
        except json.JSONDecodeError as exc:
            problems.append(WireProblem("body", "", f"JSON part unreadable: {exc}"))
    return problems


def request_fields(exchange: Exchange) -> dict[str, Any] | None:
    """The object a server reads from a JSON or multipart request body (a repeated field's
    last value; a file as `<binary>`), or None when there is none to read."""
    headers: dict[str, list[str]] = {}
    for name, value in exchange.headers:
        headers.setdefault(name.lower(), []).append(value)
    media_type, _ = _media_type(headers)
    try:
        if media_type == "application/json":
            document = json.loads(exchange.body)
            return document if isinstance(document, dict) else None
        if media_type == "multipart/form-data":
            parts = _form_parts(exchange.body, (headers.get("content-type") or [""])[-1])
            instances, _ = _form_instances(parts, {})
            return instances[-1]
    except ValueError:
        return None
    return None
