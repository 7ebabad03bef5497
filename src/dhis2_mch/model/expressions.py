"""DHIS2's expression language, tokenized once for every module that reads expressions.

Indicator numerators and denominators, validation rule sides, predictor generators, program indicator
expressions and filters, and program rule conditions share one grammar in dhis2-core
(``org.hisp.dhis.parser.expression`` / the ANTLR ``Expression.g4`` of dhis2-antlr-expression-parser):

* items: ``#{…}`` data element (operand), ``A{…}`` attribute, ``C{…}`` constant, ``D{…}`` program data
  element, ``I{…}`` program indicator, ``N{…}`` indicator, ``OUG{…}`` org unit group, ``R{…}`` reporting
  rate, ``V{…}`` program variable, ``PS_EVENTDATE:…`` stage event date, ``[days]`` (predictors);
* string literals in single or double quotes, with backslash escapes; they may hold braces and item-like
  text (``d2:hasValue('#{x}')`` names an item inside a string in program rules: such strings are still
  strings here, the caller decides what they mean);
* numbers, names (``if``, ``d2:count``, ``sum``, ``isNull`` ...), operators, parentheses and commas.

``tokenize`` never raises: a problem (an unterminated string or item, unbalanced parentheses, a stray
brace) is a token of kind ``ERROR`` with a message, so callers can report and continue.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

#: item prefixes DHIS2 knows (ExpressionParser items; ``PS_EVENTDATE`` is written ``PS_EVENTDATE:uid``)
ITEM_PREFIXES = ("#", "A", "C", "D", "I", "N", "OUG", "R", "V")
_ITEM_START = re.compile(r"(OUG|#|[ACDINRV])\{")
_NUMBER = re.compile(r"(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(:[A-Za-z_][A-Za-z0-9_]*)?")
_OPERATORS = ("==", "!=", "<=", ">=", "&&", "||", "<", ">", "+", "-", "*", "/", "%", "^", "!", "?", ":")


@dataclass(frozen=True)
class Token:
    kind: str  # ITEM, STRING, NUMBER, NAME, OP, LPAREN, RPAREN, COMMA, DAYS, ERROR
    text: str
    start: int
    prefix: str = ""  # ITEM: "#", "OUG" ...
    body: str = ""  # ITEM: what is between the braces, stripped; STRING: the unquoted text; ERROR: message

    @property
    def parts(self) -> list[str]:
        """An item's dot-separated parts: ``#{de.coc}`` -> ``["de", "coc"]``."""
        return [p.strip() for p in self.body.split(".")]

    def group(self, n: int) -> str:
        """``re.Match``-style access for callers written against the old item regex: 0 text, 1 prefix, 2 body."""
        return (self.text, self.prefix, self.body)[n]


def tokenize(expr: str) -> list[Token]:
    out: list[Token] = []
    i, n, depth = 0, len(expr), 0
    while i < n:
        ch = expr[i]
        if ch.isspace():
            i += 1
            continue
        m = _ITEM_START.match(expr, i)
        if m:
            close = expr.find("}", m.end())
            nested = expr.find("{", m.end())
            if close < 0 or 0 <= nested < close:
                out.append(Token("ERROR", expr[i:], i, body=f"`{m.group(0)}` is not closed with `}}`"))
                return out
            out.append(Token("ITEM", expr[i : close + 1], i, m.group(1), expr[m.end() : close].strip()))
            i = close + 1
            continue
        if ch in "'\"":
            j, text = i + 1, []
            while j < n and expr[j] != ch:
                if expr[j] == "\\" and j + 1 < n:
                    j += 1
                text.append(expr[j])
                j += 1
            if j >= n:
                out.append(Token("ERROR", expr[i:], i, body=f"the text starting {expr[i : i + 12]!r} is not closed"))
                return out
            out.append(Token("STRING", expr[i : j + 1], i, body="".join(text)))
            i = j + 1
            continue
        if expr.startswith("[days]", i):
            out.append(Token("DAYS", "[days]", i))
            i += 6
            continue
        if ch.isdigit() or (ch == "." and i + 1 < n and expr[i + 1].isdigit()):
            m = _NUMBER.match(expr, i)
            assert m is not None
            out.append(Token("NUMBER", m.group(0), i))
            i = m.end()
            continue
        m = _NAME.match(expr, i)
        if m:
            out.append(Token("NAME", m.group(0), i))
            i = m.end()
            continue
        if ch == "(":
            depth += 1
            out.append(Token("LPAREN", ch, i))
        elif ch == ")":
            depth -= 1
            if depth < 0:
                out.append(Token("ERROR", ch, i, body=f"`)` at position {i + 1} closes nothing"))
                return out
            out.append(Token("RPAREN", ch, i))
        elif ch == ",":
            out.append(Token("COMMA", ch, i))
        else:
            op = next((o for o in _OPERATORS if expr.startswith(o, i)), None)
            if op is None:
                what = "a brace outside an item" if ch in "{}" else f"the character `{ch}`"
                out.append(Token("ERROR", ch, i, body=f"{what} at position {i + 1} is not part of the language"))
                return out
            out.append(Token("OP", op, i))
            i += len(op)
            continue
        i += 1
    if depth > 0:
        out.append(Token("ERROR", "", n, body=f"{depth} `(` not closed"))
    return out


def items(expr: str) -> Iterator[Token]:
    """The items of ``expr`` (``#{…}``, ``A{…}`` ...), in order; strings are not looked into."""
    return (t for t in tokenize(expr) if t.kind == "ITEM")


def problems(expr: str) -> list[str]:
    """Why ``expr`` does not tokenize (empty when it does)."""
    return [t.body for t in tokenize(expr) if t.kind == "ERROR"]


def sub(expr: str, replace: Callable[[Token], str]) -> str:
    """``expr`` with every item replaced by ``replace(item)``; everything else is kept byte for byte."""
    out, last = [], 0
    for token in tokenize(expr):
        if token.kind == "ITEM":
            out.append(expr[last : token.start])
            out.append(replace(token))
            last = token.start + len(token.text)
    out.append(expr[last:])
    return "".join(out)
