"""The audit's settings file: `videos-contract.toml`, or `[tool.videos-contract]` in pyproject.toml.

A project keeps its audit settings in the repository and runs `videos-contract audit` with no
flags. The file names the environment variable that holds the key (`key_env`), never the key:
a literal key in the file is refused. String values may use `${NAME}` for an environment
variable. A flag on the command line wins over the file, the file over the environment's
`VIDEOS_API_URL`, and that over the built-in defaults. `videos-contract config show` prints the
merged result with the key masked.
"""

from __future__ import annotations

import argparse
import math
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# The profiles' module is plain data: the video commands and the mock read this file too, and
# the base install has no audit. The check names (`severity`) are checked by the audit alone.
from videos_contract.audit.profiles import ALL_MODELS, PROFILES
from videos_contract.cli.common import CliError
from videos_contract.credentials import mask_key
from videos_contract.protocol import KEY_ENV, URL_ENV

__all__ = [
    "CONFIG_FILE",
    "SEVERITIES",
    "FileSettings",
    "Settings",
    "find_config",
    "merge",
    "read_config",
    "register",
]

CONFIG_FILE = "videos-contract.toml"
PYPROJECT_TABLE = "videos-contract"
# error: a violation fails the audit; warning: reported, exit code unchanged; off: not run.
SEVERITIES = ("error", "warning", "off")

_KEYS = {
    "url": str,
    "key_env": str,
    "profile": str,
    "max_creates": int,
    "rate_limit": float,
    "without": list,
    "models": list,
    "model": str,
    "severity": dict,
    "report_dir": str,
    "spec": str,
    "baseline": str,
    # The mock's job store (`mock --store`): a SQLite file or a PostgreSQL URL.
    "store": str,
    # The documentation sources `docs-check --sources` fetches: [[docs_sources]] url, kind.
    "docs_sources": list,
}
_SOURCE_KEYS = ("url", "kind")
# Names under which a key itself might be written; the file must only name its variable.
_SECRET_NAMES = ("key", "api_key", "apikey", "token", "secret", "password")
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_REFERENCE = re.compile(r"\$\{([^}]*)\}")


@dataclass(frozen=True)
class FileSettings:
    """What the settings file says, validated; `source` is where it was read."""

    source: Path | None = None
    values: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Settings:
    """The audit's settings after merging flags, file, environment and defaults."""

    url: str | None
    key: str | None
    key_env: str
    profile: str
    max_creates: int | None
    rate_limit: float | None
    without: tuple[str, ...]
    # The models the sweep audits; (ALL_MODELS,) for every model the spec lists, () the default.
    models: tuple[str, ...]
    severity: dict[str, str]
    report_dir: Path
    spec: Path | None
    baseline: Path | None
    source: Path | None
    # Where each setting came from: "flag", "file", "environment" or "default".
    origins: dict[str, str]
    # What `docs-check --sources` fetches: {"url": ..., "kind": ...} per source (file only).
    docs_sources: tuple[dict[str, str], ...] = ()

    def checks_with(self, severity: str) -> tuple[str, ...]:
        return tuple(sorted(name for name, level in self.severity.items() if level == severity))


def find_config(folder: Path) -> Path | None:
    """`videos-contract.toml` in `folder`, else a pyproject.toml there with our table."""
    candidate = folder / CONFIG_FILE
    if candidate.is_file():
        return candidate
    pyproject = folder / "pyproject.toml"
    if pyproject.is_file():
        try:
            data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError):
            return None
        if PYPROJECT_TABLE in data.get("tool", {}):
            return pyproject
    return None


def _substitute(text: str, where: str, environ: dict[str, str]) -> str:
    def one(match: re.Match[str]) -> str:
        name = match.group(1)
        if not _ENV_NAME.fullmatch(name):
            raise CliError(f"{where}: ${{{name}}} is not an environment variable name", 2)
        if name not in environ:
            raise CliError(f"{where}: ${{{name}}} is not set in the environment", 2)
        return environ[name]

    return _REFERENCE.sub(one, text)


