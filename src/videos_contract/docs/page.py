"""Read a copy of a gateway documentation page into the facts it states about one operation.

The page comes as a reader gets it: the text copied out of the browser, the page's HTML, or
its Markdown form. HTML and Markdown are first reduced to the same lines the browser copy has,
so one parser reads all three. The site's interface language varies, so every label is looked
up in `LABELS` (English and German), never matched as a literal in the parser.

What the parser keeps is what the page *says*: a type only when a type line is shown, a
default only when a label or the prose states one. Silence is recorded as `None`, so the
comparison can tell "the page says otherwise" from "the page does not say".
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath

__all__ = [
    "LABELS",
    "DocsPage",
    "PageError",
    "PageField",
    "PageType",
    "lines_from_html",
    "lines_from_markdown",
    "page_from_text",
    "parse_page",
    "read_page",
]


class PageError(ValueError):
    """The page cannot be read, or holds no operation this parser recognises."""


# Interface labels in the languages the site has been seen in. Lower case; matched whole.
LABELS: dict[str, frozenset[str]] = {
    "required": frozenset({"required", "erforderlich", "pflichtfeld"}),
    "optional": frozenset({"optional"}),
    "options": frozenset(
        {
            "allowed values",
            "available options",
            "possible values",
            "verfügbare optionen",
            "zulässige werte",
            "erlaubte werte",
            "mögliche werte",
        }
    ),
    "default": frozenset({"default", "default value", "standard", "standardwert"}),
    "section:auth": frozenset({"authorizations", "autorisierungen", "autorisierung"}),
    "section:body": frozenset({"body", "request body", "anfragekörper", "anfragetext"}),
    "section:path": frozenset({"path parameters", "pfadparameter"}),
    "section:query": frozenset({"query parameters", "abfrageparameter"}),
    "section:header": frozenset({"header parameters", "headers", "header-parameter"}),
    "section:response": frozenset({"response", "responses", "antwort", "antworten"}),
    "locations": frozenset({"header", "query", "path", "cookie"}),
    "skip": frozenset(
        {
            "show child attributes",
            "hide child attributes",
            "untergeordnete attribute anzeigen",
            "untergeordnete attribute ausblenden",
            "copy",
            "kopieren",
        }
    ),
}
# Phrases of the prose. Each pattern's group `v` is the stated value.
_PROSE_DEFAULT = re.compile(
    r"(?:\bdefaults? to|\bdefault(?: value)? is|\bdefault(?: value)?:"
    r"|\bstandardwert(?: ist)?:?|\bstandardmäßig)\s+(?P<v>.+?)\.?(?=\s*(?:$|\.\s|;|\)))",
    re.IGNORECASE,
)
_PROSE_OPTIONS = re.compile(
    r"\((?:" + "|".join(sorted(LABELS["options"])) + r")\s*:\s*(?P<v>[^)]*)\)", re.IGNORECASE
)
_LENGTH = re.compile(
    r"(?:required string length|erforderliche zeichenkettenlänge|zeichenkettenlänge)\s*:\s*"
    r"(?P<v>.+)$",
    re.IGNORECASE,
)
_RANGE = re.compile(r"(?:required range|erforderlicher bereich)\s*:\s*(?P<v>.+)$", re.IGNORECASE)
_UNITS = frozenset(
    {"second", "seconds", "sekunde", "sekunden", "s", "ms", "px", "pixel", "pixels", "percent"}
)
_BASE_TYPES = frozenset(
    {"string", "integer", "number", "boolean", "object", "array", "file", "enum", "null", "any"}
)
_TYPE_PART = re.compile(
    r"^(?:(?P<title>[\w.-]+)\s*·\s*)?(?P<base>[a-z]+)(?:<(?P<arg>[^>]+)>)?(?P<array>\[\])?$"
)
_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
_NAME = re.compile(r"^[A-Za-z_][\w.\[\]-]*$")
_SNAKE = re.compile(r"^[a-z_][a-z0-9_.\[\]]*$")


@dataclass(frozen=True)
class PageType:
    """A type line such as `integer<unixtime> | null` or `Error · object`."""

    text: str
    types: frozenset[str]
    nullable: bool
    format: str | None
    is_enum: bool


@dataclass
class PageField:
    """One parameter or response field as the page documents it."""

    name: str
    section: str  # auth, path, query, header, body or response
    type: PageType | None = None
    location: str | None = None
    required: bool = False
    enums: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)  # (where, values)
    defaults: list[tuple[str, str]] = field(default_factory=list)  # (where, value)
    min_length: int | None = None
    max_length: int | None = None
    minimum: float | None = None
    maximum: float | None = None
    description: list[str] = field(default_factory=list)


@dataclass
class DocsPage:
    """The operation a page documents and every field it lists."""

    method: str
    path: str
    title: str | None = None
    content_type: str | None = None
    fields: list[PageField] = field(default_factory=list)
    response_example: dict[str, object] | None = None

    def section(self, name: str) -> list[PageField]:
        return [f for f in self.fields if f.section == name]


# ---- HTML and Markdown to lines


class _TextLines(HTMLParser):
    """Text nodes as lines, as a browser copy gives them.

    Inline markup (code, emphasis, links) stays within its line; other elements break the line,
    and paragraph-like blocks also leave a blank line after them. `pre` keeps its own lines.
    """

    INLINE = frozenset({"a", "abbr", "b", "code", "em", "i", "kbd", "mark", "small", "strong"})
    PARAGRAPHS = frozenset(
        {
            "p",
            "div",
            "section",
            "article",
            "header",
            "footer",
            "h1",
            "h2",
            "h3",
            "h4",
            "h5",
            "h6",
            "li",
            "ul",
            "ol",
            "pre",
            "table",
            "tr",
            "details",
            "summary",
            "button",
        }
    )
    HIDDEN = frozenset({"script", "style", "svg", "head", "template", "noscript"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self._current: list[str] = []
        self._hidden = 0
        self._pre = 0

    def _break(self, *, blank: bool = False) -> None:
        if self._pre:
            self.lines += [line.strip() for line in "".join(self._current).splitlines()]
        else:
            text = re.sub(r"\s+", " ", "".join(self._current)).strip()
            if text:
                self.lines.append(text)
        self._current = []
        if blank and self.lines and self.lines[-1]:
            self.lines.append("")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.HIDDEN:
            self._hidden += 1
        elif tag == "br":
            self._break()
        elif tag not in self.INLINE:
            self._break()
            self._pre += tag == "pre"

    def handle_endtag(self, tag: str) -> None:
        if tag in self.HIDDEN:
            self._hidden = max(0, self._hidden - 1)
        elif tag not in self.INLINE:
            self._break(blank=tag in self.PARAGRAPHS)
            self._pre = max(0, self._pre - (tag == "pre"))

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self._current.append(data)


def lines_from_html(html: str) -> list[str]:
    """The lines a browser copy of this HTML would give (one per block or label)."""
    parser = _TextLines()
    parser.feed(html)
    parser.close()
    parser._break()
    return parser.lines


_MD_INLINE = [
    (re.compile(r"!?\[([^\]]*)\]\([^)]*\)"), r"\1"),
    (re.compile(r"\*\*([^*]+)\*\*"), r"\1"),
    (re.compile(r"__([^_]+)__"), r"\1"),
]


def _split_meta(line: str) -> list[str]:
    """Split `` `string` · header · **required** `` at separators outside code spans."""
    parts, current, in_code = [], "", False
    i = 0
    while i < len(line):
        char = line[i]
        if char == "`":
            in_code = not in_code
        if not in_code and line.startswith(" · ", i):
            parts.append(current)
            current = ""
            i += 3
            continue
        current += char
        i += 1
    parts.append(current)
    return parts


def lines_from_markdown(markdown: str) -> list[str]:
    """The lines of a Markdown page with headings, emphasis, code marks and bullets removed."""
    out: list[str] = []
    for raw in markdown.splitlines():
        line = raw.strip()
        if line.startswith("```"):
            continue
        line = re.sub(r"^#{1,6}\s+", "", line)
        line = re.sub(r"^>\s?", "", line)
        line = re.sub(r"^[-*+]\s+", "", line)
        for pattern, repl in _MD_INLINE:
            line = pattern.sub(repl, line)
        out += [part.replace("`", "").strip() for part in _split_meta(line)]
    return out


# ---- the line parser


def _label(line: str) -> str:
    return line.strip().rstrip(":").strip().lower()


def _section_of(line: str) -> str | None:
    label = _label(line)
    for key, words in LABELS.items():
        if key.startswith("section:") and label in words:
            return key.split(":", 1)[1]
    return None


def parse_type(text: str) -> PageType | None:
    """A type line, or None when `text` is not one."""
    parts = [p.strip() for p in text.split("|")]
    types: set[str] = set()
    nullable, fmt, is_enum = False, None, False
    for part in parts:
        match = _TYPE_PART.match(part)
        if match is None or match["base"] not in _BASE_TYPES:
            return None
        base, arg = match["base"], match["arg"]
        if base == "null":
            nullable = True
            continue
        if base == "enum":
            is_enum = True
            base = arg or "string"
        elif base == "file":
            base, fmt = "string", "binary"
        elif arg:
            fmt = arg
        types.add("array" if match["array"] else base)
    return PageType(text, frozenset(types), nullable, fmt, is_enum)


def _is_meta(line: str) -> bool:
    label = _label(line)
    return (
        parse_type(line) is not None
        or label in LABELS["required"]
        or label in LABELS["optional"]
        or label in LABELS["locations"]
        or _default_label(line) is not None
    )


def _default_label(line: str) -> str | None:
    name, sep, value = line.partition(":")
    if sep and value.strip() and name.strip().lower() in LABELS["default"]:
        return _clean_value(value)
    return None


def _clean_value(text: str) -> str:
    return text.strip().strip("`'\"“”„").strip()


def _prose_default(text: str) -> str | None:
    match = _PROSE_DEFAULT.search(text)
    if match is None:
        return None
    words = _clean_value(match["v"]).split()
    if len(words) > 1 and all(w.lower().strip(".") in _UNITS for w in words[1:]):
        return _clean_value(words[0])
    return _clean_value(" ".join(words))


def _values(text: str) -> tuple[str, ...]:
    return tuple(v for v in (_clean_value(p) for p in text.split(",")) if v)


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _apply_limits(target: PageField, line: str) -> None:
    length = _LENGTH.search(line)
    if length:
        text = length["v"].replace(" ", "")
        low, dash, high = text.partition("-")
        if dash:
            target.min_length = int(low) if low.isdigit() else None
            target.max_length = int(high) if high.isdigit() else None
        elif text.startswith(">="):
            target.min_length = int(text[2:]) if text[2:].isdigit() else None
        elif text.startswith("<="):
            target.max_length = int(text[2:]) if text[2:].isdigit() else None
    bounds = _RANGE.search(line)
    if bounds:
        text = bounds["v"].replace(" ", "")
        both = re.fullmatch(r"(-?[\d.]+)<=x<=(-?[\d.]+)", text)
        if both:
            target.minimum, target.maximum = _number(both[1]), _number(both[2])
        elif lower := re.fullmatch(r"x>=(-?[\d.]+)", text):
            target.minimum = _number(lower[1])
        elif upper := re.fullmatch(r"x<=(-?[\d.]+)", text):
            target.maximum = _number(upper[1])


def _find_operation(lines: list[str]) -> tuple[str, str, int] | None:
    """(METHOD, path, index of the line after the path) from the page's header."""
    for i, line in enumerate(lines):
        one = re.fullmatch(rf"({'|'.join(_METHODS)})\s+(/\S*)", line)
        if one:
            return one[1], one[2], i + 1
        if line not in _METHODS:
            continue
        path, j = "", i + 1
        while j < len(lines):
            piece = lines[j]
            if piece == "/" or (piece.startswith("/") and " " not in piece):
                path += piece
            elif path.endswith("/") and re.fullmatch(r"[\w{}.:-]+", piece):
                path += piece
            else:
                break
            j += 1
        if path.startswith("/") and len(path) > 1:
            return line, path, j
    text = "\n".join(lines)
    method = re.search(r"--request\s+([A-Z]+)", text)
    url = re.search(r"--url\s+'?https?://[^/\s']+(/[^\s'\\]*)", text)
    if method and url and method[1] in _METHODS:
        return method[1], url[1], 0
    return None


