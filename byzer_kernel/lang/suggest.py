"""Suggestions for a name the user wrote that names nothing ("did you mean `load`?"): the known
names closest to it.

Names compare without regard to case (Byzer's keywords, Spark's tables, columns and functions do),
and a name that differs only in case comes first: `jsonstr` suggests `jsonStr`.
"""
from __future__ import annotations

import difflib
from typing import Iterable

# difflib's ratio (2 * matching characters / total characters): 0.6 keeps one-letter slips in
# short names (`lod` -> `load` is 0.86, `dta` -> `data` 0.86, `teh` -> `the` 0.67) and leaves
# out names that merely share a few letters.
CUTOFF = 0.6
LIMIT = 3
# A second suggestion is shown only when it is about as close as the best one.
CLOSE_TO_BEST = 0.1


def close_matches(word: str, candidates: Iterable[str], limit: int = LIMIT, cutoff: float = CUTOFF) -> list[str]:
    """The candidates closest to `word`, best first, as the candidates spell them: the one that
    differs only in case alone, else those within CLOSE_TO_BEST of the best one."""
    by_lower: dict[str, str] = {}
    for candidate in candidates:
        if candidate and candidate != word:
            by_lower.setdefault(candidate.lower(), candidate)
    key = word.lower()
    if key in by_lower:
        return [by_lower[key]]
    matcher = difflib.SequenceMatcher(b=key)
    scored = []
    for lower, candidate in by_lower.items():
        matcher.set_seq1(lower)
        if matcher.real_quick_ratio() >= cutoff and matcher.quick_ratio() >= cutoff:
            ratio = matcher.ratio()
            if ratio >= cutoff:
                scored.append((-ratio, lower, candidate))
    scored.sort()
    if not scored:
        return []
    best = -scored[0][0]
    return [candidate for ratio, _, candidate in scored if -ratio >= best - CLOSE_TO_BEST][:limit]


def did_you_mean(word: str, candidates: Iterable[str], quote: str = "`", limit: int = LIMIT,
                 cutoff: float = CUTOFF) -> str:
    """`did you mean `x`?` or `did you mean one of `x`, `y`?`, or '' when nothing is close."""
    found = close_matches(word, candidates, limit, cutoff)
    if not found:
        return ""
    quoted = [f"{quote}{name}{quote}" for name in found]
    return f"did you mean {quoted[0]}?" if len(quoted) == 1 else f"did you mean one of {', '.join(quoted)}?"
