"""Config schema machinery: dataclass fields that carry their rules, and the validator that reads them.

A config section is a frozen dataclass whose fields are declared with `spec(low, high, unit=...,
choices=...)`. `build(cls, data, prefix, problems)` turns a raw mapping (parsed YAML) into that
dataclass, appending every problem it finds to `problems` as "key 'a.b.c': expected ..., got ..."
instead of stopping at the first, and suggesting close matches for misspelled keys and choices.
Nested dataclasses, lists of nested dataclasses (key paths `studies[0].config`), mappings of names
to numbers, lists of choices, booleans, integers, numbers in a range, required keys and optional
values (`X | None`: null is allowed) are understood. Study, training and job configs are all
validated by it; `config_error` turns the collected problems into one ConfigError.
"""

from __future__ import annotations

import dataclasses
import math
import re
import types
import typing
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import field
from pathlib import Path
from typing import Any, TypeVar

import yaml

from pipeline.errors import ConfigError, did_you_mean


def spec(
    low: float | None = None,
    high: float | None = None,
    *,
    unit: str = "",
    choices=None,
    complete: bool = False,
    required: bool = False,
    pattern: str | None = None,
    number_as_text: bool = False,
    **kw,
):
    """A dataclass field with its validation rule in metadata (complete: a mapping needs every
    choice; required: the key must be given, its default only stands in while problems are
    collected; for a list of nested dataclasses, low is the least number of entries; pattern: a
    regular expression a string must match whole, e.g. SAFE_NAME; number_as_text: a string field
    that takes a YAML integer as its digits, e.g. a version)."""
    meta = {
        "low": low,
        "high": high,
        "unit": unit,
        "choices": choices,
        "complete": complete,
        "required": required,
        "pattern": pattern,
        "number_as_text": number_as_text,
    }
    return field(metadata=meta, **kw)


# Names that become file or folder names (study, job, experiment): letters, digits, '.', '_', '-',
# not starting with a dot or dash, so that none is a path ('../x', '/etc'), hidden, or read as a flag.
SAFE_NAME = r"[A-Za-z0-9_][A-Za-z0-9._-]{0,99}"
SAFE_NAME_TEXT = "1-100 letters, digits, '.', '_' or '-', not starting with '.' or '-'"

# Config files are small; a larger one is a mistake (or an attack on the parser).
MAX_CONFIG_BYTES = 1_000_000


def config_error(source: str, problems: list[str], what: str = "config") -> ConfigError:
    """One error listing every problem found in a file: "<file>: invalid <what>: <problem>" on one
    line when there is one problem, else a bullet each."""
    if len(problems) == 1:
        return ConfigError(f"{source}: invalid {what}: {problems[0]}")
    return ConfigError(f"{source}: invalid {what}\n" + "\n".join(f"  - {p}" for p in problems))


Config = TypeVar("Config")


def validate(
    cls: type[Config], data: Any, source: str, checks: Callable[[Any], list[str]] | None = None
) -> Config:
    """A top-level config (a dataclass with a `source` field) from its raw mapping, or one
    ConfigError listing every problem; `checks(config)` adds rules across keys once every key is
    valid on its own."""
    problems: list[str] = []
    config = build(cls, data, "", problems, skip={"source"})
    if not problems and checks is not None:
        problems = checks(config)
    if problems:
        raise config_error(source, problems)
    return dataclasses.replace(config, source=source)


def as_dict(config: Any) -> dict[str, Any]:
    """A top-level config as plain data without its `source`: validate(type(c), as_dict(c)) == c."""
    out = dataclasses.asdict(config)
    out.pop("source")
    return out


def _expected(meta: Mapping[str, Any], unit_type: str) -> str:
    if unit_type == "str" and meta.get("pattern") == SAFE_NAME:
        return f"a name of {SAFE_NAME_TEXT}"
    if unit_type == "str" and meta.get("pattern"):
        return f"a string matching {meta['pattern']}"
    if unit_type == "str" and not meta.get("choices"):
        return "a string"
    if meta.get("choices") and unit_type == "str":
        return "one of " + ", ".join(repr(c) for c in meta["choices"])
    low, high, unit = meta.get("low"), meta.get("high"), meta.get("unit", "")
    rng = f" in [{low}, {high}]" if low is not None else ""
    what = "an integer" if unit_type == "int" else "a number"
    return f"{what}{rng}{' ' + unit if unit else ''}"


