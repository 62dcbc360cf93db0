"""Field masks ("sheets.properties(title,sheetId)", "userEnteredFormat/textFormat", "*"):
parsing, filtering a response, and copying masked fields from a request into stored data."""
from __future__ import annotations

import copy
import functools

from .errors import ApiError

Tree = dict  # name -> Tree; an empty Tree means "everything below"


@functools.lru_cache(maxsize=256)
def _parsed(mask: str) -> Tree:
    return _parse(mask)


def parse(mask: str) -> Tree:
    """'a.b(c,d),e' -> {"a": {"b": {"c": {}, "d": {}}}, "e": {}} (a fresh copy each time)."""
    return copy.deepcopy(_parsed(mask))


def _parse(mask: str) -> Tree:
    tree: Tree = {}
    position = _parse_list(mask.replace(" ", ""), 0, tree)
    if position != len(mask.replace(" ", "")):
        raise ApiError(400, f"Invalid field selection {mask}")
    return tree


def _parse_list(text: str, i: int, tree: Tree) -> int:
    while i < len(text):
        i = _parse_item(text, i, tree)
        if i < len(text) and text[i] == ",":
            i += 1
            continue
        break
    return i


def _parse_item(text: str, i: int, tree: Tree) -> int:
    node = tree
    while True:
        start = i
        while i < len(text) and text[i] not in ".,/()":
            i += 1
        name = text[start:i]
        if not name:
            raise ApiError(400, f"Invalid field selection {text}")
        node = node.setdefault(name, {})
        if i < len(text) and text[i] in "./":
            i += 1
            continue
        if i < len(text) and text[i] == "(":
            i = _parse_list(text, i + 1, node)
            if i >= len(text) or text[i] != ")":
                raise ApiError(400, f"Invalid field selection {text}")
            i += 1
        return i


def select(value: object, tree: Tree) -> object:
    """Keep only the fields named in `tree` (applied to every element of lists)."""
    if not tree or "*" in tree:
        return value
    if isinstance(value, list):
        return [select(v, tree) for v in value]
    if not isinstance(value, dict):
        return value
    out = {}
    for name, sub in tree.items():
        if name in value:
            out[name] = select(value[name], sub)
    return out


def wanted(tree: Tree | None, *path: str) -> bool:
    """Does the mask ask for anything at or below `path`? (No mask: everything.)"""
    if tree is None:
        return True
    node = tree
    for name in path:
        if not node or "*" in node:
            return True
        if name not in node:
            return False
        node = node[name]
    return True


def paths(tree: Tree, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    if not tree:
        return [prefix]
    out = []
    for name, sub in tree.items():
        out.extend(paths(sub, prefix + (name,)))
    return out


@functools.lru_cache(maxsize=256)
def _paths(mask: str) -> tuple[tuple[str, ...], ...]:
    return tuple(paths(_parsed(mask)))


def copy_masked(target: dict, source: dict, mask: str) -> None:
    """Set every masked field of `target` from `source` (absent in source: cleared)."""
    tree = _parsed(mask)
    if "*" in tree:
        target.clear()
        target.update(copy.deepcopy(source))
        return
    for path in _paths(mask):
        src: object = source
        for name in path:
            src = src.get(name) if isinstance(src, dict) else None
        node = target
        for name in path[:-1]:
            if not isinstance(node.get(name), dict):
                if src is None:
                    node = None
                    break
                node[name] = {}
            node = node[name]
        if node is None:
            continue
        if src is None:
            node.pop(path[-1], None)
        else:
            node[path[-1]] = copy.deepcopy(src)
    _prune(target)


def _prune(node: dict) -> None:
    for key in list(node):
        if isinstance(node[key], dict):
            _prune(node[key])
