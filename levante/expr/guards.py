"""Size checks made before an operation that could build a huge value.

The time limit cannot interrupt a single long C call (``'x' * 10**9``,
``10 ** 10**8``), so such operations are refused up front.
"""

from __future__ import annotations

import re

from levante.expr.limits import get_limits

MAX_POWER_BITS = 1 << 16
"""Largest integer power (in bits) an expression may compute."""

_DIGITS = re.compile(r"\d+")


class SizeLimitExceeded(Exception):
    """An operation would build a value larger than ``Limits`` allow."""


def check_size(size: int, what: str) -> None:
    """Refuse building ``what`` of about ``size`` bytes if over ``max_value_bytes``."""
    limit = get_limits().max_value_bytes
    if size > limit:
        raise SizeLimitExceeded(f"{what} would be about {size} bytes, over the limit of {limit}")


def check_format_widths(template: str) -> None:
    """Refuse a format string whose field widths or precisions exceed the size limit."""
    for digits in _DIGITS.findall(template):
        if len(digits) > 6:
            check_size(int(digits), "a formatted field")


def check_power(base: int, exponent: int) -> None:
    """Refuse ``base ** exponent`` when the result would exceed ``MAX_POWER_BITS``."""
    if abs(base) > 1 and exponent > 0 and base.bit_length() * exponent > MAX_POWER_BITS:
        raise SizeLimitExceeded(
            f"{base} ** {exponent} would be an integer of over {MAX_POWER_BITS} bits"
        )
