"""Write a page's browser text copy in its HTML and Markdown forms.

`docs-check` reads a page in three forms. The text copy is the one a reader makes; the HTML
and Markdown forms the tests read are rendered from it here, so the three never disagree and
a new reading of the page is one copy plus `make pages`, not three hand edits. The rendering
classifies each line with the parser's own rules (`videos_contract.docs.page`), so what the
parser reads back from a form is what it reads from the text.
"""

from __future__ import annotations

import argparse
import html
import json
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from videos_contract.docs.page import (
    _METHODS,
    _NAME,
    _SNAKE,
    LABELS,
    PageError,
    _is_meta,
    _section_of,
)

__all__ = ["FORMS", "main", "render_html", "render_markdown", "write_forms"]


@dataclass(frozen=True)
class _Options:
    label: str
    values: list[str]


@dataclass
class _Field:
    name: str
    meta: list[str] = field(default_factory=list)
    body: list[str | _Options] = field(default_factory=list)  # prose lines and options lists


@dataclass
class _Section:
    title: str
    intro: list[str] = field(default_factory=list)
    fields: list[_Field] = field(default_factory=list)


@dataclass
class _Page:
    skip_link: str | None
    method: str
    path: str
    title: str
    code: list[tuple[str, str]]  # (language, text)
    preface: list[str]
    sections: list[_Section]


def _is_options_label(line: str) -> str | None:
    """The values after an options label (`Verfügbare Optionen: a, b`), or None."""
    name, sep, rest = line.partition(":")
    return rest if sep and name.strip().lower() in LABELS["options"] else None


def _read(text: str) -> _Page:
    lines = [line.rstrip() for line in text.splitlines()]
    start = next((i for i, line in enumerate(lines) if line.strip() in _METHODS), None)
    if start is None:
        raise PageError("no `METHOD` line: not a browser text copy of an operation's page")
    skip_link = " ".join(line.strip() for line in lines[:start] if line.strip()) or None
    method, path, i = lines[start].strip(), "", start + 1
    while i < len(lines) and re.fullmatch(r"/|/?[\w{}.:-]+", lines[i].strip()):
        path += lines[i].strip()
        i += 1
    title = lines[i].strip()
    i += 1
    code: list[tuple[str, str]] = []
    if i < len(lines) and lines[i].startswith("curl"):
        end = i
        while lines[end].endswith("\\") and end + 1 < len(lines):
            end += 1
        code.append(("bash", "\n".join(lines[i : end + 1])))
        i = end + 1
    if i < len(lines) and lines[i].strip() == "{":
        rest = "\n".join(lines[i:])
        _, consumed = json.JSONDecoder().raw_decode(rest)
        count = rest[:consumed].count("\n") + 1
        code.append(("json", "\n".join(lines[i : i + count])))
        i += count
    preface: list[str] = []
    sections: list[_Section] = []
    current: _Field | None = None
    while i < len(lines):
        line = lines[i].strip()
        i += 1
        if not line:
            continue
        following = lines[i].strip() if i < len(lines) else ""
        if _section_of(line) is not None:
            sections.append(_Section(line))
            current = None
            continue
        if not sections:
            preface.append(line)
            continue
        section = sections[-1]
        options = _is_options_label(line)
        if options is not None and current is not None:
            values = [v.strip() for v in options.split(",") if v.strip()]
            if not options.strip():
                while i < len(lines) and lines[i].strip().endswith(","):
                    values.append(lines[i].strip().rstrip(","))
                    i += 1
                if i < len(lines) and lines[i].strip():
                    values.append(lines[i].strip())
                    i += 1
            current.body.append(_Options(line.partition(":")[0], values))
            continue
        if _NAME.match(line) and (
            _is_meta(following) or (not following and _SNAKE.match(line) is not None)
        ):
            current = _Field(line)
            section.fields.append(current)
            while i < len(lines) and lines[i].strip() and _is_meta(lines[i].strip()):
                current.meta.append(lines[i].strip())
                i += 1
            continue
        if current is None:
            section.intro.append(line)
        else:
            current.body.append(line)
    return _Page(skip_link, method, path, title, code, preface, sections)