def read_config(path: Path, environ: dict[str, str] | None = None) -> FileSettings:
    """Read and check one settings file; every mistake is one `CliError` line naming it."""
    environ = dict(os.environ if environ is None else environ)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise CliError(f"cannot read {path}: {exc.strerror}", 2) from None
    except tomllib.TOMLDecodeError as exc:
        raise CliError(f"{path} is not valid TOML: {exc}", 2) from None
    if path.name == "pyproject.toml":
        data = data.get("tool", {}).get(PYPROJECT_TABLE, {})
    if not isinstance(data, dict):
        raise CliError(f"{path}: the settings must be a table", 2)
    values: dict[str, Any] = {}
    for name, value in data.items():
        where = f"{path}: {name}"
        if name.lower() in _SECRET_NAMES:
            raise CliError(
                f"{where}: a settings file must not hold the API key; set key_env to the NAME "
                "of the environment variable that holds it",
                2,
            )
        expected = _KEYS.get(name)
        if expected is None:
            raise CliError(f"{where}: unknown setting; known: {', '.join(sorted(_KEYS))}", 2)
        if name == "models":
            values[name] = _models(where, value)
            continue
        if name == "docs_sources":
            values[name] = _docs_sources(where, value, environ)
            continue
        if expected is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, expected) or isinstance(value, bool):
            raise CliError(f"{where}: expected {expected.__name__}, got {value!r}", 2)
        if isinstance(value, float) and not (math.isfinite(value) and value > 0):
            # TOML has nan and inf; `nan <= 0` is false, so say it here.
            raise CliError(f"{where}: must be a finite number above 0, got {value!r}", 2)
        if name == "store" and isinstance(value, str) and _literal_password(value):
            raise CliError(
                f"{where}: a settings file must not hold the database password; write it as "
                "${NAME} of an environment variable, or leave it out for $PGPASSWORD",
                2,
            )
        if isinstance(value, str):
            value = _substitute(value, where, environ)
        values[name] = value
    _check_values(path, values)
    return FileSettings(source=path, values=values)


def _literal_password(url: str) -> bool:
    """Whether a store URL carries a password written out (not a `${NAME}` reference)."""
    userinfo = url.partition("://")[2].partition("@")
    if not userinfo[1]:
        return False
    password = userinfo[0].partition(":")[2]
    return bool(password) and not _REFERENCE.fullmatch(password)


def _models(where: str, value: Any) -> tuple[str, ...]:
    """`models`: a list of model names (listed in the spec or not), or the string "all"."""
    if value == ALL_MODELS:
        return (ALL_MODELS,)
    if isinstance(value, list) and all(isinstance(m, str) and m.strip() for m in value):
        return tuple(value)
    raise CliError(f'{where}: expected a list of model names or "{ALL_MODELS}", got {value!r}', 2)


def _docs_sources(where: str, value: Any, environ: dict[str, str]) -> list[dict[str, str]]:
    """`[[docs_sources]]`: tables of an http(s) `url` (`${NAME}` allowed) and an optional
    `kind`; the kind may be left out where the spec's x-sources or the page tells it."""
    from videos_contract.docs.fetch import FetchError, check_address
    from videos_contract.docs.kinds import KINDS

    if not isinstance(value, list):
        raise CliError(f"{where}: expected [[docs_sources]] tables with url and kind", 2)
    sources = []
    for number, entry in enumerate(value, 1):
        at = f"{where} #{number}"
        if not isinstance(entry, dict):
            raise CliError(f"{at}: expected a table with url and kind, got {entry!r}", 2)
        unknown = sorted(set(entry) - set(_SOURCE_KEYS))
        if unknown:
            raise CliError(f"{at}: unknown key {unknown[0]!r}; known: url, kind", 2)
        url, kind = entry.get("url"), entry.get("kind")
        if not isinstance(url, str) or not url.strip():
            raise CliError(f"{at}: url must be an http(s) URL", 2)
        try:
            check_address(_substitute(url.strip(), at, environ))
        except FetchError as exc:
            raise CliError(f"{at}: {exc}", 2) from None
        source = {"url": _substitute(url.strip(), at, environ)}
        if kind is not None:
            if kind not in KINDS:
                raise CliError(f"{at}: kind {kind!r}; one of {', '.join(KINDS)}", 2)
            source["kind"] = kind
        sources.append(source)
    return sources


