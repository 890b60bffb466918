"""Map a validation error's location (`("organisations", 0, "domains", 1, "render")`) back to a
line of the YAML file, by walking the node tree `yaml.compose` built."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import yaml

__all__ = ["line_of"]


def line_of(node: Any, loc: Sequence[str | int]) -> int:
    """1-based line of the deepest node `loc` reaches; a missing key points at its parent."""
    line = node.start_mark.line + 1 if node is not None else 1
    for part in loc:
        child = None
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode) and key.value == str(part):
                    # The key's own line: for a block value the value starts one line later.
                    line = key.start_mark.line + 1
                    child = value
                    break
        elif (isinstance(node, yaml.SequenceNode) and isinstance(part, int)
              and 0 <= part < len(node.value)):
            child = node.value[part]
            line = child.start_mark.line + 1
        if child is None:
            break
        node = child
    return line
