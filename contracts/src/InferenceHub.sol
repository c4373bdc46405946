// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ModelInput, ModelOutput} from "./OGTypes.sol";
import {IInferencePrecompile} from "./IInferencePrecompile.sol";

/// The inference hub, placed at 0x8383C9bD7462F12Eb996DD02F78234C0421A6FaE in genesis.
///
/// It is on every inference's hot path and the devnet's EVM is interpreted, so it forwards
/// bytes: `run`'s arguments (string, uint8, ModelInput) and the precompile's request tuple
/// (uint8, string, ModelInput) have the same 3-word head and byte-identical tails, so the
/// request is the call data with the first two head words swapped. The precompile's return
/// data is `abi.encode(ModelOutput)`, which is exactly the InferenceResult event's data.
/// No struct is decoded or re-encoded in Solidity.
contract InferenceHub {
    event InferenceResult(ModelOutput output);

    function run(string calldata modelId, uint8 inferenceMode, ModelInput calldata modelInput)
        external
        returns (ModelOutput memory)
    {
        modelId;
        modelInput;
        require(inferenceMode <= 2, "InferenceHub: unknown inference mode");
        bytes4 sel = IInferencePrecompile.runModelInference.selector;
        bytes32 topic = InferenceResult.selector;
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            mstore(ptr, sel)
            mstore(add(ptr, 4), 0x20) // offset of the request tuple
            mstore(add(ptr, 36), inferenceMode) // request.mode
            mstore(add(ptr, 68), calldataload(4)) // request.modelCID offset
            calldatacopy(add(ptr, 100), 68, sub(calldatasize(), 68)) // input offset + tails
            let ok := call(gas(), 0xF4, 0, ptr, add(calldatasize(), 32), 0, 0)
            let size := returndatasize()
            returndatacopy(ptr, 0, size)
            if iszero(ok) { revert(ptr, size) }
            log1(ptr, size, topic)
            return(ptr, size)
        }
    }
}