def _response_example(lines: list[str], start: int) -> dict[str, object] | None:
    """The first JSON object shown on its own lines (the example response)."""
    for i in range(start, len(lines)):
        if lines[i] == "{":
            try:
                value, _ = json.JSONDecoder().raw_decode("\n".join(lines[i:]))
            except json.JSONDecodeError:
                continue
            return value if isinstance(value, dict) else None
    return None


def parse_page(lines: Iterable[str]) -> DocsPage:
    """The facts a page states, from its lines (see `lines_from_html`/`_markdown`)."""
    rows = [line.replace("\xa0", " ").strip() for line in lines]
    found = _find_operation(rows)
    if found is None:
        raise PageError("no operation found (no `METHOD /path` header and no curl example)")
    method, path, after = found
    page = DocsPage(method, path)
    title = next((r for r in rows[after:] if r), None)
    page.title = title if title and not title.startswith("curl") else None
    content_type = re.search(r"Content-Type:\s*([\w.+-]+/[\w.+-]+)", "\n".join(rows), re.I)
    page.content_type = content_type[1].lower() if content_type else None
    page.response_example = _response_example(rows, after)

    section: str | None = None
    current: PageField | None = None
    in_meta = False
    i = 0
    while i < len(rows):
        line = rows[i]
        i += 1
        if not line:
            in_meta = False
            continue
        new_section = _section_of(line)
        if new_section is not None and not (in_meta and current and _is_meta(line)):
            section, current, in_meta = new_section, None, False
            continue
        if section is None or _label(line) in LABELS["skip"]:
            continue
        name, sep, rest = line.partition(":")
        if sep and name.strip().lower() in LABELS["options"] and current is not None:
            values: list[str] = list(_values(rest))
            if not rest.strip():
                # One value a line, each but the last ending in a comma.
                while i < len(rows) and rows[i].endswith(","):
                    values += _values(rows[i])
                    i += 1
                if i < len(rows) and rows[i]:
                    values += _values(rows[i])
                    i += 1
            current.enums.append(("options list", tuple(values)))
            in_meta = False
            continue
        if current is not None and in_meta and _is_meta(line):
            _apply_meta(current, line)
            continue
        following = rows[i] if i < len(rows) else ""
        if _NAME.match(line) and (
            _is_meta(following) or (not following and _SNAKE.match(line) is not None)
        ):
            current = PageField(line, section)
            page.fields.append(current)
            in_meta = True
            continue
        if current is not None:
            current.description.append(line)
            _apply_prose(current, line)
    return page


