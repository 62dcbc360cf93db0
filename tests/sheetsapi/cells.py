"""Cell values in and out: RAW and USER_ENTERED input, FORMATTED / UNFORMATTED / FORMULA output.

USER_ENTERED input is parsed as Sheets parses typing in the en_US locale: numbers (with thousands
separators), percentages, currency, TRUE/FALSE, ISO and US dates, a leading apostrophe forcing text,
and simple arithmetic formulas. Anything fancier is text, which is all the tests need.
"""
from __future__ import annotations

import ast
import math
import operator
import re
from datetime import date, datetime, timedelta

from .errors import ApiError, invalid_value
from .model import ErrorValue

EPOCH = datetime(1899, 12, 30)
_NUMBER = re.compile(r"^[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)?(?:\.\d+)?(?:[eE][+-]?\d+)?$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$")
_US_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_CURRENCY = re.compile(r"^([$£€])(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?$")


def normal_number(value: float | int) -> float | int:
    """Numbers as Google returns them: integral values without a fraction."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


def serial_of(day: datetime) -> float | int:
    delta = day - EPOCH
    return normal_number(delta.days + delta.seconds / 86400)


def enter(raw: object, option: str, where: str = "data.values") -> tuple[object, str | None, dict | None]:
    """A value as sent -> (effective value, formula text or None, number format Sheets would pick or None)."""
    if isinstance(raw, bool):
        return raw, None, None
    if isinstance(raw, (int, float)):
        if isinstance(raw, float) and not math.isfinite(raw):
            raise ApiError(400, f"Invalid value at '{where}', {raw}")
        return normal_number(raw), None, None
    if isinstance(raw, (list, dict)):
        raise invalid_value(where, raw)
    text = "" if raw is None else str(raw)
    if option == "RAW" or text == "":
        return (text if text else None), None, None
    if text.startswith("'"):
        return text[1:], None, None
    if text.startswith("=") and len(text) > 1:
        return evaluate(text), text, None
    stripped = text.strip()
    upper = stripped.upper()
    if upper in ("TRUE", "FALSE"):
        return upper == "TRUE", None, None
    if _NUMBER.match(stripped) and any(ch.isdigit() for ch in stripped):
        number = normal_number(float(stripped.replace(",", "")))
        fmt = {"type": "NUMBER", "pattern": "#,##0.00"} if "," in stripped else None
        return number, None, fmt
    if stripped.endswith("%") and _NUMBER.match(stripped[:-1].strip() or "x"):
        return normal_number(float(stripped[:-1].replace(",", "")) / 100), None, {"type": "PERCENT", "pattern": "0%"}
    money = _CURRENCY.match(stripped)
    if money:
        number = float(money[2].replace(",", "") + (money[3] or ""))
        return normal_number(number), None, {"type": "CURRENCY", "pattern": f'"{money[1]}"#,##0.00'}
    day = _ISO_DATE.match(stripped)
    if day:
        try:
            when = datetime(int(day[1]), int(day[2]), int(day[3]), int(day[4] or 0), int(day[5] or 0), int(day[6] or 0))
        except ValueError:
            return text, None, None
        if day[4]:
            return serial_of(when), None, {"type": "DATE_TIME", "pattern": "yyyy-mm-dd h:mm:ss"}
        return serial_of(when), None, {"type": "DATE", "pattern": "yyyy-mm-dd"}
    day = _US_DATE.match(stripped)
    if day:
        try:
            when = datetime(int(day[3]), int(day[1]), int(day[2]))
        except ValueError:
            return text, None, None
        return serial_of(when), None, {"type": "DATE", "pattern": "M/d/yyyy"}
    return text, None, None


# -- formulas: arithmetic only -------------------------------------------------

_OPS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
        ast.Pow: operator.pow}


def evaluate(formula: str) -> object:
    try:
        tree = ast.parse(formula[1:].strip().replace("^", "**"), mode="eval")
    except SyntaxError:
        return ErrorValue("#ERROR!")
    try:
        return normal_number(_eval(tree.body))
    except ZeroDivisionError:
        return ErrorValue("#DIV/0!")
    except (TypeError, ValueError, OverflowError):
        return ErrorValue("#NAME?")


def _eval(node: ast.AST) -> float:
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
        return node.value
    if isinstance(node, ast.BinOp) and type(node.op) in _OPS:
        return _OPS[type(node.op)](_eval(node.left), _eval(node.right))
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        value = _eval(node.operand)
        return -value if isinstance(node.op, ast.USub) else value
    raise ValueError("unsupported formula")


# -- output ---------------------------------------------------------------------

def is_date_format(fmt: dict | None) -> bool:
    return bool(fmt) and fmt.get("type") in ("DATE", "TIME", "DATE_TIME")


def render(value: object, number_format: dict | None, value_option: str, date_option: str, formula: str | None) -> object:
    """One cell's value in a values response (value is not None)."""
    if value_option == "FORMULA" and formula:
        return formula
    if isinstance(value, bool):
        return value if value_option != "FORMATTED_VALUE" else ("TRUE" if value else "FALSE")
    if isinstance(value, (int, float)):
        if value_option == "FORMATTED_VALUE" or (date_option == "FORMATTED_STRING" and is_date_format(number_format)):
            return format_number(value, number_format)
        return value
    return str(value)


