"""A sequential runner for Rasa's prediction graphs: ``DaskGraphRunner.run`` without dask.

Rasa 3.6 runs its graphs (the NLU graph for every message, the policy graph for every predicted
action) with ``dask.get``: for each run it builds a dask graph, orders it (``dask.order``) and
walks it with dask's local scheduler, all on the Sanic event loop. For our small graphs that
bookkeeping cost about as much as the graph's nodes (py-spy, docs/load_benchmark.md).

``SequentialGraphRunner.run`` returns exactly what ``DaskGraphRunner.run`` returns, with the same
exceptions: the first run for a set of targets and input names runs dask itself on a copy of the
graph whose tasks only record the order in which dask calls them (dask's order depends only on
the graph's keys and edges, never on the values). Each run then calls the same ``GraphNode``
objects in that order with the arguments dask would give them: the ``(name, output)`` of each
need that is a key of the graph, the need's name itself otherwise, and every input as
``(input_name, value)``. A ``RuntimeError`` is wrapped in ``GraphRunError`` as Rasa does; every
other exception propagates unchanged, as with dask's synchronous scheduler. Whatever the dry run
cannot order (e.g. a target that is not in the graph) is left to ``DaskGraphRunner.run``.

Only the prediction graph uses this runner (``bot/rasa_patches.py`` installs it in
``rasa.core.processor``); training (``rasa.model_training``) keeps ``DaskGraphRunner``.
"""

from __future__ import annotations

import logging
from typing import Any

from dask.local import get_sync  # what DaskGraphRunner's dask.get is
from rasa.engine.exceptions import GraphRunError
from rasa.engine.runner.dask import DaskGraphRunner

# Rasa's runner logs under its module's name; so does this one.
logger = logging.getLogger("rasa.engine.runner.dask")

# A node to run: its name and, per argument, (need, True) for a key of the graph (its value) or
# (need, False) for a name dask passes as it is.
_Step = tuple[str, tuple[tuple[str, bool], ...]]
# (targets, input names) -> the steps in dask's order, or None: leave that run to dask.
_PlanKey = tuple[tuple[str, ...], tuple[str, ...]]


class _Recorder:
    """A stand-in task for the dry run: records that dask called it, returns ``(name, None)``."""

    def __init__(self, name: str, calls: list[str]) -> None:
        self.name = name
        self.calls = calls

    def __call__(self, *args: Any) -> tuple[str, None]:
        self.calls.append(self.name)
        return self.name, None


class SequentialGraphRunner(DaskGraphRunner):
    """``DaskGraphRunner`` whose ``run`` calls the nodes directly in dask's order."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._plans: dict[_PlanKey, list[_Step] | None] = {}
        self._node_names: dict[tuple[str, ...], frozenset[str]] = {}

    def _plan(self, run_targets: list[str], input_names: tuple[str, ...]) -> list[_Step] | None:
        key = (tuple(run_targets), input_names)
        if key in self._plans:
            return self._plans[key]
        minimal_schema = self._graph_schema.minimal_graph_schema(run_targets)
        calls: list[str] = []
        needs = {name: tuple(node.needs.values()) for name, node in minimal_schema.nodes.items()}
        dry_graph: dict[str, Any] = {
            name: (_Recorder(name, calls), *node_needs) for name, node_needs in needs.items()
        }
        for input_name in input_names:
            dry_graph[input_name] = (input_name, None)
        plan: list[_Step] | None
        try:
            get_sync(dry_graph, run_targets)
        except Exception:  # noqa: BLE001 - anything unusual: the real run goes through dask
            plan = None
        else:
            keys = set(dry_graph)
            plan = [(name, tuple((need, need in keys) for need in needs[name])) for name in calls]
            if sorted(calls) != sorted(n for n in needs if n not in input_names):
                plan = None  # dask skipped or repeated a node: not a plain run, let dask do it
        self._plans[key] = plan
        return plan

    def run(
        self,
        inputs: dict[str, Any] | None = None,
        targets: list[str] | None = None,
    ) -> dict[str, Any]:
        """Runs the graph (see ``GraphRunner.run``); the same result as ``DaskGraphRunner``."""
        run_targets = targets if targets else self._graph_schema.target_names
        input_names = tuple(inputs) if inputs else ()
        plan = self._plan(run_targets, input_names)
        if plan is None:
            return super().run(inputs, targets)

        values: dict[str, Any] = {}
        node_names = self._plan_node_names(run_targets)
        if inputs:
            for input_name, input_value in inputs.items():
                # DaskGraphRunner._add_inputs_to_graph: the graph's keys so far are the nodes
                # and the inputs added before this one.
                if isinstance(input_value, str) and (
                    input_value in node_names or input_value in values
                ):
                    raise GraphRunError(
                        f"Input value '{input_value}' clashes with a node name. Make sure "
                        f"that none of the input names passed to the `run` method are the "
                        f"same as node names in the graph schema."
                    )
                values[input_name] = (input_name, input_value)

        if logger.isEnabledFor(logging.DEBUG):
            logger.debug(
                f"Running graph with inputs: {inputs}, targets: {targets} "
                f"and {self._execution_context}."
            )

        try:
            nodes = self._instantiated_nodes
            for name, args in plan:
                values[name] = nodes[name](
                    *[values[need] if is_key else need for need, is_key in args]
                )
            return dict(values[target] for target in run_targets)
        except RuntimeError as e:
            raise GraphRunError("Error running runner.") from e

    def _plan_node_names(self, run_targets: list[str]) -> frozenset[str]:
        """The node names of the minimal schema for ``run_targets`` (cached)."""
        key = tuple(run_targets)
        names = self._node_names.get(key)
        if names is None:
            names = frozenset(self._graph_schema.minimal_graph_schema(run_targets).nodes)
            self._node_names[key] = names
        return names
