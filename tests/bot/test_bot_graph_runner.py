"""``bot.graph_runner.SequentialGraphRunner`` gives what Rasa's ``DaskGraphRunner`` gives: the same
outputs, the nodes called in the same order with the same inputs, the same exceptions; on a small
graph of real ``GraphComponent``s and on the trained model's prediction graph."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from rasa.engine.exceptions import GraphComponentException, GraphRunError
from rasa.engine.graph import ExecutionContext, GraphComponent, GraphSchema, SchemaNode
from rasa.engine.runner.dask import DaskGraphRunner
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.shared.exceptions import RasaException

from bot.graph_runner import SequentialGraphRunner

# (node, the inputs it received) for every call, in call order.
CALLS: list[tuple[str, dict[str, Any]]] = []


class RasaRuntimeError(RasaException, RuntimeError):
    """Passes through ``GraphNode`` unwrapped (a ``RasaException``); a ``RuntimeError``, so the
    runner wraps it in ``GraphRunError``."""


class Step(GraphComponent):
    """Records its call; its output names the node and everything it was given."""

    @classmethod
    def create(cls, config: dict[str, Any], *args: Any, **kwargs: Any) -> Step:
        return cls(config)

    def __init__(self, config: dict[str, Any]) -> None:
        self.name = config["name"]
        self.fail = config.get("fail")

    def run(self, **inputs: Any) -> Any:
        CALLS.append((self.name, inputs))
        if self.fail == "runtime":
            raise RuntimeError("boom")
        if self.fail == "rasa-runtime":
            raise RasaRuntimeError("boom")
        if self.fail == "value":
            raise ValueError("bad")
        return {"node": self.name, "from": {k: inputs[k] for k in sorted(inputs)}}


def node(name: str, needs: dict[str, str], **config: Any) -> SchemaNode:
    return SchemaNode(
        needs=needs,
        uses=Step,
        constructor_name="create",
        fn="run",
        config={"name": name, **config},
        eager=True,
    )


def schema(**extra: SchemaNode) -> GraphSchema:
    """A graph with fan-out, a diamond, independent branches, two targets and a node that only
    an input feeds; node names out of alphabetical order, so that a sorted or naive order
    differs from dask's."""
    nodes = {
        "z_root": node("z_root", {"message": "__message__"}),
        "b_left": node("b_left", {"x": "z_root"}),
        "a_right": node("a_right", {"x": "z_root", "tracker": "__tracker__"}),
        "m_join": node("m_join", {"left": "b_left", "right": "a_right"}),
        "c_side": node("c_side", {"message": "__message__"}),
        "y_side2": node("y_side2", {"x": "c_side"}),
        "target1": node("target1", {"joined": "m_join", "side": "y_side2"}),
        "target2": node("target2", {"side": "c_side", "root": "z_root"}),
        "unused": node("unused", {"x": "target1"}),
    }
    nodes.update(extra)
    return GraphSchema(nodes)


def runners(graph: GraphSchema, tmp_path: Path) -> tuple[DaskGraphRunner, SequentialGraphRunner]:
    storage = LocalModelStorage(tmp_path)
    context = ExecutionContext(graph_schema=graph)
    return (
        DaskGraphRunner.create(graph, storage, context),
        SequentialGraphRunner.create(graph, storage, context),
    )


def outcome(run: Callable[[], Any]) -> tuple[Any, list[tuple[str, dict[str, Any]]]]:
    """What a run returned (or raised: type, message, cause) and the calls it made."""
    CALLS.clear()
    try:
        result: Any = run()
    except Exception as e:  # noqa: BLE001 - compared between the runners
        result = (type(e), str(e), type(e.__cause__), str(e.__cause__))
    calls = copy.deepcopy(CALLS)
    CALLS.clear()
    return result, calls


RUNS: list[tuple[dict[str, Any] | None, list[str] | None]] = [
    ({"__message__": ["hej"], "__tracker__": "tracker-1"}, ["target1"]),
    ({"__message__": ["hej"], "__tracker__": "tracker-1"}, ["target2", "target1"]),
    ({"__tracker__": "tracker-1", "__message__": ["hej"]}, ["target1", "target2"]),
    ({"__message__": ["hej"], "__tracker__": "tracker-1"}, None),  # the schema's targets
    ({"__message__": ["hej"]}, ["target2"]),  # a target that does not need the tracker
    ({"__message__": ["hej"]}, ["target1"]),  # the tracker missing: GraphRunError
    ({"__message__": ["hej"], "__tracker__": "tracker-1", "extra": 1}, ["target1"]),
    ({"__message__": ["hej"], "b_left": "given"}, ["target2"]),  # an input replaces a node
    ({"__message__": ["hej"], "__tracker__": "z_root"}, ["target1"]),  # clashes: GraphRunError
    ({"__message__": ["hej"], "__tracker__": "t"}, ["__message__"]),  # an input as the target
    ({"__message__": ["hej"]}, ["no_such_node"]),  # unknown target: dask's own error
    (None, ["target2"]),
]