def _check_values(path: Path, values: dict[str, Any]) -> None:
    key_env = values.get("key_env")
    if key_env is not None and not _ENV_NAME.fullmatch(key_env):
        raise CliError(
            f"{path}: key_env must be the NAME of an environment variable (like {KEY_ENV}), "
            "not the key itself",
            2,
        )
    profile = values.get("profile")
    if profile is not None and profile not in PROFILES:
        raise CliError(f"{path}: profile {profile!r}; known: {', '.join(PROFILES)}", 2)
    if values.get("max_creates", 0) < 0:
        raise CliError(f"{path}: max_creates must be 0 or more", 2)
    if values.get("rate_limit", 1.0) <= 0:
        raise CliError(f"{path}: rate_limit must be more than 0", 2)
    for operation in values.get("without", []):
        if not isinstance(operation, str):
            raise CliError(f"{path}: without lists operationIds, got {operation!r}", 2)
    for check, level in values.get("severity", {}).items():
        if level not in SEVERITIES:
            raise CliError(
                f"{path}: severity of {check}: {level!r}; one of {', '.join(SEVERITIES)}", 2
            )


def _check_severity(found: FileSettings) -> None:
    """Every check the file's `severity` names is one of the audit's (the audit's own test:
    loading the checks needs the `audit` extra)."""
    from videos_contract.audit import CHECKS

    for check in found.values.get("severity", {}):
        if check not in CHECKS:
            raise CliError(f"{found.source}: severity of {check!r}: no such check", 2)


def _env(name: str, environ: dict[str, str]) -> str | None:
    """An environment variable, an empty value read as unset (as `make audit` passes it)."""
    value = environ.get(name, "").strip()
    return value or None


def merge(
    args: argparse.Namespace, found: FileSettings, environ: dict[str, str] | None = None
) -> Settings:
    """Flags over the file, the file over the environment's URL, that over the defaults."""
    environ = dict(os.environ if environ is None else environ)
    file = found.values
    origins: dict[str, str] = {}

    def pick(name: str, flag: Any, default: Any) -> Any:
        if flag is not None:
            origins[name] = "flag"
            return flag
        if name in file:
            origins[name] = "file"
            return file[name]
        origins[name] = "default"
        return default

    url = pick("url", args.url, None)
    if url is None and _env(URL_ENV, environ):
        url, origins["url"] = _env(URL_ENV, environ), "environment"
    key_env = pick("key_env", None, KEY_ENV)
    key = args.key
    origins["key"] = "flag" if key is not None else f"${key_env}"
    if key is None:
        key = _env(key_env, environ)
    spec = pick("spec", args.spec, None)
    baseline = pick("baseline", getattr(args, "baseline", None), None)
    without = tuple(args.without) if args.without else None
    models = (ALL_MODELS,) if args.models else tuple(args.model) or None
    return Settings(
        url=url,
        key=key,
        key_env=key_env,
        profile=pick("profile", args.profile, "standard"),
        max_creates=pick("max_creates", args.max_creates, None),
        rate_limit=pick("rate_limit", args.rate_limit, None),
        without=tuple(pick("without", without, ())),
        models=tuple(pick("models", models, ())),
        severity=dict(pick("severity", None, {})),
        report_dir=Path(pick("report_dir", args.report_dir, "reports")),
        spec=None if spec is None else Path(spec),
        baseline=None if baseline is None else Path(baseline),
        source=found.source,
        origins=origins,
        docs_sources=tuple(file.get("docs_sources", ())),
    )


