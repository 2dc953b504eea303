"""The FEEL tokenizer: turns source text into lark tokens, knowing the names in scope.

Layer: ``feel``. FEEL names may contain spaces and some operator characters (``Monthly
Income``, ``date and time``, ``Loan-Amount``), so a context-free lexer cannot split them; the
spec resolves names against what is in scope (DMN 1.5 §10.3.1.2). This tokenizer does the same:
at a name it takes the longest *known* name (built-in functions and their parameters, and every
name the DMN model declares) that matches there, else one word. Context entry keys and function
parameters are read as names whatever they contain, and join the known names for the rest of the
text. Two bracket uses are told apart here, where the grammar cannot: ``]`` opening a range
(``]1..10]``) and ``[`` closing one (``[1..10[``). Types after ``instance of`` and in function
parameters become one ``TYPE`` token, parsed by :mod:`cadenza.feel.types`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Final

from lark import Token

__all__ = ["FeelLexError", "KnownNames", "tokenize"]


class FeelLexError(Exception):
    def __init__(self, message: str, position: int) -> None:
        super().__init__(message)
        self.position = position


KEYWORDS: Final = {
    "true": "TRUE",
    "false": "FALSE",
    "null": "NULL",
    "if": "IF",
    "then": "THEN",
    "else": "ELSE",
    "for": "FOR",
    "in": "IN",
    "return": "RETURN",
    "some": "SOME",
    "every": "EVERY",
    "satisfies": "SATISFIES",
    "between": "BETWEEN",
    "and": "AND",
    "or": "OR",
    "instance": "INSTANCE",
    "function": "FUNCTION",
}

_PUNCTUATION: Final = (
    ("..", "DOTDOT"),
    ("**", "POW"),
    ("!=", "NE"),
    ("<=", "LE"),
    (">=", "GE"),
    ("(", "LPAR"),
    (")", "RPAR"),
    ("{", "LBRACE"),
    ("}", "RBRACE"),
    (",", "COMMA"),
    (".", "DOT"),
    (":", "COLON"),
    ("+", "PLUS"),
    ("-", "MINUS"),
    ("*", "STAR"),
    ("/", "SLASH"),
    ("=", "EQ"),
    ("<", "LT"),
    (">", "GT"),
)

_OPERAND_END: Final = frozenset(
    {"NUMBER", "STRING", "AT", "NAME", "TRUE", "FALSE", "NULL", "RPAR", "RSQB", "RBRACE", "TYPE", "RCLOSE"}
)
_NUMBER: Final = re.compile(r"(?:[0-9]+(?:\.[0-9]+)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_WORD: Final = re.compile(r"[^\W\d]\w*|\?")
_NAME_CHAR: Final = re.compile(r"\w")
_SPACE: Final = re.compile(r"(?:\s+|//[^\n]*|/\*.*?\*/)+", re.DOTALL)
_STRING: Final = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_KEY: Final = re.compile(r'\s*("(?:[^"\\]|\\.)*"|[^\s:{}\[\](),"][^:{}\[\](),"]*?)\s*:(?!=)', re.DOTALL)
_ESCAPE: Final = re.compile(r"\\(u[0-9a-fA-F]{4}|U[0-9a-fA-F]{6}|.)", re.DOTALL)
_SIMPLE_ESCAPES: Final = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "'": "'", "\\": "\\"}
_TYPE_WORDS: Final = ("days and time duration", "years and months duration", "date and time")


def unescape(body: str) -> str:
    def replace(match: re.Match[str]) -> str:
        code = match[1]
        if code[0] in "uU" and len(code) > 1:
            return chr(int(code[1:], 16))
        return _SIMPLE_ESCAPES.get(code, "\\" + code)

    text = _ESCAPE.sub(replace, body)
    # a surrogate pair written as two \u escapes becomes one character
    return text.encode("utf-16", "surrogatepass").decode("utf-16", errors="replace")


def normalize_name(name: str) -> str:
    return " ".join(name.split())


@dataclass
class KnownNames:
    """Multi-word (or symbol-bearing) names the tokenizer may take as one name, by first word."""

    by_first: dict[str, list[tuple[str, re.Pattern[str]]]] = field(default_factory=dict)

    @classmethod
    def of(cls, names: Iterable[str]) -> KnownNames:
        known = cls()
        for name in names:
            known.add(name)
        return known

    def add(self, name: str) -> None:
        name = normalize_name(name)
        first = _WORD.match(name)
        if first is None or first.end() == len(name):
            return  # a plain word needs no help
        entries = self.by_first.setdefault(first.group(), [])
        if any(existing == name for existing, _ in entries):
            return
        pattern = re.compile(r"\s+".join(re.escape(part) for part in name.split(" ")))
        entries.append((name, pattern))
        entries.sort(key=lambda entry: -len(entry[0]))

    def copy(self) -> KnownNames:
        return KnownNames({key: list(value) for key, value in self.by_first.items()})

    def longest(self, text: str, position: int, word: str) -> tuple[str, int] | None:
        for name, pattern in self.by_first.get(word, ()):
            match = pattern.match(text, position)
            if match is None:
                continue
            end = match.end()
            if end < len(text) and _NAME_CHAR.match(text[end]) and _NAME_CHAR.match(name[-1]):
                continue
            return name, end
        return None


@dataclass
class _Bracket:
    kind: str
    dotdot: bool = False


class _Tokenizer:
    def __init__(self, text: str, known: KnownNames) -> None:
        self.text = text
        self.known = known
        self.position = 0
        self.tokens: list[Token] = []
        self.brackets: list[_Bracket] = []
        self.expect_key = False
        self.function_params = False

    def emit(self, kind: str, value: str, start: int) -> None:
        self.tokens.append(Token(kind, value, start_pos=start))

    @property
    def previous(self) -> str | None:
        return self.tokens[-1].type if self.tokens else None

    def skip_space(self) -> None:
        match = _SPACE.match(self.text, self.position)
        if match is not None:
            self.position = match.end()

    def run(self) -> list[Token]:
        text = self.text
        while True:
            self.skip_space()
            if self.position >= len(text):
                return self.tokens
            if self.expect_key:
                self.expect_key = False
                if self.read_key():
                    continue
            if self.function_params:
                self.function_params = False
                self.read_parameters()
                continue
            self.read_token()

    def read_key(self) -> bool:
        match = _KEY.match(self.text, self.position)
        if match is None:
            return False
        raw = match[1]
        start = match.start(1)
        if raw.startswith('"'):
            self.emit("STRING", unescape(raw[1:-1]), start)
        else:
            name = normalize_name(raw)
            self.known.add(name)
            self.emit("NAME", name, start)
        self.emit("COLON", ":", match.end() - 1)
        self.position = match.end()
        return True

    def read_parameters(self) -> None:
        """Inside ``function(``: names, each with an optional ``: type``, up to ``)``."""
        text = self.text
        while True:
            self.skip_space()
            if text.startswith(")", self.position):
                return
            start = self.position
            end = start
            while end < len(text) and text[end] not in ",():":
                end += 1
            name = normalize_name(text[start:end])
            if not name:
                raise FeelLexError("a function parameter name is expected", start)
            self.known.add(name)
            self.emit("NAME", name, start)
            self.position = end
            self.skip_space()
            if text.startswith(":", self.position):
                self.emit("COLON", ":", self.position)
                self.position += 1
                self.skip_space()
                self.read_type(stop=",)")
                self.skip_space()
            if text.startswith(",", self.position):
                self.emit("COMMA", ",", self.position)
                self.position += 1
                continue
            return

    def read_type(self, stop: str) -> None:
        text = self.text
        start = self.position
        depth = 0
        position = start
        while position < len(text):
            char = text[position]
            if char == "<":
                depth += 1
            elif char == ">" and depth and text[position - 1] != "-":
                depth -= 1
            elif depth == 0 and (char in stop or char in "()[]{}"):
                break
            position += 1
        raw = text[start:position].strip()
        if not raw:
            raise FeelLexError("a type name is expected", start)
        self.emit("TYPE", normalize_name(raw), start)
        self.position = position

    def read_instance_type(self) -> None:
        """After ``instance of``: one type (a name, generics, ``function<...> -> T``)."""
        text = self.text
        self.skip_space()
        start = self.position
        position = self._type_end(start)
        if position == start:
            raise FeelLexError("a type name is expected after 'instance of'", start)
        self.emit("TYPE", normalize_name(text[start:position]), start)
        self.position = position

    def _type_end(self, position: int) -> int:
        text = self.text
        for words in _TYPE_WORDS:
            match = re.compile(r"\s+".join(words.split(" "))).match(text, position)
            if match is not None:
                return match.end()
        match = re.compile(r"[^\W\d][\w.]*").match(text, position)
        if match is None:
            return position
        end = match.end()
        probe = end
        while probe < len(text) and text[probe].isspace():
            probe += 1
        if probe < len(text) and text[probe] == "<":
            depth = 0
            while probe < len(text):
                if text[probe] == "<":
                    depth += 1
                elif text[probe] == ">" and text[probe - 1] != "-":
                    depth -= 1
                    if depth == 0:
                        probe += 1
                        break
                probe += 1
            end = probe
            arrow = re.compile(r"\s*->\s*").match(text, end)
            if match.group() == "function" and arrow is not None:
                return self._type_end(arrow.end())
        return end

    def read_token(self) -> None:
        text = self.text
        position = self.position
        char = text[position]
        if char == '"':
            match = _STRING.match(text, position)
            if match is None:
                raise FeelLexError("unterminated string literal", position)
            self.emit("STRING", unescape(match.group()[1:-1]), position)
            self.position = match.end()
            return
        if char == "@" and text.startswith('"', position + 1):
            match = _STRING.match(text, position + 1)
            if match is None:
                raise FeelLexError("unterminated temporal literal", position)
            self.emit("AT", unescape(match.group()[1:-1]), position)
            self.position = match.end()
            return
        starts_number = char.isdigit() or (char == "." and text[position + 1 : position + 2].isdigit())
        if starts_number and not (char == "." and self.previous in _OPERAND_END):
            match = _NUMBER.match(text, position)
            assert match is not None
            self.emit("NUMBER", match.group(), position)
            self.position = match.end()
            return
        word = _WORD.match(text, position)
        if word is not None:
            self.read_name(word.group())
            return
        if char == "[":
            self.read_open_square()
            return
        if char == "]":
            self.read_close_square()
            return
        for symbol, kind in _PUNCTUATION:
            if text.startswith(symbol, position):
                self.punctuation(symbol, kind)
                return
        raise FeelLexError(f"unexpected character {char!r}", position)

    def read_name(self, word: str) -> None:
        start = self.position
        longest = self.known.longest(self.text, start, word)
        if longest is not None:
            name, end = longest
            self.emit("NAME", name, start)
            self.position = end
            return
        self.position = start + len(word)
        keyword = KEYWORDS.get(word)
        if keyword == "INSTANCE":
            self.skip_space()
            if self.text.startswith("of", self.position):
                self.emit("INSTANCE", word, start)
                self.position += 2
                self.read_instance_type()
                return
            keyword = None
        if keyword is None and word == "external" and self.previous == "RPAR":
            keyword = "EXTERNAL"
        self.emit(keyword or "NAME", word, start)
        if keyword == "FUNCTION":
            self.skip_space()
            if self.text.startswith("(", self.position):
                self.brackets.append(_Bracket("("))
                self.emit("LPAR", "(", self.position)
                self.position += 1
                self.function_params = True

    def read_open_square(self) -> None:
        position = self.position
        top = self.brackets[-1] if self.brackets else None
        ahead = self.text[position + 1 :].lstrip()
        closes = not ahead or ahead[0] in ",)]}"
        if top is not None and top.dotdot and self.previous in _OPERAND_END and closes:
            self.brackets.pop()
            self.emit("RCLOSE", "[", position)
        else:
            self.brackets.append(_Bracket("["))
            self.emit("LSQB", "[", position)
        self.position += 1

    def read_close_square(self) -> None:
        position = self.position
        if self.previous not in _OPERAND_END and self.previous != "LSQB":
            self.brackets.append(_Bracket("]"))
            self.emit("ROPEN", "]", position)
        else:
            if self.brackets:
                self.brackets.pop()
            self.emit("RSQB", "]", position)
        self.position += 1

    def punctuation(self, symbol: str, kind: str) -> None:
        position = self.position
        self.emit(kind, symbol, position)
        self.position += len(symbol)
        if kind in ("LPAR", "LBRACE"):
            self.brackets.append(_Bracket(symbol))
            if kind == "LBRACE":
                self.expect_key = True
        elif kind in ("RPAR", "RBRACE"):
            if self.brackets:
                self.brackets.pop()
        elif kind == "DOTDOT":
            if self.brackets:
                self.brackets[-1].dotdot = True
        elif kind == "COMMA" and self.brackets and self.brackets[-1].kind == "{":
            self.expect_key = True


def tokenize(text: str, known: KnownNames) -> list[Token]:
    """The tokens of ``text``; ``known`` is copied, so context keys stay local to this text."""
    return _Tokenizer(text, known.copy()).run()


def token_iter(tokens: list[Token]) -> Iterator[Token]:
    return iter(tokens)