def _apply_meta(target: PageField, line: str) -> None:
    label = _label(line)
    default = _default_label(line)
    if label in LABELS["required"]:
        target.required = True
    elif label in LABELS["optional"]:
        target.required = False
    elif label in LABELS["locations"]:
        target.location = label
    elif default is not None:
        target.defaults.append(("default label", default))
    else:
        target.type = parse_type(line)


def _apply_prose(target: PageField, line: str) -> None:
    options = _PROSE_OPTIONS.search(line)
    if options:
        target.enums.append(("allowed values in the text", _values(options["v"])))
    default = _prose_default(line)
    if default is not None:
        target.defaults.append(("default in the text", default))
    _apply_limits(target, line)


def page_from_text(text: str, name: str = "") -> DocsPage:
    """Read a page's text in any of its three forms, chosen by the suffix of `name` (a file
    name or a URL's path) or by content."""
    suffix = PurePosixPath(name).suffix.lower()
    head = text.lstrip()[:200].lower()
    if suffix in (".html", ".htm") or head.startswith(("<!doctype html", "<html")):
        lines = lines_from_html(text)
    elif suffix in (".md", ".markdown", ".mdx"):
        lines = lines_from_markdown(text)
    else:
        lines = text.splitlines()
    return parse_page(lines)


def read_page(path: Path) -> DocsPage:
    """Read a page file in any of its three forms, chosen by suffix or by content."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PageError(f"cannot read {path}: {exc}") from exc
    return page_from_text(text, path.name)
