"""A sentence for every dbt data test, for the asset check it becomes in Dagster.

A singular test carries its own ``description`` (tests/singular/_singular__tests.yml); a
generic test (``not_null``, ``accepted_range``, ...) rarely does, and the UI then says "No
description provided" on hundreds of checks. The rule a generic test enforces is fully given by
its name and arguments in the manifest, so the sentence is derived from them: it cannot drift
from the test. A ``description`` written on a test in a yml file wins.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

_REF = re.compile(r"ref\(['\"]([^'\"]+)['\"]\)")


def _bound(value: Any, strict: bool, low: bool) -> str:  # noqa: ANN401 - a yml scalar
    if low:
        return f"{'>' if strict else '≥'} {value}"
    return f"{'<' if strict else '≤'} {value}"


def _range(column: str, kwargs: Mapping[str, Any]) -> str:
    strict = kwargs.get("inclusive") is False
    bounds = [
        _bound(kwargs[name], strict, low=name == "min_value")
        for name in ("min_value", "max_value")
        if kwargs.get(name) is not None
    ]
    return f"`{column}` is {' and '.join(bounds)} where not null"


def _ref_name(text: str) -> str:
    match = _REF.search(text)
    return match[1] if match else text


def describe_generic_test(test: Mapping[str, Any]) -> str | None:
    """The rule of a generic test node of the manifest in one sentence; None if unknown."""
    meta = test.get("test_metadata") or {}
    kwargs: Mapping[str, Any] = meta.get("kwargs") or {}
    column = kwargs.get("column_name") or test.get("column_name")
    name = meta.get("name")
    if name == "not_null":
        sentence = f"`{column}` is never null"
    elif name == "unique":
        sentence = f"`{column}` is unique"
    elif name == "unique_combination":
        sentence = "one row per " + ", ".join(f"`{c}`" for c in kwargs["combination_of_columns"])
    elif name == "accepted_values":
        values = ", ".join(f"`{v}`" for v in kwargs["values"])
        sentence = f"`{column}` is one of {values}"
    elif name == "accepted_range":
        sentence = _range(str(column), kwargs)
    elif name == "relationships":
        sentence = f"every `{column}` exists in {_ref_name(str(kwargs['to']))}.`{kwargs['field']}`"
    else:
        return None
    config = test.get("config") or {}
    if config.get("where"):
        sentence += f" (rows where {config['where']})"
    if str(config.get("severity", "")).lower() == "warn":
        sentence += "; warns, does not fail the build"
    return sentence[0].upper() + sentence[1:] + "."


def test_description(test: Mapping[str, Any]) -> str | None:
    """The test's own description, else the sentence derived from its definition."""
    return test.get("description") or describe_generic_test(test)
