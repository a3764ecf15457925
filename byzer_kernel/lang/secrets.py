"""Values never shown back to the user: `!python conf` settings whose key names a secret (e.g.
`rayAuthToken`) and every `!python env` value (environment variables often carry credentials).
Result tables, `byzer plan` / `%%byzer --plan` output and error headlines use these helpers; the
session itself keeps the real values."""
from __future__ import annotations

MASK = "***"
# A key is secret when its name holds one of these, in any case (rayAuthToken, dbPassword, ...).
_SECRET_WORDS = ("token", "password", "secret")


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
