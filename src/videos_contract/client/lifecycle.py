"""Models past their retirement date: a warning when a helper is asked to use one.

The dates are the spec's (`x-video-families`: a family's `sunset`, a model's `retired`), each
from a source it names. A retired model is still sent, as asked: a server may keep serving
it for a while, and refusing it is the server's to decide. The warning says so once per call.
"""

from __future__ import annotations

import datetime
import warnings

from videos_contract.families import families

__all__ = ["RetiredModelWarning", "retirement_notice", "today", "warn_if_retired"]


class RetiredModelWarning(UserWarning):
    """A model past the retirement date the spec gives it was asked for."""


def today() -> str:
    """Today's date (UTC) as `YYYY-MM-DD`, the form of the spec's dates."""
    return datetime.datetime.now(datetime.UTC).date().isoformat()


def retirement_notice(model: str | None, on: str | None = None) -> str | None:
    """One line saying that `model` is retired, or None when it is not (or not listed)."""
    if not model:
        return None
    catalogue = families()
    date = catalogue.retired_on(model)
    if date is None or not catalogue.retired(model, on or today()):
        return None
    return (
        f"{model} was retired on {date} (openapi.yaml, x-video-families); a server may refuse "
        "it: choose a current model"
    )


def warn_if_retired(model: object) -> None:
    """Warn (`RetiredModelWarning`) when `model` is past its retirement date."""
    notice = retirement_notice(model if isinstance(model, str) else None)
    if notice is not None:
        warnings.warn(notice, RetiredModelWarning, stacklevel=3)
