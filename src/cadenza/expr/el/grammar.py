"""The JUEL grammar Cadenza accepts, and the LALR parser built from it once.

Part of the ``expr`` layer. ``parse_tree`` turns one ``${...}`` body into a lark tree or raises
``CompileError`` with the position in the whole text; ``compiler.py`` turns the tree into
closures.
"""

from __future__ import annotations

from typing import Final

from lark import Lark, Token, Tree
from lark.exceptions import LarkError, UnexpectedCharacters, UnexpectedEOF, UnexpectedToken

from cadenza.expr.el.failures import CompileError

__all__ = ["parse_tree"]

# Keywords are plain string terminals: lark turns a NAME that spells one into that
# keyword, so "order" stays an identifier while "or" is the operator. Same-precedence chains are
# written as repetitions, which gives flat children lists (a+b+c+... never nests).

_GRAMMAR: Final = r"""
?start: ternary

?ternary: or_expr
        | or_expr "?" ternary ":" ternary   -> cond

?or_expr: and_expr ((_OROR | _OR_KW) and_expr)*
?and_expr: eq_expr ((_ANDAND | _AND_KW) eq_expr)*
?eq_expr: rel_expr ((EQ | NE | EQ_KW | NE_KW) rel_expr)*
?rel_expr: add_expr ((LT | GT | LE | GE | LT_KW | GT_KW | LE_KW | GE_KW) add_expr)*
?add_expr: mul_expr ((PLUS | MINUS) mul_expr)*
?mul_expr: unary ((STAR | SLASH | DIV_KW | PERCENT | MOD_KW) unary)*

?unary: postfix
      | MINUS unary                 -> neg
      | (_BANG | _NOT_KW) unary     -> not_
      | _EMPTY_KW unary             -> empty

?postfix: primary (prop | call | index)*
prop: "." NAME
call: "." NAME "(" [args] ")"
index: "[" ternary "]"
args: ternary ("," ternary)*

?primary: "(" ternary ")"
        | NAME        -> var
        | INT         -> int_lit
        | DECIMAL     -> float_lit
        | STRING      -> str_lit
        | "true"      -> true_lit
        | "false"     -> false_lit
        | "null"      -> null_lit

_OROR: "||"
_OR_KW: "or"
_ANDAND: "&&"
_AND_KW: "and"
_BANG: "!"
_NOT_KW: "not"
_EMPTY_KW: "empty"
EQ: "=="
NE: "!="
EQ_KW: "eq"
NE_KW: "ne"
LT: "<"
GT: ">"
LE: "<="
GE: ">="
LT_KW: "lt"
GT_KW: "gt"
LE_KW: "le"
GE_KW: "ge"
PLUS: "+"
MINUS: "-"
STAR: "*"
SLASH: "/"
DIV_KW: "div"
PERCENT: "%"
MOD_KW: "mod"

NAME: /[^\W\d]\w*/
DECIMAL.2: /[0-9]+\.[0-9]*(?:[eE][+-]?[0-9]+)?|\.[0-9]+(?:[eE][+-]?[0-9]+)?|[0-9]+[eE][+-]?[0-9]+/
INT: /[0-9]+/
STRING: /'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"/s

%ignore /\s+/
"""

_PARSER: Final = Lark(_GRAMMAR, parser="lalr", lexer="contextual", maybe_placeholders=True)


def parse_tree(body: str, offset: int) -> Tree[Token]:
    """The syntax tree of one expression body; ``offset`` places it in the whole text."""
    try:
        tree = _PARSER.parse(body)
    except UnexpectedToken as exc:
        found = "end of expression" if exc.token.type == "$END" else f"'{exc.token}'"
        raise CompileError(
            f"syntax error at position {offset + (exc.pos_in_stream or len(body))}, encountered {found}"
        ) from exc
    except UnexpectedCharacters as exc:
        raise CompileError(
            f"syntax error at position {offset + (exc.pos_in_stream or 0)}, encountered '{exc.char}'"
        ) from exc
    except UnexpectedEOF as exc:
        raise CompileError(
            f"syntax error at position {offset + len(body)}, encountered end of expression"
        ) from exc
    except LarkError as exc:  # pragma: no cover - other lark failures
        raise CompileError(f"syntax error: {exc}") from exc
    return tree
