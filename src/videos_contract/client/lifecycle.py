"""What a model's family allows, checked before sending: its retirement date (a warning) and
its companion operations (remix and the download variants, refused before anything is sent).

The dates are the spec's (`x-video-families`: a family's `sunset`, a model's `retired`), each
from a source it names. A retired model is still sent, as asked: a server may keep serving
it for a while, and refusing it is the server's to decide. The warning says so once per call.
"""

from __future__ import annotations

import datetime
import warnings

from videos_contract.client.errors import VideosClientError
from videos_contract.families import families

__all__ = [
    "RetiredModelWarning",
    "UnsupportedOperationError",
    "check_operation",
    "retirement_notice",
    "today",
    "warn_if_retired",
]


class RetiredModelWarning(UserWarning):
    """A model past the retirement date the spec gives it was asked for."""


class UnsupportedOperationError(VideosClientError, ValueError):
    """The job's model family does not offer this operation (a remix, an image variant)."""


def check_operation(model: str | None, *, remix: bool = False, variant: str | None = None) -> None:
    """Refuse, before sending, a remix or a variant the family of `model` does not offer.

    `model` None (not known to the caller): nothing is checked, the server decides.
    """
    if model is None:
        return
    family = families().for_model(model)
    if remix and not family.remix:
        raise UnsupportedOperationError(
            f"{family.title} jobs ({model}) cannot be remixed (openapi.yaml, x-video-families)"
        )
    if variant is not None and variant not in family.variants:
        raise UnsupportedOperationError(
            f"variant={variant!r} is not available for {family.title} jobs ({model}); they "
            f"offer {', '.join(family.variants)}"
        )


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
