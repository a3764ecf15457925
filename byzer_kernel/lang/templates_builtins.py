"""Objects Byzer puts in every Velocity context (docs/spec.md §2.4): `date` (a Joda DateTime look-alike),
the day strings `today`, `yesterday`, `tomorrow`, `theDayBeforeYesterday`, and `template`."""
from __future__ import annotations

import calendar
import re
from datetime import datetime, timedelta
from typing import Callable, Mapping, Optional

_PATTERN_TOKEN = re.compile(r"'(?:[^']|'')*'|([A-Za-z])\1*|[^A-Za-z']+")
_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"]
_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def _field(moment: datetime, letter: str, width: int) -> str:
    """One Joda pattern field (DateTimeFormat) of ``width`` repeated ``letter``s."""
    pad = lambda n: str(n).zfill(width)  # noqa: E731
    if letter in "yYx":
        year = moment.year if letter != "x" else moment.isocalendar()[0]
        return str(year % 100).zfill(2) if width == 2 else pad(year)
    if letter == "M":
        if width >= 4:
            return _MONTHS[moment.month - 1]
        return _MONTHS[moment.month - 1][:3] if width == 3 else pad(moment.month)
    if letter == "E":
        name = _DAYS[moment.weekday()]
        return name if width >= 4 else name[:3]
    if letter == "S":  # fraction of second, truncated to `width` digits
        return f"{moment.microsecond:06d}{'0' * max(0, width - 6)}"[:width]
    if letter == "a":
        return "AM" if moment.hour < 12 else "PM"
    if letter == "Z":
        offset = moment.astimezone().strftime("%z")
        return offset if width == 1 else offset[:3] + ":" + offset[3:]
    if letter == "z":
        return moment.astimezone().tzname() or ""
    numbers = {"d": moment.day, "D": moment.timetuple().tm_yday, "H": moment.hour, "m": moment.minute,
               "s": moment.second, "h": moment.hour % 12 or 12, "K": moment.hour % 12, "k": moment.hour or 24,
               "e": moment.isoweekday(), "w": moment.isocalendar()[1], "C": moment.year // 100}
    if letter not in numbers:
        raise ValueError(f"Illegal pattern component: {letter * width}")
    return pad(numbers[letter])


def joda_format(moment: datetime, pattern: str) -> str:
    """Format like Joda's DateTime.toString(pattern): yyyy MM dd HH mm ss SSS E a Z, 'quoted' text."""
    out = []
    for token in _PATTERN_TOKEN.finditer(pattern):
        text = token.group()
        if text.startswith("'"):
            out.append(text[1:-1].replace("''", "'") if len(text) > 2 else "'")
        elif token.group(1):
            out.append(_field(moment, token.group(1), len(text)))
        else:
            out.append(text)
    return "".join(out)


class ByzerDate:
    """What `$date` is in Byzer templates: Joda's DateTime, with its common methods."""

    def __init__(self, moment: Optional[datetime] = None):
        self.moment = moment or datetime.now()

    def toString(self, pattern: Optional[str] = None) -> str:
        if pattern is None:  # Joda's ISO form, e.g. 2024-05-29T10:11:12.123+08:00
            return joda_format(self.moment, "yyyy-MM-dd'T'HH:mm:ss.SSSZZ")
        return joda_format(self.moment, pattern)

    def __str__(self) -> str:
        return self.toString()

    def _shift(self, **delta) -> "ByzerDate":
        return ByzerDate(self.moment + timedelta(**delta))

    def _shift_months(self, months: int) -> "ByzerDate":
        total = self.moment.year * 12 + self.moment.month - 1 + months
        year, month = divmod(total, 12)
        day = min(self.moment.day, calendar.monthrange(year, month + 1)[1])  # Joda clamps to month end
        return ByzerDate(self.moment.replace(year=year, month=month + 1, day=day))

    def plusDays(self, n): return self._shift(days=n)
    def minusDays(self, n): return self._shift(days=-n)
    def plusWeeks(self, n): return self._shift(weeks=n)
    def minusWeeks(self, n): return self._shift(weeks=-n)
    def plusHours(self, n): return self._shift(hours=n)
    def minusHours(self, n): return self._shift(hours=-n)
    def plusMinutes(self, n): return self._shift(minutes=n)
    def minusMinutes(self, n): return self._shift(minutes=-n)
    def plusSeconds(self, n): return self._shift(seconds=n)
    def minusSeconds(self, n): return self._shift(seconds=-n)
    def plusMonths(self, n): return self._shift_months(n)
    def minusMonths(self, n): return self._shift_months(-n)
    def plusYears(self, n): return self._shift_months(12 * n)
    def minusYears(self, n): return self._shift_months(-12 * n)
    def getYear(self): return self.moment.year
    def getMonthOfYear(self): return self.moment.month
    def getDayOfMonth(self): return self.moment.day
    def getDayOfWeek(self): return self.moment.isoweekday()
    def getHourOfDay(self): return self.moment.hour
    def getMinuteOfHour(self): return self.moment.minute
    def getSecondOfMinute(self): return self.moment.second
    def getMillis(self): return int(self.moment.timestamp() * 1000)


class TemplateFiller:
    """`$template.get("tplVar", "a", "b")`: the value of variable tplVar with {0}, {1}... filled in."""

    def __init__(self, lookup: Callable[[str], Optional[str]]):
        self.lookup = lookup

    def get(self, name, *args):
        text = self.lookup(str(name))
        if text is None:
            return None
        values = [str(a) for a in args]
        return re.sub(r"\{(\d+)\}", lambda m: values[int(m.group(1))] if int(m.group(1)) < len(values) else "",
                      str(text))


def date_builtins(now: Optional[datetime] = None) -> dict:
    """`date` and the yyyy-MM-dd day strings, evaluated at ``now``."""
    moment = now or datetime.now()
    day = lambda shift: (moment + timedelta(days=shift)).strftime("%Y-%m-%d")  # noqa: E731
    return {"date": ByzerDate(moment), "today": day(0), "yesterday": day(-1), "tomorrow": day(1),
            "theDayBeforeYesterday": day(-2)}


def template_builtin(variables: Mapping[str, object]) -> TemplateFiller:
    return TemplateFiller(lambda name: variables.get(name))
