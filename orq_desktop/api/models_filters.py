"""Knowledge-base metadata filters (`knowledge_bases[].filter_by`), checked and kept as plain JSON.

Shapes: `{"field": {"<op>": value}}` (several fields allowed), or `{"and": [{...}, ...]}` /
`{"or": [{...}, ...]}` whose items are field conditions. One operator per field condition.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator

from orq_desktop.api.validation import bad_value, show

_SCALAR_OPS = ("eq", "ne")
_NUMBER_OPS = ("gt", "gte", "lt", "lte")
_LIST_OPS = ("in", "nin")
OPERATORS = (*_SCALAR_OPS, *_NUMBER_OPS, *_LIST_OPS, "exists")


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_scalar(value: Any) -> bool:
    return isinstance(value, str | bool) or _is_number(value)


def _check_condition(field: str, condition: Any) -> None:
    if not isinstance(condition, dict) or len(condition) != 1:
        raise bad_value(
            'Filter on "{field}" must be one operator and its value, e.g. {"eq": "a"}.',
            field=field,
        )
    ((op, value),) = condition.items()
    if op not in OPERATORS:
        raise bad_value(
            'Filter operator "{op}" on "{field}" is unknown; use one of: {ops}.',
            op=str(op),
            field=field,
            ops=", ".join(OPERATORS),
        )
    ok = (
        (op in _SCALAR_OPS and _is_scalar(value))
        or (op in _NUMBER_OPS and _is_number(value))
        or (op in _LIST_OPS and isinstance(value, list) and all(_is_scalar(v) for v in value))
        or (op == "exists" and isinstance(value, bool))
    )
    if not ok:
        wanted = {
            **dict.fromkeys(_SCALAR_OPS, "text, a number or true/false"),
            **dict.fromkeys(_NUMBER_OPS, "a number"),
            **dict.fromkeys(_LIST_OPS, "a list of text, numbers or true/false"),
            "exists": "true or false",
        }[op]
        raise bad_value(
            'Filter "{op}" on "{field}" needs {wanted} (you entered {value}).',
            op=op,
            field=field,
            wanted=wanted,
            value=show(value),
        )


def _check_fields(conditions: dict[str, Any]) -> None:
    for field, condition in conditions.items():
        _check_condition(field, condition)


def check_filter(value: dict[str, Any]) -> dict[str, Any]:
    """Validate a filter; return it unchanged."""
    joiners = [k for k in ("and", "or") if k in value]
    if not joiners:
        _check_fields(value)
        return value
    if len(value) != 1:
        raise bad_value('A filter with "and" or "or" must have nothing else beside it.')
    items = value[joiners[0]]
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise bad_value('Filter "{joiner}" needs a list of field conditions.', joiner=joiners[0])
    for item in items:
        _check_fields(item)
    return value


FilterBy = Annotated[dict[str, Any], AfterValidator(check_filter)]
