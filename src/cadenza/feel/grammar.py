"""The FEEL grammar (DMN 1.5 chapter 10) for lark's LALR parser, fed by :mod:`.lexer`.

Layer: ``feel``. Two start symbols: ``expression`` (literal expressions, output entries, input
expressions, boxed expression cells) and ``unary_tests`` (input entries, allowed values). The
lexer produces every terminal (``%declare``), so the grammar sees names that contain spaces as
one ``NAME``. Precedence, lowest first: the textual forms ``if``/``for``/``some``/``every``/
``function`` (whose last operand extends as far as it can), ``or``, ``and``, comparisons
(``= != < <= > >= between in instance of``), ``+ -``, ``* /``, ``**`` (left-associative),
negation, then path ``.``, filter ``[...]`` and invocation ``(...)``.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Final

from lark import Lark
from lark.lexer import Lexer

__all__ = ["parser"]

GRAMMAR: Final = r"""
%declare NUMBER STRING AT NAME TYPE TRUE FALSE NULL IF THEN ELSE FOR IN RETURN SOME EVERY
%declare SATISFIES BETWEEN AND OR INSTANCE FUNCTION EXTERNAL LPAR RPAR LSQB RSQB LBRACE RBRACE
%declare COMMA DOTDOT DOT COLON PLUS MINUS STAR SLASH POW EQ NE LT LE GT GE ROPEN RCLOSE

expression: expr

unary_tests: test (COMMA test)*

?test: expr
     | simple_test

simple_test: (LT | LE | GT | GE | EQ | NE) add

?expr: disj

?disj: conj
     | disj OR conj           -> or_
?conj: comp
     | conj AND comp          -> and_
?comp: add
     | add (EQ | NE | LT | LE | GT | GE) add    -> compare
     | add BETWEEN add AND add                  -> between
     | add IN in_target                         -> in_
     | add INSTANCE TYPE                        -> instance_of

in_target: add                                  -> in_one
         | simple_test                          -> in_one
         | LPAR test COMMA test (COMMA test)* RPAR -> in_many

?add: mul
    | add PLUS mul            -> plus
    | add MINUS mul           -> minus
?mul: pow
    | mul STAR pow            -> times
    | mul SLASH pow           -> divide
?pow: neg
    | pow POW neg             -> power
?neg: post
    | MINUS neg               -> negate

?post: primary
     | post DOT NAME                       -> path
     | post LSQB expr RSQB                 -> filter
     | post LPAR RPAR                      -> call
     | post LPAR expr (COMMA expr)* RPAR   -> call
     | post LPAR named (COMMA named)* RPAR -> call_named

named: NAME COLON expr

?primary: NUMBER                  -> number
        | STRING                  -> string
        | TRUE                    -> true
        | FALSE                   -> false
        | NULL                    -> null
        | AT                      -> at_literal
        | NAME                    -> name
        | LPAR expr RPAR
        | LPAR simple_test RPAR   -> test_literal
        | LSQB RSQB               -> list
        | LSQB expr (COMMA expr)* RSQB -> list
        | LBRACE RBRACE           -> context
        | LBRACE entry (COMMA entry)* RBRACE -> context
        | range
        | IF expr THEN expr ELSE expr        -> if_
        | FOR iteration (COMMA iteration)* RETURN expr -> for_
        | SOME binding (COMMA binding)* SATISFIES expr -> some
        | EVERY binding (COMMA binding)* SATISFIES expr -> every
        | FUNCTION LPAR params RPAR expr              -> function
        | FUNCTION LPAR params RPAR EXTERNAL expr     -> external_function

entry: (NAME | STRING) COLON expr

range: (LSQB | LPAR | ROPEN) expr DOTDOT expr (RSQB | RPAR | RCLOSE)

iteration: NAME IN expr
         | NAME IN expr DOTDOT expr  -> iteration_range
binding: NAME IN expr

params: (param (COMMA param)*)?
param: NAME
     | NAME COLON TYPE
"""


class _PreLexed(Lexer):
    """lark custom lexer: the tokens were made by :mod:`cadenza.feel.lexer` already."""

    def __init__(self, conf: object) -> None:
        pass

    def lex(self, data: object) -> object:  # type: ignore[override]
        return iter(data)  # type: ignore[call-overload]


@lru_cache(maxsize=1)
def parser() -> Lark:
    return Lark(
        GRAMMAR,
        parser="lalr",
        lexer=_PreLexed,
        start=["expression", "unary_tests"],
        propagate_positions=True,
        maybe_placeholders=False,
    )
