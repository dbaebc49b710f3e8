"""`create` for every model family: `--help` text and request bodies, read from the spec."""

from __future__ import annotations

import argparse
import base64
import mimetypes
from pathlib import Path
from typing import TYPE_CHECKING

from videos_contract.cli.common import CliError
from videos_contract.families import Families, Family

if TYPE_CHECKING:  # the generated client (httpx) is loaded when a body is built
    from videos_contract.client.families import JsonBody

__all__ = ["check_family_values", "families_help", "family_body"]

# A reference file sent inline (as a data URL) may be at most this large.
_MAX_INLINE_BYTES = 20 * 1024 * 1024


def _option_lines(family: Family, option: str, name: str) -> list[str]:
    """One line for an option whose values every model shares; else one line per group of
    models that take the same values (`Family.allowed`: the schema's per-model rules)."""
    default = family.field_default(name)
    after = f" (default {default})" if default is not None else ""
    groups: dict[tuple[str, ...], list[str]] = {}
    for model in family.models:
        values = family.allowed(model, name)
        strings = [str(v) for v in values if isinstance(v, str)]
        shown = tuple(strings or [str(v) for v in values])
        groups.setdefault(shown, []).append(model)
    if len(groups) <= 1:
        (shown,) = groups or {(): []}
        return [f"    {option} ({name}): {', '.join(shown) or 'any'}{after}"]
    lines = [f"    {option} ({name}), per model{after}:"]
    for shown, models in groups.items():
        lines.append(f"      {', '.join(models)}: {', '.join(shown) or 'none'}")
    return lines


def families_help(catalogue: Families) -> str:
    """The families, their models and values per model, for `create --help`."""
    lines = ["model families (values per model, from the spec's rules):"]
    for family in catalogue:
        status = f", deprecated, sunset {family.sunset}" if family.deprecated else ""
        models = ", ".join(family.models) or "models not listed in the spec (sent as given)"
        lines.append(f"  {family.name} ({family.title}{status}): {models}")
        if family.models:
            options = (("--seconds", family.seconds_field), ("--size", family.size_field))
            for option, name in options:
                lines += _option_lines(family, option, name)
            if family.nested:
                # A body without the first frame refused there (jsonschema-rs only: --help
                # loads no jsonschema).
                needing = [
                    m
                    for m in family.models
                    if family.refuses(family.body_of(m, "x"), family.reference_field)
                ]
                lines.append(
                    f"    --reference ({family.reference_field}): the first frame"
                    + (f", required by {', '.join(needing)}" if needing else "")
                    + "; the other models take none"
                )
        if family.fields:
            lines.append(f"    fields: {', '.join(family.fields)} (through the Python client)")
    return "\n".join(lines)


def _reference_url(value: str) -> str:
    if value.startswith(("https://", "http://", "data:")):
        return value
    path = Path(value)
    try:
        if path.stat().st_size > _MAX_INLINE_BYTES:
            raise CliError(
                f"--reference: {path} is larger than {_MAX_INLINE_BYTES} bytes", exit_code=2
            )
        data = path.read_bytes()
    except OSError as exc:
        raise CliError(f"--reference: cannot read {path}: {exc.strerror}", exit_code=2) from None
    mime, _ = mimetypes.guess_type(path.name)
    return f"data:{mime or 'application/octet-stream'};base64,{base64.b64encode(data).decode()}"


def family_body(family: Family, args: argparse.Namespace) -> JsonBody:
    """The JSON body of a non-default family: `create`'s options mapped onto the client's
    `options_body`, which places, types and checks them."""
    from videos_contract.client.families import BodyError, options_body

    reference = _reference_url(args.reference) if args.reference else None
    try:
        return options_body(
            args.model, args.prompt, seconds=args.seconds, size=args.size, reference=reference
        )
    except BodyError as exc:
        raise CliError(_option_names(family, str(exc)), exit_code=2) from None


def _option_names(family: Family, message: str) -> str:
    """A body error in the words of the command line (`--size`, `--seconds`)."""
    options = (
        (family.size_field, "--size"),
        (family.seconds_field, "--seconds"),
        (family.reference_field, "--reference"),
    )
    for field, option in options:
        if message.startswith((f"{field}=", f"{field} ")):
            return f"{option}: {message}"
    return message


def check_family_values(family: Family, args: argparse.Namespace) -> None:
    """Refuse, in one line, a length or size the default family does not take for the model
    (the client's `check_options`, which `create` runs before sending too)."""
    from videos_contract.client.values import BodyError, check_options

    try:
        check_options(args.model, seconds=args.seconds, size=args.size)
    except BodyError as exc:
        raise CliError(_option_names(family, str(exc)), exit_code=2) from None