def format_number(value: float | int, fmt: dict | None) -> str:
    kind = (fmt or {}).get("type")
    pattern = (fmt or {}).get("pattern", "")
    if kind in ("DATE", "TIME", "DATE_TIME"):
        return format_date(value, pattern or ("yyyy-mm-dd" if kind == "DATE" else "yyyy-mm-dd h:mm:ss"))
    if kind == "PERCENT":
        decimals = len(pattern.split(".")[1].rstrip("%")) if "." in pattern else 0
        return f"{value * 100:.{decimals}f}%"
    if kind in ("NUMBER", "CURRENCY") and pattern:
        prefix = pattern[: len(pattern) - len(pattern.lstrip('"£$€'))].replace('"', "")
        core = pattern.lstrip('"£$€')
        decimals = len(core.split(".")[1]) if "." in core else 0
        grouped = "," in core
        text = f"{abs(value):{',' if grouped else ''}.{decimals}f}"
        return ("-" if value < 0 else "") + prefix + text
    return general(value)


def general(value: float | int) -> str:
    """Sheets' automatic number format: integers plainly, fractions to about 15 significant digits."""
    if isinstance(value, int):
        return str(value)
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    text = f"{value:.15g}"
    if "e" in text:
        mantissa, exponent = text.split("e")
        return f"{mantissa.upper()}E{'+' if int(exponent) >= 0 else '-'}{abs(int(exponent)):02d}"
    return text


_DATE_TOKENS = re.compile(r"yyyy|yy|mmmm|mmm|mm|m|dddd|ddd|dd|d|hh|h|ss|s|am/pm|AM/PM|MM|M|\"[^\"]*\"|.", re.S)
_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"]
_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def to_datetime(serial: float) -> datetime:
    return EPOCH + timedelta(days=serial)


def format_date(serial: float, pattern: str) -> str:
    when = to_datetime(serial)
    tokens = _DATE_TOKENS.findall(pattern)
    out = []
    for i, token in enumerate(tokens):
        lower = token.lower()
        previous = next((t.lower() for t in reversed(tokens[:i]) if t.strip(" /-.:,")), "")
        minutes = previous.startswith("h") and lower in ("mm", "m")
        if lower == "yyyy":
            out.append(f"{when.year:04d}")
        elif lower == "yy":
            out.append(f"{when.year % 100:02d}")
        elif lower == "mmmm":
            out.append(_MONTHS[when.month - 1])
        elif lower == "mmm":
            out.append(_MONTHS[when.month - 1][:3])
        elif lower == "mm":
            out.append(f"{when.minute:02d}" if minutes else f"{when.month:02d}")
        elif lower == "m":
            out.append(str(when.minute) if minutes else str(when.month))
        elif lower == "dddd":
            out.append(_DAYS[when.weekday()])
        elif lower == "ddd":
            out.append(_DAYS[when.weekday()][:3])
        elif lower == "dd":
            out.append(f"{when.day:02d}")
        elif lower == "d":
            out.append(str(when.day))
        elif lower == "hh":
            out.append(f"{when.hour:02d}")
        elif lower == "h":
            out.append(str(when.hour))
        elif lower == "ss":
            out.append(f"{when.second:02d}")
        elif lower == "s":
            out.append(str(when.second))
        elif lower == "am/pm":
            out.append("AM" if when.hour < 12 else "PM")
        elif token.startswith('"'):
            out.append(token[1:-1])
        else:
            out.append(token)
    return "".join(out)


def serial_date(day: date) -> int:
    return (day - EPOCH.date()).days


def typed_value(value: object, formula: str | None) -> dict:
    """A cell's ExtendedValue (userEnteredValue / effectiveValue in grid data)."""
    if formula:
        return {"formulaValue": formula}
    return extended(value)


def extended(value: object) -> dict:
    if isinstance(value, bool):
        return {"boolValue": value}
    if isinstance(value, (int, float)):
        return {"numberValue": value}
    if isinstance(value, ErrorValue):
        return {"errorValue": {"type": "ERROR", "message": str(value)}}
    return {"stringValue": str(value)}
