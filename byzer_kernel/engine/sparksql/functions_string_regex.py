"""Java regular expressions (what Spark's regexp functions take) in DuckDB's dialect (RE2).

A literal pattern is checked as Java would (an unknown escape such as `\\U` is Spark's error) and
rewritten where the two dialects spell a feature differently (`\\p{Alpha}`, `\\h`, `\\e`, `\\uFFFF`,
`(?<name>...)`, possessive and atomic forms). What RE2 cannot do at all (lookaround,
backreferences) is refused with an error that says so.
"""
from __future__ import annotations

from dataclasses import dataclass

from ...lang.errors import ByzerRuntimeError

# Escapes that mean the same in both dialects.
_SAME = set("tnrfadDsSwWbBAzQE")
# Java's escapes written otherwise in RE2 (inside and outside a character class).
_VERTICAL = r"\n\x0B\f\r\x{85}\x{2028}\x{2029}"
_HORIZONTAL = r"\t \x{A0}\x{1680}\x{180E}\x{2000}-\x{200A}\x{202F}\x{205F}\x{3000}"
_CLASS_ESCAPES = {"e": r"\x1B", "h": _HORIZONTAL, "v": _VERTICAL}
_NEGATED_ESCAPES = {"H": _HORIZONTAL, "V": _VERTICAL}
_JAVA_ONLY = {"G": "\\G", "X": "\\X", "k": "named backreferences", "N": "\\N{...}"}
# Java's ASCII POSIX classes and java.lang.Character classes.
_POSIX = {"Lower": "lower", "Upper": "upper", "ASCII": "ascii", "Alpha": "alpha", "Digit": "digit",
          "Alnum": "alnum", "Punct": "punct", "Graph": "graph", "Print": "print", "Blank": "blank",
          "Cntrl": "cntrl", "XDigit": "xdigit", "Space": "space"}
_PROPERTIES = {"javaLowerCase": "Ll", "javaUpperCase": "Lu", "javaDigit": "Nd", "javaLetter": "L",
               "IsAlphabetic": "L", "IsLetter": "L", "IsDigit": "Nd", "IsUppercase": "Lu",
               "IsLowercase": "Ll", "IsPunctuation": "P", "IsControl": "Cc"}


@dataclass
class JavaRegex:
    re2: str
    groups: int  # capturing groups, for Spark's group-index checks


def translate(pattern: str, function: str) -> JavaRegex:
    return _Translator(pattern, function).run()


