"""Values never shown back to the user: `!python conf` settings whose key names a secret (e.g.
`rayAuthToken`), every `!python env` value (environment variables often carry credentials), and
the values of secret options (`connect jdbc where password=...`, `set dbPassword=...`, a JDBC URL's
`password=` parameter). Result tables, `byzer plan` / `%%byzer --plan` output and error headlines
use these helpers; the session itself keeps the real values."""
from __future__ import annotations

import re

MASK = "***"
# A key is secret when its name holds one of these, in any case (rayAuthToken, dbPassword, ...).
_SECRET_WORDS = ("token", "password", "passwd", "pwd", "secret")
_WORDS = "|".join(_SECRET_WORDS)
# `password=...` inside a URL's query (jdbc:mysql://h/db?user=u&password=x).
_URL_SECRET = re.compile(rf"([?&;]\w*(?:{_WORDS})\w*=)[^&\s\"';`]*", re.IGNORECASE)
# `key = value` of a where clause or a set statement whose key names a secret; the value quoted in
# any of Byzer's ways (triple quotes, double, single, backquotes), or a bare word.
_TRIPLE = "'" * 3
_OPTION_SECRET = re.compile(
    rf"((?<![?&;\w.-])`?[\w.-]*(?:{_WORDS})[\w.-]*`?\s*=\s*)"
    rf"({_TRIPLE}[\s\S]*?{_TRIPLE}|\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*'|`[^`]*`|[^\s;]+)", re.IGNORECASE)


def mask_secrets(text: str) -> str:
    """Script text with the values of secret options and URL parameters replaced by MASK."""
    if not any(word in text.lower() for word in _SECRET_WORDS):
        return text
    text = _URL_SECRET.sub(lambda m: m.group(1) + MASK, text)
    return _OPTION_SECRET.sub(lambda m: m.group(1) + _masked_like(m.group(2)), text)


_VARIABLE = re.compile(r"\$\{\s*(\w+)\s*\}|\$(\w+)")
_URL_SECRET_VALUE = re.compile(rf"[?&;]\w*(?:{_WORDS})\w*=([^&\s\"';`]*)", re.IGNORECASE)


def secret_variables(text: str) -> set:
    """The variables a script puts in secret options (`password="${pw}"`, `?password=${pw}` in a
    URL): their `set` statements hold secrets whatever their own names."""
    values = [m.group(2) for m in _OPTION_SECRET.finditer(text)] + \
        [m.group(1) for m in _URL_SECRET_VALUE.finditer(text)]
    return {a or b for value in values for a, b in _VARIABLE.findall(value)}


def mask_values(text: str, secrets) -> str:
    """`text` with every known secret value (e.g. a password a `connect` used, wherever it came
    from: a variable, a literal) replaced by MASK; longest first, so no part of one is left."""
    for secret in sorted(secrets, key=len, reverse=True):
        if secret:
            text = text.replace(secret, MASK)
    return text


def _masked_like(value: str) -> str:
    quote = value[:3] if value.startswith(_TRIPLE) else value[:1]
    return f"{quote}{MASK}{quote}" if quote in (_TRIPLE, '"', "'", "`") else MASK


def is_secret_key(key: str) -> bool:
    lowered = key.lower()
    return any(word in lowered for word in _SECRET_WORDS)


def shown_python_value(kind: str, key: str, value: str) -> str:
    """The value of a `!python conf|env` setting as it may be shown."""
    return MASK if kind == "env" or is_secret_key(key) else value


def shown_python_pair(kind: str, pair: str) -> str:
    """`key=value` text of `!python conf|env` as it may be shown. Without `=` the whole text may be
    a pasted value, so it is hidden whenever a value would be."""
    if "=" not in pair:
        return MASK if kind == "env" or is_secret_key(pair) else pair
    key, value = pair.split("=", 1)
    return f"{key}={shown_python_value(kind, key, value)}"
