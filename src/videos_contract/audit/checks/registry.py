"""The registry of behaviour checks: each check registers under its function name."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType

from videos_contract.audit.context import CheckContext

__all__ = ["CHECKS", "BehaviourCheck", "CheckFunction", "arrange", "check"]


CheckFunction = Callable[[CheckContext], None]


@dataclass(frozen=True)
class BehaviourCheck:
    """A registered check: its name (the claim), the operation it is about, the function."""

    name: str
    operation: str
    function: CheckFunction
    billed: bool
    # The claim is about every operation (reported under `operation`): an operation the user
    # says is absent is left out of it, not the whole check.
    every_operation: bool = False


CHECKS: dict[str, BehaviourCheck] = {}


def check(
    operation: str, *, billed: bool = False, every_operation: bool = False
) -> Callable[[CheckFunction], CheckFunction]:
    """Register a check under its function name; `billed` when it may create a billed job,
    `every_operation` when its claim covers every operation (it is filed under `operation`)."""

    def register(function: CheckFunction) -> CheckFunction:
        CHECKS[function.__name__] = BehaviourCheck(
            function.__name__, operation, function, billed, every_operation
        )
        return function

    return register


def arrange(*modules: ModuleType) -> None:
    """Put `CHECKS` in run order: the checks of `modules` in the order of `modules`, each
    module's in the order it defines them; any other check after them, as registered."""
    rank = {module.__name__: place for place, module in enumerate(modules)}

    def key(registered: BehaviourCheck) -> tuple[int, int]:
        place = rank.get(registered.function.__module__)
        if place is None:
            return len(rank), 0
        return place, registered.function.__code__.co_firstlineno

    ordered = sorted(CHECKS.values(), key=key)
    CHECKS.clear()
    CHECKS.update((registered.name, registered) for registered in ordered)