@pytest.mark.parametrize("inputs,targets", RUNS)
def test_same_outputs_calls_and_errors_as_dask(
    inputs: dict[str, Any] | None, targets: list[str] | None, tmp_path: Path
) -> None:
    dask_runner, sequential = runners(schema(), tmp_path)
    expected = outcome(lambda: dask_runner.run(inputs, targets))
    assert outcome(lambda: sequential.run(inputs, targets)) == expected
    # the second run uses the cached plan and gives the same again
    assert outcome(lambda: sequential.run(inputs, targets)) == expected


def test_the_order_is_dasks_and_not_trivial(tmp_path: Path) -> None:
    dask_runner, sequential = runners(schema(), tmp_path)
    inputs = {"__message__": ["hej"], "__tracker__": "t"}
    _, dask_calls = outcome(lambda: dask_runner.run(inputs, ["target1", "target2"]))
    _, calls = outcome(lambda: sequential.run(inputs, ["target1", "target2"]))
    order = [name for name, _ in calls]
    assert order == [name for name, _ in dask_calls]
    assert "unused" not in order
    assert order != sorted(order)
    received = dict(calls)
    assert received["m_join"]["left"]["node"] == "b_left"
    assert received["a_right"]["tracker"] == "t"
    assert received["z_root"]["message"] == ["hej"]


@pytest.mark.parametrize(
    "fail,error",
    [
        ("rasa-runtime", GraphRunError),
        ("runtime", GraphComponentException),
        ("value", GraphComponentException),
    ],
)
def test_a_failing_node_fails_the_run_as_with_dask(
    fail: str, error: type[Exception], tmp_path: Path
) -> None:
    graph = schema(b_left=node("b_left", {"x": "z_root"}, fail=fail))
    dask_runner, sequential = runners(graph, tmp_path)
    inputs = {"__message__": ["hej"], "__tracker__": "t"}
    expected = outcome(lambda: dask_runner.run(inputs, ["target1"]))
    assert expected[0][0] is error
    assert outcome(lambda: sequential.run(inputs, ["target1"])) == expected


MODEL = Path(__file__).resolve().parents[2] / "models" / "kk.tar.gz"


@pytest.mark.skipif(not MODEL.is_file(), reason="no trained model (models/kk.tar.gz)")
def test_the_trained_model_predicts_the_same(tmp_path: Path) -> None:
    """The model's NLU graph on a few messages and its policy graph on the trackers they give:
    the same parse and the same prediction from both runners (one instance, so the same
    components)."""
    from rasa.core.channels.channel import UserMessage
    from rasa.engine import loader
    from rasa.shared.core.constants import ACTION_LISTEN_NAME
    from rasa.shared.core.events import ActionExecuted, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker
    from rasa.shared.nlu.constants import TEXT
    from rasa.shared.nlu.training_data.message import Message

    metadata, runner = loader.load_predict_graph_runner(
        tmp_path, MODEL, LocalModelStorage, SequentialGraphRunner
    )
    assert isinstance(runner, SequentialGraphRunner)
    nlu, core = metadata.nlu_target, metadata.core_target
    texts = ["hej", "hvornår får jeg min løn?", "jeg vil gerne klage", "tak for hjælpen"]
    tracker = DialogueStateTracker.from_events("test", [], slots=metadata.domain.slots)
    for text in texts:
        parsed = []
        for run in (runner.run, lambda **kw: DaskGraphRunner.run(runner, **kw)):
            inputs = {
                "__message__": [UserMessage(text, sender_id="test")],
                "__tracker__": tracker,
            }
            result = run(inputs=inputs, targets=[nlu])
            assert set(result) == {nlu}
            message: Message = result[nlu][0]
            parsed.append(message.as_dict(only_output_properties=True))
        assert parsed[0] == parsed[1]
        assert parsed[0][TEXT] == text
        tracker.update(UserUttered(text, parse_data=parsed[0]))
        predictions = [
            run(inputs={"__tracker__": tracker}, targets=[core])[core]
            for run in (runner.run, lambda **kw: DaskGraphRunner.run(runner, **kw))
        ]
        assert predictions[0] == predictions[1]
        assert predictions[0].probabilities == predictions[1].probabilities
        assert predictions[0].policy_name == predictions[1].policy_name
        tracker.update(ActionExecuted(ACTION_LISTEN_NAME))


def test_the_server_predicts_with_it_and_training_keeps_dask() -> None:
    import rasa.core.processor
    import rasa.model_training

    import bot.channels  # noqa: F401  (installs the patches, as the Rasa server does)

    assert rasa.core.processor.DaskGraphRunner is SequentialGraphRunner
    assert rasa.model_training.DaskGraphRunner is DaskGraphRunner