def load_settings(args: argparse.Namespace) -> Settings:
    """The merged settings for `audit` and `config show`."""
    path: Path | None = args.config
    if path is not None and not path.is_file():
        raise CliError(f"--config {path}: no such file", 2)
    if path is None:
        path = find_config(Path.cwd())
    found = read_config(path) if path is not None else FileSettings()
    _check_severity(found)
    return merge(args, found)


def _quote(value: Any) -> str:
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, Path):
        return _quote(str(value))
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_quote(v) for v in value) + "]"
    return str(value)


def render(settings: Settings, *, mock: bool = False) -> str:
    """The merged settings as TOML lines with their origin; the key masked. `mock`: the
    audit's `--mock` was given (the embedded mock is the server when no url is set)."""
    source = settings.source or "none (defaults, flags and the environment)"
    lines = [f"# settings file: {source}"]

    def line(name: str, value: Any, origin: str | None = None) -> None:
        shown = "# unset" if value is None else f"{name} = {_quote(value)}"
        if value is None:
            shown = f"# {name} unset"
        lines.append(f"{shown:<48} # {origin or settings.origins.get(name, 'default')}")

    line("url", settings.url or None)
    if settings.url is None and mock:
        lines[-1] = f"{'# url unset: the embedded mock':<48} # --mock"
    elif settings.url is None:
        lines[-1] = f"{'# url unset: refused, unless --mock':<48} # default"
    line("key_env", settings.key_env)
    masked = mask_key(settings.key) if settings.key else None
    line("key", masked, settings.origins["key"] + (" (masked)" if masked else " (not set)"))
    line("profile", settings.profile)
    line("max_creates", settings.max_creates)
    line("rate_limit", settings.rate_limit)
    line("without", list(settings.without))
    if settings.models == (ALL_MODELS,):
        line("models", ALL_MODELS)
    elif settings.models:
        line("models", list(settings.models))
    else:
        lines.append(f"{'# models unset: one model per family':<48} # default")
    line("report_dir", settings.report_dir)
    line("spec", settings.spec)
    line("baseline", settings.baseline)
    lines.append("")
    lines.append(f"[severity]{'':<38} # {settings.origins.get('severity', 'default')}")
    from videos_contract.audit import CHECKS

    for check in CHECKS:
        lines.append(f"{check} = {_quote(settings.severity.get(check, 'error'))}")
    for entry in settings.docs_sources:  # read by docs-check --sources
        lines += ["", f"{'[[docs_sources]]':<48} # file"]
        lines += [f"{name} = {_quote(value)}" for name, value in entry.items()]
    return "\n".join(lines)


def _show(args: argparse.Namespace) -> int:
    print(render(load_settings(args), mock=bool(getattr(args, "mock", False))))
    return 0


def add_config_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config",
        type=Path,
        default=None,
        metavar="PATH",
        help=(
            f"settings file (default: {CONFIG_FILE} in the current folder, else "
            f"[tool.{PYPROJECT_TABLE}] in its pyproject.toml)"
        ),
    )


def register(subparsers: argparse._SubParsersAction[Any], audit_options: Any) -> None:
    """Add `config show`; `audit_options(parser)` adds the audit's flags, which override."""
    config = subparsers.add_parser(
        "config",
        help="show the audit's settings (file, flags, environment) merged",
        description="Show the settings the audit would use; the key is masked.",
    )
    actions = config.add_subparsers(dest="config_command", metavar="ACTION")
    show = actions.add_parser(
        "show",
        help="print the merged settings with the key masked",
        description=(
            "Print the settings `videos-contract audit` would use with the same flags: "
            "each with where it came from (flag, file, environment, default). The key is masked."
        ),
    )
    audit_options(show)
    show.set_defaults(handler=_show)
    config.set_defaults(handler=lambda args: (config.print_help(), 2)[1])
