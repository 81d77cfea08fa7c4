"""`[tool.backpropdoctor]` in pyproject.toml (or a `--config` file): a course's settings in one place.

An instructor's CI gate needs the same settings on every run: which rules
count, how severe they are, the tolerances, the timeout, the points each
check is worth on Gradescope, and what the model file in a submission
directory is called. Command-line options override the file.
"""

from __future__ import annotations

import difflib
import os
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .sandbox import Sandbox

SEVERITY_NAMES = ("error", "warning", "info")


class ConfigError(ValueError):
    """The configuration file is wrong; the message says where and what was expected."""


@dataclass
class Config:
    timeout: float = 60.0
    seed: int = 0
    jobs: int = 0  # 0: the number of cores
    fix: bool = True
    fail_on: str = "error"
    model_file: str | None = None  # None: model.py, else the only .py or .ipynb file in the directory
    adapter: str | None = None  # None: detected from each file
    memory_mb: int = 4096
    pass_env: list[str] = field(default_factory=list)
    isolate_network: bool = True  # a fresh network namespace and no TCP, where the kernel allows
    confine_files: bool = True  # Landlock: read Python and the submission, write only its copy
    select: list[str] | None = None  # rules to report (None: all)
    ignore: list[str] = field(default_factory=list)
    severity: dict[str, str] = field(default_factory=dict)
    tolerance: dict[str, float] = field(default_factory=dict)  # "float64"/"float32" -> relative tolerance
    points: dict[str, float] = field(default_factory=dict)  # check, rule or group -> points (Gradescope)
    source: str | None = None  # the file these settings came from

    def sandbox(self) -> "Sandbox":
        """The child's confinement these settings ask for."""
        from .sandbox import Sandbox

        return Sandbox(memory_mb=self.memory_mb, pass_env=tuple(self.pass_env), isolate_network=self.isolate_network,
                       confine_filesystem=self.confine_files)

    def enabled(self, rule: str) -> bool:
        return (self.select is None or rule in self.select) and rule not in self.ignore


_KEYS = {f.name.replace("_", "-"): f for f in fields(Config) if f.name != "source"}


def find_pyproject(start: Path) -> Path | None:
    """The nearest pyproject.toml at or above `start` that has a [tool.backpropdoctor] table."""
    for directory in [start, *start.parents]:
        candidate = directory / "pyproject.toml"
        if candidate.is_file():
            try:
                if "backpropdoctor" in _read(candidate).get("tool", {}):
                    return candidate
            except ConfigError:
                return candidate  # broken: let load() say how
    return None


def load(path: Path | None = None, start: Path | None = None) -> Config:
    """Settings from `path` (a pyproject.toml or a plain TOML file), else the nearest pyproject.toml."""
    if path is None:
        path = find_pyproject(start or Path.cwd())
        if path is None:
            return Config()
    if not path.is_file():
        raise ConfigError(f"{path}: no such configuration file")
    data = _read(path)
    table = data.get("tool", {}).get("backpropdoctor", {}) if path.name == "pyproject.toml" else \
        data.get("tool", {}).get("backpropdoctor", data)
    return parse(table, str(path))


def parse(table: dict[str, Any], source: str = "configuration") -> Config:
    from .rules import catalogue, is_input_rule

    config = Config(source=source)
    where = f"{source}: [tool.backpropdoctor]"
    for key, value in table.items():
        spec = _KEYS.get(key)
        if spec is None:
            close = difflib.get_close_matches(key, list(_KEYS), n=1)
            raise ConfigError(f"{where} has an unknown key {key!r}" + (f"; did you mean {close[0]!r}?" if close else
                                                                        f"; known keys: {', '.join(_KEYS)}"))
        setattr(config, spec.name, _typed(key, value, getattr(config, spec.name), where))
    rules = catalogue()
    named = {f"{k}": v for k, v in [("select", config.select or []), ("ignore", config.ignore),
                                    ("severity", list(config.severity))]}
    for key, names in named.items():
        for name in names:
            if name not in rules:
                close = difflib.get_close_matches(name, list(rules), n=1)
                raise ConfigError(f"{where} {key}: no rule named {name!r}" + (f"; did you mean {close[0]!r}?"
                                                                               if close else ""))
            if key != "select" and is_input_rule(rules[name]):
                raise ConfigError(f"{where} {key}: {name!r} means the file could not be checked at all; "
                                  "it cannot be ignored or made milder")
    for name, level in config.severity.items():
        if level not in SEVERITY_NAMES:
            raise ConfigError(f"{where} severity.{name} must be one of {', '.join(SEVERITY_NAMES)}, not {level!r}")
    for name, tol in config.tolerance.items():
        if name not in ("float64", "float32") or not 0 < float(tol) < 1:
            raise ConfigError(f"{where} tolerance: expected float64 = <rel tol> and/or float32 = <rel tol>, "
                              f"each between 0 and 1; got {name} = {tol!r}")
    from .adapter_names import ADAPTER_NAMES

    if config.adapter is not None and config.adapter not in ADAPTER_NAMES:
        raise ConfigError(f"{where} adapter: no adapter named {config.adapter!r}; choose one of "
                          f"{', '.join(ADAPTER_NAMES)}")
    if config.fail_on not in ("error", "warning"):
        raise ConfigError(f"{where} fail-on must be \"error\" or \"warning\", not {config.fail_on!r}")
    if config.timeout <= 0 or config.jobs < 0 or config.memory_mb < 256:
        raise ConfigError(f"{where}: timeout must be positive, jobs 0 or more, memory-mb at least 256")
    return config


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return max(1, os.cpu_count() or 1)


def _read(path: Path) -> dict[str, Any]:
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from None


def _typed(key: str, value: Any, default: Any, where: str) -> Any:
    """Check a value against the type of the setting's default."""
    if key in ("model-file", "adapter"):
        expected: tuple[type, ...] = (str,)
    elif key == "select":
        expected = (list,)
    elif isinstance(default, bool):
        expected = (bool,)
    elif isinstance(default, float):
        expected = (int, float)
    else:
        expected = (type(default),)
    if isinstance(value, bool) and bool not in expected or not isinstance(value, expected):
        raise ConfigError(f"{where} {key} should be {' or '.join(t.__name__ for t in expected)}, "
                          f"not {type(value).__name__} ({value!r})")
    if isinstance(value, list) and not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where} {key} should be a list of strings")
    if isinstance(value, dict):
        kind = str if key == "severity" else (int, float)
        bad = [k for k, v in value.items() if not isinstance(v, kind) or isinstance(v, bool)]
        if bad:
            raise ConfigError(f"{where} {key}.{bad[0]} has the wrong type ({value[bad[0]]!r})")
    return float(value) if expected == (int, float) else value
