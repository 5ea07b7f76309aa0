"""Prompt files, rendered strictly.

Each file in ``prompts/`` starts with a header line ``# variables: a, b`` and a ``---`` line;
the body uses ``$a`` placeholders (``string.Template``, so JSON braces need no escaping).
Rendering with a missing or an undeclared variable is an error, never a silent blank.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from string import Template

from recommender.errors import ConfigError

__all__ = ["Prompt", "PromptBook"]

_HEADER = re.compile(r"^#\s*variables:\s*(.*)$")


@dataclass(frozen=True)
class Prompt:
    name: str
    variables: frozenset[str]
    template: Template

    def render(self, **values: object) -> str:
        given = set(values)
        if given != self.variables:
            missing = ", ".join(sorted(self.variables - given)) or "-"
            extra = ", ".join(sorted(given - self.variables)) or "-"
            raise ConfigError(
                f"prompt {self.name!r}: missing variables {missing}; unexpected {extra}"
            )
        return self.template.substitute({k: str(v) for k, v in values.items()}).strip()


class PromptBook:
    """All prompts of a folder, parsed once."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._prompts: dict[str, Prompt] = {}
        for path in sorted(folder.glob("*.txt")):
            self._prompts[path.stem] = _parse(path)
        if not self._prompts:
            raise ConfigError(f"no prompt files in {folder}")

    def names(self) -> list[str]:
        return sorted(self._prompts)

    def __getitem__(self, name: str) -> Prompt:
        try:
            return self._prompts[name]
        except KeyError as e:
            raise ConfigError(f"no prompt named {name!r} in {self.folder}") from e

    def render(self, name: str, **values: object) -> str:
        return self[name].render(**values)


def _parse(path: Path) -> Prompt:
    text = path.read_text(encoding="utf-8")
    head, sep, body = text.partition("\n---\n")
    match = _HEADER.match(head.strip())
    if not sep or not match:
        raise ConfigError(f"{path.name}: first line must be '# variables: ...' followed by '---'")
    declared = frozenset(v.strip() for v in match.group(1).split(",") if v.strip())
    template = Template(body)
    used = {m.group("named") or m.group("braced") for m in template.pattern.finditer(body)} - {None}
    if used != declared:
        raise ConfigError(f"{path.name}: declares {sorted(declared)} but uses {sorted(used)}")
    return Prompt(path.stem, declared, template)
