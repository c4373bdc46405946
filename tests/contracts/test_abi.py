"""The artifacts' ABIs are the wire facts of alpha-wire.md: signatures, names, selectors."""

from __future__ import annotations

from typing import Any

import pytest

from tests.contracts.evm import (
    MODEL_INPUT,
    MODEL_OUTPUT,
    NUMBER,
    QUERY,
    REQUEST,
    TASK,
    Chain,
    artifact,
    code,
)


def type_of(param: dict[str, Any]) -> str:
    kind = param["type"]
    if kind.startswith("tuple"):
        return "(" + ",".join(type_of(c) for c in param["components"]) + ")" + kind[len("tuple") :]
    return kind


def signatures(name: str) -> dict[str, str]:
    """`kind name(inputs) -> (outputs)` of every entry, keyed by name."""
    out = {}
    for entry in artifact(name)["abi"]:
        args = []
        for p in entry.get("inputs", []):
            args.append(type_of(p) + (" indexed" if p.get("indexed") else ""))
        text = f"{entry['type']} {entry.get('name', '')}({','.join(args)})"
        if "outputs" in entry:
            text += " -> (" + ",".join(type_of(p) for p in entry["outputs"]) + ")"
        if entry["type"] == "function":
            text += " " + entry["stateMutability"]
        out[entry.get("name", entry["type"])] = text
    return out


EXPECTED = {
    "InferenceHub": {
        "run": f"function run(string,uint8,{MODEL_INPUT}) -> ({MODEL_OUTPUT}) nonpayable",
        "InferenceResult": f"event InferenceResult({MODEL_OUTPUT})",
    },
    "IInferencePrecompile": {
        "runModelInference": (
            f"function runModelInference({REQUEST}) -> ({MODEL_OUTPUT}) nonpayable"
        ),
        "ModelInferenceEvent": f"event ModelInferenceEvent(string,{REQUEST},{MODEL_OUTPUT})",
    },
    "IHistoricalPrecompile": {
        "queryHistoricalCandles": (
            f"function queryHistoricalCandles({QUERY}) -> ({NUMBER}[]) nonpayable"
        ),
        "runInferenceOnPriceFeed": (
            f"function runInferenceOnPriceFeed(string,string,{QUERY}) -> ({MODEL_OUTPUT})"
            " nonpayable"
        ),
    },
    "PriceHistoryInference": {
        "constructor": f"constructor (string,string,{QUERY})",
        "run": "function run() -> () nonpayable",
        "getInferenceResult": f"function getInferenceResult() -> ({MODEL_OUTPUT}) view",
        "getLastInferenceResults": (
            f"function getLastInferenceResults(uint256) -> ({MODEL_OUTPUT}[]) view"
        ),
        "historicalContract": "function historicalContract() -> (address) view",
        "modelId": "function modelId() -> (string) view",
        "inputName": "function inputName() -> (string) view",
        "inputQuery": "function inputQuery() -> (string,string,uint32,uint32,uint8) view",
        "InferenceResultEmitted": (f"event InferenceResultEmitted(address indexed,{MODEL_OUTPUT})"),
    },
    "WorkflowScheduler": {
        "registerTask": "function registerTask(address,uint256,uint256) -> (uint256) nonpayable",
        "cancelTask": "function cancelTask(uint256) -> () nonpayable",
        "executeTask": "function executeTask(uint256) -> () nonpayable",
        "taskCount": "function taskCount() -> (uint256) view",
        "getTask": f"function getTask(uint256) -> ({TASK}) view",
        "getTasks": f"function getTasks(uint256,uint256) -> ({TASK}[]) view",
        "TaskRegistered": (
            "event TaskRegistered(uint256 indexed,address indexed,address indexed,uint256,uint256)"
        ),
        "TaskCancelled": "event TaskCancelled(uint256 indexed)",
        "TaskExecuted": "event TaskExecuted(uint256 indexed,uint256,bool,bytes)",
        "TaskCompleted": "event TaskCompleted(uint256 indexed)",
    },
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_abi_is_the_wire_abi(name: str) -> None:
    assert signatures(name) == EXPECTED[name]


def test_the_hub_abi_is_its_interface() -> None:
    assert artifact("InferenceHub")["abi"] == artifact("IInferenceHub")["abi"]


def _components(name: str, function: str, output: int = 0) -> dict[str, Any]:
    entry = next(e for e in artifact(name)["abi"] if e.get("name") == function)
    return entry["outputs"][output]


def _names(param: dict[str, Any]) -> list[Any]:
    if "components" not in param:
        return param["name"]
    return [param["name"], [_names(c) for c in param["components"]]]


def test_struct_field_names() -> None:
    output = _names(_components("InferenceHub", "run"))
    assert output == [
        "",
        [
            ["numbers", ["name", ["values", ["value", "decimals"]], "shape"]],
            ["strings", ["name", "values"]],
            ["jsons", ["name", "value"]],
            "is_simulation_result",
        ],
    ]
    run = next(e for e in artifact("InferenceHub")["abi"] if e.get("name") == "run")
    assert [p["name"] for p in run["inputs"]] == ["modelId", "inferenceMode", "modelInput"]
    assert _names(run["inputs"][2])[1] == [
        ["numbers", ["name", ["values", ["value", "decimals"]], "shape"]],
        ["strings", ["name", "values"]],
    ]
    ctor = next(e for e in artifact("PriceHistoryInference")["abi"] if e["type"] == "constructor")
    assert [p["name"] for p in ctor["inputs"]] == ["_modelId", "_inputName", "_query"]
    assert _names(ctor["inputs"][2])[1] == [
        "base",
        "quote",
        "total_candles",
        "candle_duration_in_mins",
        "order",
        "candle_types",
    ]
    getter = next(
        e for e in artifact("PriceHistoryInference")["abi"] if e.get("name") == "inputQuery"
    )
    assert [p["name"] for p in getter["outputs"]] == [
        "base",
        "quote",
        "total_candles",
        "candle_duration_in_mins",
        "order",
    ]
    task = _names(_components("WorkflowScheduler", "getTask"))[1]
    assert task == [
        "owner",
        "contractAddress",
        "endTime",
        "frequency",
        "nextRun",
        "runs",
        "failures",
        "active",
    ]


def test_compiler_settings_are_recorded() -> None:
    for name in EXPECTED:
        compiler = artifact(name)["compiler"]
        assert compiler["solc"].startswith("0.8.28+")
        assert (compiler["evmVersion"], compiler["optimizerRuns"]) == ("cancun", 200)


def test_interfaces_carry_no_bytecode() -> None:
    for name in ("IInferenceHub", "IInferencePrecompile", "IHistoricalPrecompile", "OGHistorical"):
        assert set(artifact(name)) == {"contractName", "abi", "compiler"}


@pytest.mark.parametrize("name", ["InferenceHub", "WorkflowScheduler"])
def test_genesis_contracts_need_no_constructor(name: str) -> None:
    """Placed in genesis as runtime code: deploying them runs nothing but the code copy, so
    the genesis account is exactly what a deployment would give."""
    assert not any(e["type"] == "constructor" for e in artifact(name)["abi"])
    chain = Chain({})
    receipt = chain.transact(None, code(name, deployed=False))
    assert receipt["status"] == 1
    assert chain.tester.get_code(receipt["contract_address"]) == "0x" + code(name).hex()