def _is_number(value: Any) -> bool:
    """A finite int or float (not a bool): NaN and ±inf are never valid config values."""
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _check_scalar(
    value: Any, meta: Mapping[str, Any], kind: str, path: str, problems: list[str]
) -> Any:
    if kind == "str":
        if meta.get("number_as_text") and isinstance(value, int) and not isinstance(value, bool):
            value = str(value)  # a version typed as a YAML number (version: 3) means "3"
        choices, pattern = meta.get("choices"), meta.get("pattern")
        if (
            not isinstance(value, str)
            or (choices and value not in choices)
            or (pattern and not re.fullmatch(pattern, value))
        ):
            hint = did_you_mean(value, choices or ())
            problems.append(f"key '{path}': expected {_expected(meta, 'str')}, got {value!r}{hint}")
        return value
    if not _is_number(value) or (kind == "int" and not isinstance(value, int)):
        problems.append(f"key '{path}': expected {_expected(meta, kind)}, got {value!r}")
        return value
    low, high = meta.get("low"), meta.get("high")
    if (low is not None and value < low) or (high is not None and value > high):
        problems.append(f"key '{path}': expected {_expected(meta, kind)}, got {value!r}")
    return value if kind == "int" else float(value)


def build(cls, data: Any, prefix: str, problems: list[str], skip=frozenset()):
    """`cls` built from the raw mapping `data`; every problem is appended to `problems` with its key
    path (prefix + key), and a wrong value is kept or defaulted so that collecting can go on."""
    if not isinstance(data, Mapping):
        problems.append(f"key '{prefix.rstrip('.') or '<root>'}': expected a mapping, got {data!r}")
        return cls()
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls) if f.name not in skip}
    for key in data:
        if key not in fields:
            problems.append(f"key '{prefix}{key}': unknown key{did_you_mean(key, fields)}")
    kwargs: dict[str, Any] = {}
    for name, f in fields.items():
        path = f"{prefix}{name}"
        if name not in data:
            if f.metadata.get("required"):
                problems.append(f"key '{path}': missing (required)")
            continue
        value = data[name]
        hint = hints[name]
        if _optional(hint):
            if value is None:
                kwargs[name] = None
                continue
            hint = _without_none(hint)
        if dataclasses.is_dataclass(hint):
            kwargs[name] = build(hint, value, path + ".", problems)
        elif (item := _item_dataclass(hint)) is not None:
            kwargs[name] = _build_items(item, value, f.metadata, path, problems)
        elif typing.get_origin(hint) is dict and _ranges(hint):
            kwargs[name] = _build_ranges(value, f, path, problems)
        elif typing.get_origin(hint) is dict:
            kwargs[name] = _build_mapping(value, f.metadata, path, problems)
        elif hint is bool:
            if not isinstance(value, bool):
                problems.append(f"key '{path}': expected true or false, got {value!r}")
            kwargs[name] = value
        elif typing.get_origin(hint) is tuple:
            kwargs[name] = _build_choices(value, f.metadata, path, problems)
        else:
            kind = {str: "str", int: "int"}.get(hint, "float")
            kwargs[name] = _check_scalar(value, f.metadata, kind, path, problems)
    try:
        return cls(**kwargs)
    except TypeError:  # a wrong type already recorded above; keep collecting
        return cls()


def _ranges(hint) -> bool:
    """dict[str, tuple[...]]: a mapping of names to [low, high] ranges."""
    return typing.get_origin(typing.get_args(hint)[1]) is tuple


