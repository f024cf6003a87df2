"""A candidate's scenario: the composed scenario with only its decisions changed.

``tsim-plan`` needs the scenario of many candidates (checking the bounds' corners,
costing a unit, the analytic start, every evaluation). Composing each from the config
anew (OmegaConf's merge into the schema) costs most of a second; here the composed
scenario is loaded once per config and a candidate's decision keys are set on it
directly, then the candidate is validated and sealed like any scenario. Where a
decision could reach other keys through the config — an interpolation anywhere in the
config (``${mmc.servers}``) or a key of an app's own section — every candidate is
composed anew instead, so both ways give the same scenario (a test compares their
hashes).
"""

from __future__ import annotations

import copy
import dataclasses
import json
from collections.abc import Mapping
from typing import Any

from omegaconf import DictConfig, OmegaConf

from sim.config import Scenario, load_scenario
from sim.config.schema import sections
from sim.config.validation import validate
from sim.core.settings import seal

TOWNSHIP_STAFF = "county.township_staff."
_BASES: dict[str, Scenario | None] = {}  # the composed scenario by config content
_MAX_BASES = 8


def candidate_config(cfg: DictConfig, values: Mapping[str, Any]) -> DictConfig:
    """A copy of the composed config with the decision keys set and no plan."""
    out = copy.deepcopy(cfg)
    out.plan = None
    for key, value in values.items():
        OmegaConf.update(out, key, value, force_add=key.startswith(TOWNSHIP_STAFF))
    return out


def candidate_scenario(cfg: DictConfig, values: Mapping[str, Any]) -> Scenario:
    """The validated scenario of ``cfg`` with ``values`` (full keys: the decisions, and
    ``run.*`` keys the planner sets) — or :class:`~sim.config.ConfigError`.
    """
    base = _base(cfg)
    if base is None or any(k.split(".", 1)[0] in sections() for k in values):
        return load_scenario(candidate_config(cfg, values))
    s: Any = base
    try:
        for key, value in values.items():
            s = _with(s, key.split("."), value)
    except KeyError:  # not a key of the scenario: composing says so in one line
        return load_scenario(candidate_config(cfg, values))
    return seal(validate(s))


def _base(cfg: DictConfig) -> Scenario | None:
    """The composed scenario of ``cfg``, loaded once (None: a config with
    interpolations, whose candidates are composed anew).
    """
    tree = OmegaConf.to_container(cfg, resolve=False)
    assert isinstance(tree, dict)
    tree.pop("hydra", None)
    tree.pop("plan", None)
    text = json.dumps(tree, sort_keys=True, default=str)
    if text not in _BASES:
        if len(_BASES) >= _MAX_BASES:
            _BASES.pop(next(iter(_BASES)))
        _BASES[text] = None if "${" in text else load_scenario(candidate_config(cfg, {}))
    return _BASES[text]


def _with(node: Any, path: list[str], value: Any) -> Any:
    """A copy of ``node`` with the key at ``path`` set (a mapping gains a missing key,
    as the config's ``+key=value`` does); what it does not lead to is shared.
    """
    if not path:
        return value
    head, rest = path[0], path[1:]
    if dataclasses.is_dataclass(node) and not isinstance(node, type):
        if head not in {f.name for f in dataclasses.fields(node)}:
            raise KeyError(head)
        return dataclasses.replace(node, **{head: _with(getattr(node, head), rest, value)})
    if isinstance(node, Mapping):
        return {**node, head: _with(node.get(head, {}), rest, value)}
    raise KeyError(head)