def render_html(text: str) -> str:
    """The HTML form of a page's browser text copy."""
    page = _read(text)
    e = html.escape
    out = [
        "<!DOCTYPE html>",
        '<html lang="de">',
        f"<head><title>{e(page.title)}</title></head>",
        "<body>",
    ]
    if page.skip_link:
        out.append(f'<a href="#content">{e(page.skip_link)}</a>')
    out += [
        "<header>",
        f'  <div class="method-pill"><span>{e(page.method)}</span>'
        f"<span>{e(page.path)}</span></div>",
        f"  <h1>{e(page.title)}</h1>",
        "</header>",
    ]
    out += [f"<pre><code>{e(body, quote=False)}</code></pre>" for _, body in page.code]
    out += [f"<p>{e(line)}</p>" for line in page.preface]
    for section in page.sections:
        out += ['<section id="content">' if section is page.sections[0] else "<section>"]
        out.append(f"  <h2>{e(section.title)}</h2>")
        out += [f"  <p>{e(line)}</p>" for line in section.intro]
        for item in section.fields:
            head = "".join(f"<span>{e(part)}</span>" for part in [item.name, *item.meta])
            out.append(f'  <div class="field">\n    <div class="field-head">{head}</div>')
            for part in item.body:
                if isinstance(part, _Options):
                    values = ", ".join(f"<code>{e(v)}</code>" for v in part.values)
                    out.append(f"    <div>{e(part.label)}: {values}</div>")
                else:
                    out.append(f"    <p>{e(part)}</p>")
            out.append("  </div>")
        out.append("</section>")
    out += ["</body>", "</html>"]
    return "\n".join(out) + "\n"


def render_markdown(text: str) -> str:
    """The Markdown form of a page's browser text copy."""
    page = _read(text)
    out = [f"`{page.method} {page.path}`", "", f"# {page.title}", ""]
    for language, body in page.code:
        out += [f"```{language}", body, "```", ""]
    for line in page.preface:
        out += [line, ""]
    for section in page.sections:
        out += [f"## {section.title}", ""]
        for line in section.intro:
            out += [line, ""]
        for item in section.fields:
            out.append(f"### {item.name}")
            if item.meta:
                out.append(" · ".join(_markdown_meta(m) for m in item.meta))
            out.append("")
            for part in item.body:
                if isinstance(part, _Options):
                    out += [f"{part.label}: " + ", ".join(f"`{v}`" for v in part.values), ""]
                else:
                    out += [part, ""]
    return "\n".join(out).rstrip("\n") + "\n"


def _markdown_meta(line: str) -> str:
    label = line.strip().lower()
    if label in LABELS["required"]:
        return f"**{line}**"
    name, sep, value = line.partition(":")
    if sep and name.strip().lower() in LABELS["default"]:
        return f"{name}:`{value.strip()}`"
    return f"`{line}`"


# The forms `make pages` writes, by file suffix.
FORMS = {".html": render_html, ".md": render_markdown}


def write_forms(source: Path, target_dir: Path) -> list[Path]:
    """Write each form of the text copy `source` beside the others in `target_dir`."""
    try:
        text = source.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PageError(f"cannot read {source}: {exc}") from exc
    written = []
    for suffix, render in FORMS.items():
        target = target_dir / (source.stem + suffix)
        target.write_text(render(text), encoding="utf-8")
        written.append(target)
    return written


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m videos_contract.docs.forms",
        description="Write the HTML and Markdown forms of a page's browser text copy.",
    )
    parser.add_argument("page", type=Path, help="the text copy (.txt)")
    parser.add_argument("target", type=Path, help="the folder the forms are written to")
    args = parser.parse_args(argv)
    try:
        for path in write_forms(args.page, args.target):
            print(f"wrote {path}")
    except PageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
