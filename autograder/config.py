"""The instructor configuration: the grading seed that draws every hidden check's inputs.

It lives in ``instructor/grading.toml`` (or a file given with ``--config``, or the
``OPTGRADE_SEED`` environment variable) and is never shipped in the student kit.
"""
from __future__ import annotations

import os
import tomllib
from pathlib import Path

DEFAULT_CONFIG = Path("instructor/grading.toml")
# Written into the copy of this package inside an Otter autograder zip (never into the kit).
PACKAGED_CONFIG = Path(__file__).with_name("instructor_seed.toml")


class ConfigError(ValueError):
    """The instructor configuration is missing or unusable (the message says what to do)."""


def grading_seed(config: Path | None = None) -> int:
    """The grading seed: $OPTGRADE_SEED, else ``seed`` of the config file (default: the packaged
    instructor_seed.toml inside an autograder zip, else instructor/grading.toml)."""
    if os.environ.get("OPTGRADE_SEED"):
        try:
            return int(os.environ["OPTGRADE_SEED"])
        except ValueError:
            raise ConfigError(f"OPTGRADE_SEED must be an integer, not {os.environ['OPTGRADE_SEED']!r}") from None
    path = config or (PACKAGED_CONFIG if PACKAGED_CONFIG.is_file() else DEFAULT_CONFIG)
    if not path.is_file():
        raise ConfigError(f"{path}: no instructor configuration; hidden checks need its grading seed "
                          "(create it with a line 'seed = <integer>' or set OPTGRADE_SEED)")
    try:
        data = tomllib.loads(path.read_text())
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from None
    seed = data.get("seed")
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        raise ConfigError(f"{path}: 'seed' must be a non-negative integer")
    return seed
