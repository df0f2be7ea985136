"""The lab's five parts and their tasks, exactly as ../shared/spec/assignment-api.md names them.

Every other module (stub generation, checks, grading, reports) takes part names, file names,
task ids and function names from here, so they cannot drift apart.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Task:
    """One task of the contract: id ``P.T`` and the public functions it consists of."""

    id: str
    functions: tuple[str, ...]

    @property
    def label(self) -> str:
        """``1.6 gradient_descent``, the prefix of every check title of the task."""
        return f"{self.id} {', '.join(self.functions)}"


@dataclass(frozen=True)
class Part:
    """One part: a module ``<name>.py`` that a student submits on its own."""

    number: int
    name: str
    tasks: tuple[Task, ...]

    @property
    def filename(self) -> str:
        return f"{self.name}.py"


def _part(number: int, name: str, *functions_per_task: tuple[str, ...] | str) -> Part:
    tasks = tuple(
        Task(f"{number}.{i}", (fns,) if isinstance(fns, str) else tuple(fns))
        for i, fns in enumerate(functions_per_task, start=1)
    )
    return Part(number, name, tasks)


PARTS: tuple[Part, ...] = (
    _part(1, "descent", "chain_rule_example", "grad_double_well", "grad_rosenbrock",
          "grad_quadratic", "numerical_gradient", "gradient_descent", "lr_regime"),
    _part(2, "sgd", "minibatches", "sgd", "noisy_gd"),
    _part(3, "momentum", "momentum_init", "momentum_update", "nesterov_update", "run_momentum"),
    _part(4, "adaptive", "adagrad_norm", ("adagrad_init", "adagrad_update"),
          ("rmsprop_init", "rmsprop_update"), ("adam_init", "adam_update"), "minimize"),
    _part(5, "backprop", ("relu", "relu_grad"), "softmax", "cross_entropy", "init_params",
          "forward", "loss", "backward", "train", "accuracy"),
)

PART_NAMES: tuple[str, ...] = tuple(p.name for p in PARTS)
PARTS_BY_NAME: dict[str, Part] = {p.name: p for p in PARTS}
TASKS_BY_ID: dict[str, Task] = {t.id: t for p in PARTS for t in p.tasks}


def part_of_task(task_id: str) -> Part:
    """The part a task id belongs to (``"4.2"`` -> adaptive)."""
    return PARTS[int(task_id.split(".")[0]) - 1]
