"""A restricted evaluator for gateway conditions and scenario rules.

SpiffWorkflow evaluates conditions with Python's ``eval`` and full builtins; a BPMN file from
someone else must never run code here. Expressions are parsed with :mod:`ast` and accepted only
if every node is on a short whitelist: names of case attributes, constants, ``and/or/not``,
comparisons (including ``in`` a tuple/list of constants) and arithmetic. No calls, no attribute
access, no subscripts, no names starting with ``_`` — so ``__import__('os')`` and
``().__class__.__base__`` are refused before anything runs. An accepted expression is compiled
once and evaluated with empty builtins.

Example:
    >>> cond = compile_condition("is_low_risk and area_m2 <= 3000")
    >>> cond({"is_low_risk": True, "area_m2": 1200})
    True
    >>> compile_condition("__import__('os').system('echo hi')")
    Traceback (most recent call last):
    ...
    sim.errors.ExpressionError: expression "__import__('os').system('echo hi')" is not allowed: function calls are not allowed
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any

from ..errors import ExpressionError, did_you_mean

__all__ = ["compile_condition", "names_in", "numeric_names", "text_values", "Condition"]

Condition = Callable[[Mapping[str, Any]], bool]

_ALLOWED = (
    ast.Expression, ast.BoolOp, ast.And, ast.Or, ast.UnaryOp, ast.Not, ast.USub, ast.UAdd,
    ast.BinOp, ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Mod, ast.FloorDiv,
    ast.Compare, ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.In, ast.NotIn,
    ast.Name, ast.Load, ast.Constant, ast.Tuple, ast.List, ast.IfExp,
)
_WHY = {
    ast.Call: "function calls are not allowed",
    ast.Attribute: "attribute access (a.b) is not allowed",
    ast.Subscript: "subscripts (a[b]) are not allowed",
    ast.Lambda: "lambda is not allowed",
    ast.NamedExpr: "assignment is not allowed",
}
# Literals that modelers write in other dialects (JUEL, FEEL) mean the same here.
_ALIASES = {"true": True, "false": False, "True": True, "False": False, "null": None, "None": None}


def _reject(expression: str, why: str) -> ExpressionError:
    return ExpressionError(f'expression "{expression}" is not allowed: {why}')


@lru_cache(maxsize=4096)
def _parse(expression: str) -> ast.Expression:
    text = expression.strip()
    if len(text) > 2000:
        raise _reject(expression[:60] + "…", "longer than 2000 characters")
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as exc:
        raise ExpressionError(f'expression "{expression}" is not valid: {exc.msg}') from None
    for node in ast.walk(tree):
        if not isinstance(node, _ALLOWED):
            raise _reject(expression, _WHY.get(type(node), f"{type(node).__name__} is not allowed"))
        if isinstance(node, ast.Name) and node.id.startswith("_"):
            raise _reject(expression, f'names starting with "_" ({node.id}) are not allowed')
        if isinstance(node, ast.Constant) and not isinstance(node.value, (int, float, str, bool, type(None))):
            raise _reject(expression, f"constant {node.value!r} is not allowed")
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult):
            # "a" * 10**9 or [0] * 20000 * 20000 would eat memory: sequences may not be multiplied.
            for side in (node.left, node.right):
                if isinstance(side, (ast.List, ast.Tuple, ast.BinOp)) or (isinstance(side, ast.Constant) and isinstance(side.value, str)):
                    if not _numeric(side):
                        raise _reject(expression, "sequence repetition (a string, list or tuple multiplied) is not allowed")
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod) and not _numeric(node.left):
            # '%0900000000d' % 1 builds a 900 MB string: no string formatting.
            raise _reject(expression, "string formatting with % is not allowed")
    if _depth(tree) > MAX_DEPTH:
        raise _reject(expression[:60] + "…", f"nested more than {MAX_DEPTH} levels deep")
    return tree


MAX_DEPTH = 50  # assumption: a planner's condition nests a few levels; compile() recurses once per level


def _numeric(node: ast.AST) -> bool:
    """Whether ``node`` can only be a number: no string, list or tuple literal anywhere in it."""
    return not any(isinstance(n, (ast.List, ast.Tuple)) or (isinstance(n, ast.Constant) and isinstance(n.value, str))
                   for n in ast.walk(node))


def _depth(tree: ast.AST) -> int:
    """Nesting depth of the tree, walked iteratively (a recursive walk is what we guard against)."""
    deepest, stack = 0, [(tree, 1)]
    while stack:
        node, d = stack.pop()
        deepest = max(deepest, d)
        stack.extend((child, d + 1) for child in ast.iter_child_nodes(node))
    return deepest


def names_in(expression: str) -> set[str]:
    """The attribute names an expression reads (literal aliases such as ``true`` excluded)."""
    return {n.id for n in ast.walk(_parse(expression)) if isinstance(n, ast.Name) and n.id not in _ALIASES}


def numeric_names(expression: str) -> set[str]:
    """Attribute names the expression compares with a number (so a yes/no default would be wrong).

    >>> sorted(numeric_names("COUNT <= 30 and is_simple")), sorted(numeric_names("price == 0"))
    (['COUNT'], ['price'])
    """
    found: set[str] = set()
    for node in ast.walk(_parse(expression)):
        if isinstance(node, ast.Compare):
            operands = [node.left, *node.comparators]
            has_number = any(isinstance(o, ast.Constant) and isinstance(o.value, (int, float)) and not isinstance(o.value, bool)
                             for o in operands)
            if has_number:
                found |= {o.id for o in operands if isinstance(o, ast.Name) and o.id not in _ALIASES}
    return found


def text_values(expression: str) -> dict[str, set[str]]:
    """Attribute name -> the texts the expression compares it with (``==``, ``!=``, ``in``): the literal
    says the attribute holds text, so a yes/no default would never equal it.

    >>> text_values("approved == 'true'"), sorted(text_values("kind in ('A', 'B') or n > 2")["kind"])
    ({'approved': {'true'}}, ['A', 'B'])
    """
    found: dict[str, set[str]] = {}
    for node in ast.walk(_parse(expression)):
        if not isinstance(node, ast.Compare):
            continue
        operands = [node.left, *node.comparators]
        texts: set[str] = set()
        for o in operands:
            items = o.elts if isinstance(o, (ast.Tuple, ast.List)) else [o]
            texts |= {i.value for i in items if isinstance(i, ast.Constant) and isinstance(i.value, str)}
        if texts:
            for o in operands:
                if isinstance(o, ast.Name) and o.id not in _ALIASES:
                    found.setdefault(o.id, set()).update(texts)
    return found


@lru_cache(maxsize=4096)
def compile_condition(expression: str) -> Condition:
    """Validate ``expression`` and return a function of the case attributes giving a bool."""
    tree = _parse(expression)
    code = compile(tree, "<condition>", "eval")
    names = names_in(expression)
    safe_globals: dict[str, Any] = {"__builtins__": {}}

    def condition(attributes: Mapping[str, Any]) -> bool:
        scope = {name: attributes[name] if name in attributes else _missing(expression, name, attributes) for name in names}
        for alias, value in _ALIASES.items():
            scope.setdefault(alias, value)
        try:
            return bool(eval(code, safe_globals, scope))  # noqa: S307 - tree whitelisted above, no builtins
        except Exception as exc:  # e.g. comparing a number with a string
            raise ExpressionError(f'expression "{expression}" failed on {dict(attributes)}: {exc}') from None

    condition.expression = expression  # type: ignore[attr-defined]
    return condition


def _missing(expression: str, name: str, attributes: Mapping[str, Any]) -> Any:
    raise ExpressionError(
        f'expression "{expression}" reads case attribute "{name}", which the case does not have'
        f"{did_you_mean(name, attributes)}; define it under attributes: in the scenario"
    )
