"""Read YAML authoring files, keeping the line of every mapping and key.

PyYAML's default resolver follows YAML 1.1, where ``NO``, ``on`` and ``2024-01-01`` silently become
False, True and a date. Codes and period strings must stay strings, so this loader resolves only
``true``/``false``/``null`` and numbers (YAML 1.2's core schema), refuses duplicate keys, and
records line numbers so that every later error can say ``file:line``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from dhis2_mch.errors import InputError


class LocatedDict(dict):
    """A mapping that remembers where it was written: ``line`` and ``key_lines[key]`` (1-based)."""

    file: str = ""
    line: int = 0
    key_lines: dict

    def where(self, key: str | None = None) -> str:
        return f"{self.file}:{self.key_lines.get(key, self.line) if key else self.line}"


def located(value: Any, file: str, line: int) -> Any:
    """``value`` with every mapping in it a LocatedDict placed at ``file:line``: how objects written in
    Python (``Project.add``) carry the caller's line, so their findings point at the script."""
    if isinstance(value, dict):
        out = LocatedDict((str(k), located(v, file, line)) for k, v in value.items())
        out.file, out.line, out.key_lines = file, line, {}
        return out
    if isinstance(value, list | tuple):
        return [located(v, file, line) for v in value]
    return value


# libyaml's parser (about ten times faster) where PyYAML was built with it; the construction and the
# resolver below are Python either way, so both behave the same.
_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_BaseLoader):  # type: ignore[valid-type,misc]  # chosen at run time (libyaml or not)
    pass


# YAML 1.2 core schema: drop 1.1's yes/no/on/off booleans, sexagesimals and timestamps.
_Loader.yaml_implicit_resolvers = {}
for _tag, _regexp, _first in (
    ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    ("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
    ("tag:yaml.org,2002:int", r"^[-+]?[0-9]+$", "-+0123456789"),
    ("tag:yaml.org,2002:float", r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$", "-+.0123456789"),
):
    _Loader.add_implicit_resolver(_tag, re.compile(_regexp), list(_first))


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> LocatedDict:
    loader.flatten_mapping(node)
    result = LocatedDict()
    result.file = loader.name
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str):
            key = str(key)
        if key in result:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key `{key}` (first on line {result.key_lines[key]})", key_node.start_mark
            )
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = key_node.start_mark.line + 1
    return result


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def read_yaml(path: Path, display: str | None = None):
    """Parse one YAML file; a malformed file is an InputError naming file, line and column."""
    display = display or str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{display}: cannot read the file ({exc}).") from None
    loader = _Loader(text)
    loader.name = display
    try:
        return loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{display}:{mark.line + 1}:{mark.column + 1}" if mark else display
        problem = exc.problem or exc.context or "cannot parse"
        raise InputError(f"{where}: malformed YAML: {problem}.") from None
    except yaml.YAMLError as exc:
        raise InputError(f"{display}: malformed YAML: {exc}.") from None
    finally:
        loader.dispose()