class _Translator:
    def __init__(self, pattern: str, function: str):
        self.pattern, self.function = pattern, function
        self.out: list[str] = []
        self.index = 0
        self.in_class = 0
        self.groups = 0

    def run(self) -> JavaRegex:
        while self.index < len(self.pattern):
            char = self.pattern[self.index]
            if char == "\\":
                self._escape()
                continue
            if self.in_class:
                self._class_char(char)
            elif char == "[":
                self.in_class = 1
                self.out.append(char)
                if self.pattern.startswith("^", self.index + 1):
                    self.out.append("^")
                    self.index += 1
            elif char == "(":
                self._group()
                continue
            elif char in "*+?}" and self.pattern.startswith("+", self.index + 1):
                self.out.append(char)  # possessive: RE2 never backtracks, greedy matches alike
                self.index += 1
            else:
                self.out.append(char)
            self.index += 1
        return JavaRegex("".join(self.out), self.groups)

    def _class_char(self, char: str) -> None:
        if char == "[" or (char == "&" and self.pattern.startswith("&", self.index + 1)):
            self._unsupported("nested or intersected character classes")
        if char == "]":
            self.in_class = 0
        self.out.append(char)

    def _group(self) -> None:
        rest = self.pattern[self.index + 1:]
        if not rest.startswith("?"):
            self.groups += 1
            self.out.append("(")
            self.index += 1
        elif rest.startswith(("?=", "?!", "?<=", "?<!")):
            self._unsupported("lookahead and lookbehind")
        elif rest.startswith("?<"):
            self.groups += 1
            self.out.append("(?P<")
            self.index += 3
        elif rest.startswith("?>"):
            self.out.append("(?:")  # atomic group: RE2 does not backtrack anyway
            self.index += 3
        else:
            self._flags(rest)

    def _flags(self, rest: str) -> None:
        """(?flags) and (?flags:...): RE2 knows i, m and s; Java's u, U and d only refine them."""
        end = next((i for i, c in enumerate(rest) if c in ":)"), len(rest))
        flags = rest[1:end]
        if "x" in flags:
            self._unsupported("the COMMENTS flag (?x)")
        kept = "".join(c for c in flags if c in "ims-")
        closing = rest[end:end + 1]
        if kept.strip("-"):
            self.out.append(f"(?{kept.rstrip('-')}{closing}")
        elif closing == ":":
            self.out.append("(?:")
        self.index += 1 + end + 1

    def _escape(self) -> None:
        if self.index + 1 >= len(self.pattern):
            self._error("Unexpected internal error", self.index + 1)
        char = self.pattern[self.index + 1]
        self.index += 2
        if not char.isalnum() or char in _SAME:
            self.out.append("\\" + char)
        elif char.isdigit():
            self._digit_escape(char)
        elif char in _CLASS_ESCAPES:
            body = _CLASS_ESCAPES[char]
            self.out.append(body if self.in_class or char == "e" else f"[{body}]")
        elif char in _NEGATED_ESCAPES and not self.in_class:
            self.out.append(f"[^{_NEGATED_ESCAPES[char]}]")
        elif char == "R" and not self.in_class:
            self.out.append(f"(?:\\r\\n|[{_VERTICAL}])")
        elif char == "Z":
            self.out.append("\\z")  # RE2 cannot stop before a final line break
        elif char == "x":
            self.out.append("\\x")
        elif char == "u":
            self._hex_escape(4)
        elif char == "c" and self.index < len(self.pattern):
            self.out.append(f"\\x{{{ord(self.pattern[self.index]) ^ 64:X}}}")
            self.index += 1
        elif char in "pP":
            self._property(char == "P")
        elif char in _JAVA_ONLY:
            self._unsupported(_JAVA_ONLY[char])
        else:
            self._error("Illegal/unsupported escape sequence", self.index - 1)

    def _digit_escape(self, char: str) -> None:
        if char != "0":
            self._unsupported("backreferences")
        digits = ""
        octal = self.pattern[self.index:self.index + 3]
        while len(digits) < len(octal) and octal[len(digits)] in "01234567":
            digits += octal[len(digits)]
        self.index += len(digits)
        if not digits:
            self._error("Illegal octal escape sequence", self.index)
        self.out.append(f"\\x{{{int(digits, 8):X}}}")

    def _hex_escape(self, size: int) -> None:
        digits = self.pattern[self.index:self.index + size]
        if len(digits) < size or any(c not in "0123456789abcdefABCDEF" for c in digits):
            self._error("Illegal Unicode escape sequence", self.index)
        self.out.append(f"\\x{{{digits}}}")
        self.index += size

    def _property(self, negated: bool) -> None:
        if self.pattern.startswith("{", self.index):
            end = self.pattern.find("}", self.index)
            if end < 0:
                self._error("Unclosed character family", len(self.pattern))
            name, self.index = self.pattern[self.index + 1:end], end + 1
        else:
            name, self.index = self.pattern[self.index:self.index + 1], self.index + 1
        self.out.append(self._property_re2(name.split("=")[-1], negated))

    def _property_re2(self, name: str, negated: bool) -> str:
        if name in _POSIX:
            posix = f"[:{'^' if negated else ''}{_POSIX[name]}:]"
            return posix if self.in_class else f"[{posix}]"
        letter = "P" if negated else "p"
        if name in _PROPERTIES:
            return f"\\{letter}{{{_PROPERTIES[name]}}}"
        if name.startswith("In"):
            self._unsupported("Unicode blocks (\\p{In...})")
        return f"\\{letter}{{{name[2:] if name.startswith('Is') else name}}}"

    def _error(self, what: str, index: int):
        raise ByzerRuntimeError(f"function `{self.function}`: {what} near index {index} in the "
                                f"regular expression '{self.pattern}'")

    def _unsupported(self, feature: str):
        raise ByzerRuntimeError(f"function `{self.function}`: the regular expression "
                                f"'{self.pattern}' uses {feature}, which the local engine's "
                                "regular expressions (RE2) cannot do")
