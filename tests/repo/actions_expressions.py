"""GitHub Actions expressions (``${{ ... }}`` and ``if:``), evaluated as GitHub does for the
parts the book's workflows use: literals, contexts (``github.event.x``, ``matrix['k']``),
``!``, comparisons (strings compared case-insensitively), ``&&`` and ``||`` (which return an
operand, so ``inputs.mode || 'full'`` is a default), and the functions ``success()``,
``failure()``, ``always()``, ``cancelled()``, ``contains``, ``startsWith``, ``endsWith``,
``format``, ``toJSON``, ``fromJSON`` and ``hashFiles``. Anything else is an error, so a
workflow never passes because an expression was misread.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

TOKEN = re.compile(r"""\s*(?:
    (?P<number>\d+(?:\.\d+)?)
  | '(?P<string>(?:[^']|'')*)'
  | (?P<op>==|!=|<=|>=|&&|\|\||[!<>().,\[\]*])
  | (?P<name>[A-Za-z_][A-Za-z0-9_-]*)
)""", re.X)
EMBEDDED = re.compile(r"\$\{\{(.*?)\}\}", re.S)
STATUS_FUNCTIONS = ("success", "failure", "always", "cancelled")


class ExpressionError(ValueError):
    """An expression this evaluator does not understand."""


def _tokens(text: str) -> list[tuple[str, Any]]:
    tokens, position = [], 0
    text = text.strip()
    while position < len(text):
        match = TOKEN.match(text, position)
        if not match or match.end() == position:
            raise ExpressionError(f"cannot read {text[position:]!r} in {text!r}")
        position = match.end()
        kind = match.lastgroup
        value = match.group(kind)
        if kind == "string":
            value = value.replace("''", "'")
        elif kind == "number":
            value = float(value)
        elif kind == "name" and value in ("true", "false", "null"):
            kind, value = "literal", {"true": True, "false": False, "null": None}[value]
        tokens.append((kind, value))
    return tokens


def truthy(value: Any) -> bool:
    return value not in (None, False, 0, 0.0, "") and value == value  # NaN is false


def _number(value: Any) -> float:
    if value is None:
        return 0.0
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, (int, float)):
        return float(value)
    try:
        return float(value) if str(value).strip() else 0.0
    except ValueError:
        return float("nan")


def _compare(left: Any, op: str, right: Any) -> bool:
    if isinstance(left, str) and isinstance(right, str):
        left, right = left.lower(), right.lower()
    elif type(left) is not type(right):
        left, right = _number(left), _number(right)
    return {"==": left == right, "!=": left != right, "<": left < right, ">": left > right,
            "<=": left <= right, ">=": left >= right}[op]


class _Parser:
    def __init__(self, text: str, context: dict[str, Any],
                 functions: dict[str, Callable[..., Any]]) -> None:
        self.tokens, self.index = _tokens(text), 0
        self.context, self.functions, self.text = context, functions, text

    def peek(self) -> tuple[str, Any] | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def take(self, value: str | None = None) -> tuple[str, Any]:
        token = self.peek()
        if token is None or (value is not None and token[1] != value):
            raise ExpressionError(f"expected {value!r} in {self.text!r}")
        self.index += 1
        return token

    def parse(self) -> Any:
        value = self.or_()
        if self.peek() is not None:
            raise ExpressionError(f"unexpected {self.peek()[1]!r} in {self.text!r}")
        return value

    def or_(self) -> Any:
        value = self.and_()
        while self.peek() == ("op", "||"):
            self.take()
            right = self.and_()
            value = value if truthy(value) else right
        return value

    def and_(self) -> Any:
        value = self.comparison()
        while self.peek() == ("op", "&&"):
            self.take()
            right = self.comparison()
            value = right if truthy(value) else value
        return value

    def comparison(self) -> Any:
        value = self.unary()
        token = self.peek()
        while token is not None and token[0] == "op" and token[1] in ("==", "!=", "<", ">",
                                                                        "<=", ">="):
            self.take()
            value = _compare(value, token[1], self.unary())
            token = self.peek()
        return value

    def unary(self) -> Any:
        if self.peek() == ("op", "!"):
            self.take()
            return not truthy(self.unary())
        return self.primary()

    def primary(self) -> Any:
        kind, value = self.take()
        if kind in ("number", "string", "literal"):
            return value
        if (kind, value) == ("op", "("):
            inner = self.or_()
            self.take(")")
            return inner
        if kind != "name":
            raise ExpressionError(f"unexpected {value!r} in {self.text!r}")
        if self.peek() == ("op", "("):
            return self.call(value)
        if value not in self.context:
            raise ExpressionError(f"unknown context {value!r} in {self.text!r}")
        return self.properties(self.context[value])

    def properties(self, value: Any) -> Any:
        while self.peek() in (("op", "."), ("op", "[")):
            if self.take()[1] == ".":
                key = self.take()[1]
            else:
                key = self.or_()
                self.take("]")
            value = value.get(key) if isinstance(value, dict) else None
        return value

    def call(self, name: str) -> Any:
        if name not in self.functions:
            raise ExpressionError(f"unknown function {name}() in {self.text!r}")
        self.take("(")
        args = []
        while self.peek() != ("op", ")"):
            args.append(self.or_())
            if self.peek() == ("op", ","):
                self.take()
        self.take(")")
        return self.properties(self.functions[name](*args))


def _format(template: str, *args: Any) -> str:
    return re.sub(r"\{(\d+)\}", lambda m: str(args[int(m[1])]), template)


BASE_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "contains": lambda haystack, needle: (
        any(_compare(item, "==", needle) for item in haystack) if isinstance(haystack, list)
        else str(needle).lower() in str(haystack).lower()),
    "startsWith": lambda text, prefix: str(text).lower().startswith(str(prefix).lower()),
    "endsWith": lambda text, suffix: str(text).lower().endswith(str(suffix).lower()),
    "format": _format,
    "toJSON": lambda value: json.dumps(value, indent=2),
    "fromJSON": json.loads,
    "hashFiles": lambda *patterns: "0" * 64,  # caches are stood in for: any fixed value
}


def evaluate(text: str, context: dict[str, Any],
             status: dict[str, bool] | None = None) -> Any:
    """The value of expression ``text``; ``status`` gives success/failure/cancelled."""
    status = status or {"success": True, "failure": False, "cancelled": False}
    functions = dict(BASE_FUNCTIONS, always=lambda: True,
                     **{name: (lambda value=value: value) for name, value in status.items()})
    return _Parser(text, context, functions).parse()


def condition(text: Any, context: dict[str, Any], status: dict[str, bool]) -> bool:
    """An ``if:`` value: ``success() && (...)`` unless it calls a status function itself."""
    if text is None:
        return status["success"]
    if isinstance(text, bool):
        return text and status["success"]
    source = str(text).strip()
    if source.startswith("${{") and source.endswith("}}"):
        source = source[3:-2]
    value = truthy(evaluate(source, context, status))
    if not any(re.search(rf"\b{name}\s*\(", source) for name in STATUS_FUNCTIONS):
        value = value and status["success"]
    return value


def substitute(value: Any, context: dict[str, Any]) -> Any:
    """``value`` with every ``${{ ... }}`` replaced by its value (strings, lists, dicts)."""
    if isinstance(value, str):
        def one(match: re.Match) -> str:
            result = evaluate(match[1], context)
            if isinstance(result, float) and result.is_integer():
                result = int(result)
            if isinstance(result, bool):
                return "true" if result else "false"
            return "" if result is None else str(result)

        return EMBEDDED.sub(one, value)
    if isinstance(value, list):
        return [substitute(item, context) for item in value]
    if isinstance(value, dict):
        return {key: substitute(item, context) for key, item in value.items()}
    return value