def _build_ranges(value: Any, f: dataclasses.Field, path: str, problems: list[str]) -> dict:
    """Names (the field's choices) to [low, high] with low < high; names not given keep the
    field's default range."""
    out = dict(f.default_factory()) if callable(f.default_factory) else {}
    if not isinstance(value, Mapping):
        problems.append(f"key '{path}': expected a mapping of names to [low, high], got {value!r}")
        return out
    allowed = f.metadata.get("choices")
    for k, v in value.items():
        if allowed is not None and k not in allowed:
            problems.append(f"key '{path}.{k}': unknown key{did_you_mean(k, allowed)}")
        elif (
            not isinstance(v, list | tuple)
            or len(v) != 2
            or not all(_is_number(x) for x in v)
            or not v[0] < v[1]
        ):
            problems.append(f"key '{path}.{k}': expected [low, high] with low < high, got {v!r}")
        else:
            out[str(k)] = (float(v[0]), float(v[1]))
    return out


def _optional(hint) -> bool:
    return isinstance(hint, types.UnionType) and type(None) in typing.get_args(hint)


def _without_none(hint):
    """X from `X | None` (one type besides None, as every optional config key has)."""
    (inner,) = (a for a in typing.get_args(hint) if a is not type(None))
    return inner


def _item_dataclass(hint):
    """X for `tuple[X, ...]` when X is a dataclass (a list of nested sections), else None."""
    args = typing.get_args(hint)
    if typing.get_origin(hint) is tuple and args and dataclasses.is_dataclass(args[0]):
        return args[0]
    return None


def _build_items(
    item_cls, value: Any, meta: Mapping[str, Any], path: str, problems: list[str]
) -> tuple:
    """A list of mappings, each built as `item_cls` under the key path `path[i].`."""
    least = meta.get("low") or 0
    if not isinstance(value, list | tuple) or len(value) < least:
        keys = ", ".join(f.name for f in dataclasses.fields(item_cls))
        size = {0: "a list", 1: "a non-empty list"}.get(least, f"a list of at least {least:g}")
        problems.append(f"key '{path}': expected {size} of {{{keys}}}, got {value!r}")
        return ()
    return tuple(build(item_cls, item, f"{path}[{i}].", problems) for i, item in enumerate(value))


def _build_choices(value: Any, meta: Mapping[str, Any], path: str, problems: list[str]) -> tuple:
    allowed = meta.get("choices") or ()
    if not allowed:  # a free list: strings (names checked later against the catalog) or numbers
        if not isinstance(value, list | tuple):
            problems.append(f"key '{path}': expected a list, got {value!r}")
            return ()
        if not all(isinstance(v, str) for v in value) and not all(_is_number(v) for v in value):
            problems.append(
                f"key '{path}': expected a list of names or a list of numbers, got {value!r}"
            )
            return ()
        return tuple(float(v) if _is_number(v) else v for v in value)
    if not isinstance(value, list | tuple) or not value:
        problems.append(
            f"key '{path}': expected a non-empty list of {', '.join(repr(c) for c in allowed)}, got {value!r}"
        )
        return ()
    for item in value:
        if item not in allowed:
            problems.append(
                f"key '{path}': unknown entry {item!r}; expected one of {', '.join(repr(c) for c in allowed)}{did_you_mean(item, allowed)}"
            )
    return tuple(value)


def _build_mapping(value: Any, meta: Mapping[str, Any], path: str, problems: list[str]) -> dict:
    if not isinstance(value, Mapping):
        problems.append(f"key '{path}': expected a mapping of names to numbers, got {value!r}")
        return {}
    allowed = meta.get("choices")
    out = {}
    for k, v in value.items():
        if allowed and k not in allowed:
            problems.append(f"key '{path}.{k}': unknown key{did_you_mean(k, allowed)}")
            continue
        out[str(k)] = _check_scalar(v, meta, "float", f"{path}.{k}", problems)
    if allowed and meta.get("complete"):
        missing = [k for k in allowed if k not in value]
        if missing:
            problems.append(f"key '{path}': missing {', '.join(repr(m) for m in missing)}")
    return out


class ConfigLoader(yaml.SafeLoader):
    """PyYAML's safe loader with two changes for config files:

    - numbers as YAML 1.2 reads them: `1e-4` and `3E5` are floats (YAML 1.1 wants `1.0e-4` and
      PyYAML reads `1e-4` as a string), and `0010` is ten (YAML 1.1 reads a leading zero as
      octal: eight, so `version: 0010` would have named another measurement version);
    - no aliases (`*name`): a config never needs them, and nested aliases expand exponentially
      (the "billion laughs" memory bomb);
    - no key twice in one mapping: YAML 1.2 forbids it, and PyYAML would keep the last silently
      (a second `search:` block would drop the first one's settings without a word).
    """

    yaml_implicit_resolvers = {  # noqa: RUF012 - a copy of the base class table, per loader class
        key: list(value) for key, value in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }

    def construct_yaml_int(self, node):
        text = str(self.construct_scalar(node)).replace("_", "")
        digits = text.lstrip("+-")
        if len(digits) > 1 and digits.startswith("0") and digits.isdigit():
            return int(text, 10)  # YAML 1.2: decimal with leading zeros, not 1.1's octal
        return super().construct_yaml_int(node)

    def compose_node(self, parent, index):
        if self.check_event(yaml.events.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(
                None,
                None,
                f"aliases (*{event.anchor}) are not allowed in ssemo configs",
                event.start_mark,
            )
        return super().compose_node(parent, index)

    def construct_mapping(self, node, deep=False):
        if isinstance(node, yaml.MappingNode):
            seen: dict[Any, Any] = {}
            for key_node, _ in node.value:
                key = self.construct_object(key_node, deep=True)
                if isinstance(key, Hashable) and key in seen:
                    raise yaml.constructor.ConstructorError(
                        None,
                        None,
                        f"key {key!r} appears twice in one mapping (first on line "
                        f"{seen[key].line + 1}); ssemo would not know which to use",
                        key_node.start_mark,
                    )
                seen[key] = key_node.start_mark
        return super().construct_mapping(node, deep=deep)


ConfigLoader.add_constructor("tag:yaml.org,2002:int", ConfigLoader.construct_yaml_int)


ConfigLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:[0-9][0-9_]*)(?:\.[0-9_]*)?[eE][-+]?[0-9]+$"),
    list("-+0123456789"),
)


def load_yaml(text: str) -> Any:
    """Parse YAML text with ConfigLoader (YAML 1.2 numbers, no aliases)."""
    return yaml.load(text, Loader=ConfigLoader)  # ConfigLoader is a SafeLoader


def _yaml_problem(exc: yaml.YAMLError) -> str:
    """A parser error on one line: what is wrong and where (line, column)."""
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
    return f"{problem}{where}"


def set_override(data: dict[str, Any], assignment: str) -> None:
    """Apply one `--set key.path=value` override (value parsed as YAML) to a raw config dict."""
    if "=" not in assignment:
        raise ConfigError(f"--set {assignment!r}: expected key.path=value")
    key, raw = assignment.split("=", 1)
    parts = key.strip().split(".")
    if not all(parts):
        raise ConfigError(f"--set {assignment!r}: expected key.path=value, got an empty key")
    node = data
    for part in parts[:-1]:
        node = node.setdefault(part, {})
        if not isinstance(node, dict):
            raise ConfigError(f"--set {assignment!r}: '{part}' is not a section")
    try:
        node[parts[-1]] = load_yaml(raw)
    except yaml.YAMLError as exc:
        raise ConfigError(
            f"--set {assignment!r}: not a YAML value ({_yaml_problem(exc)})"
        ) from None


def read_with_overrides(path: str | Path, overrides: Sequence[str] = ()) -> dict[str, Any]:
    """A config file's mapping with `--set key.path=value` overrides applied."""
    data = read_yaml_mapping(path)
    for assignment in overrides:
        set_override(data, assignment)
    return data


def read_yaml_mapping(path: str | Path, what: str = "config") -> dict[str, Any]:
    """A YAML file's top-level mapping, or a ConfigError naming the file and what is wrong (on one
    line): unreadable, too large, not UTF-8, not YAML, aliases, not a mapping."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_CONFIG_BYTES:
            raise ConfigError(
                f"{path}: {what} is {size} bytes, more than the {MAX_CONFIG_BYTES} a {what} may have"
            )
        data = load_yaml(path.read_text(encoding="utf-8")) or {}
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read {what} ({exc.strerror})") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: {what} is not UTF-8 text (byte {exc.start})") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {_yaml_problem(exc)}") from None
    except RecursionError:
        raise ConfigError(f"{path}: not valid YAML: nested too deeply") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping at the top level, got {type(data).__name__}")
    return data
