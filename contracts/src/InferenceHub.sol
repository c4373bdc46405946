// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IInferenceHub} from "./IInferenceHub.sol";
import {IInferencePrecompile} from "./IInferencePrecompile.sol";

/// The inference hub, placed at 0x8383C9bD7462F12Eb996DD02F78234C0421A6FaE in genesis (so no
/// constructor, no immutables, no storage). Its ABI is IInferenceHub's: build.js writes that
/// interface's ABI into this contract's artifact.
///
/// It is on every inference's hot path and the devnet's EVM is interpreted Python, so `run` is
/// dispatched by hand in the fallback (Solidity's dispatcher, calldata decoder and zeroed return
/// struct cost three times the opcodes of the forwarding itself) and it forwards bytes:
/// `run`'s arguments (string modelId, uint8 mode, ModelInput) and the precompile's request
/// tuple (uint8 mode, string modelCID, ModelInput) both have a 3-word head, and offsets are
/// relative to the head, so the tails are byte-identical and the request is the call data
/// with the first two head words swapped behind a 0x20 word. The precompile's return data is
/// `abi.encode(ModelOutput)`, which is exactly `InferenceResult`'s data and `run`'s return data.
/// The precompile decodes (and validates) the request; nothing is decoded here.
contract InferenceHub {
    fallback() external {
        bytes4 runSelector = IInferenceHub.run.selector;
        bytes4 requestSelector = IInferencePrecompile.runModelInference.selector;
        bytes32 resultTopic = IInferenceHub.InferenceResult.selector;
        bool isRun;
        uint256 mode;
        assembly ("memory-safe") {
            isRun := eq(shr(224, calldataload(0)), shr(224, runSelector))
            mode := calldataload(36)
        }
        if (!isRun) revert("InferenceHub: unknown function");
        if (msg.data.length < 100) revert("InferenceHub: call data too short");
        if (mode > 2) revert("InferenceHub: unknown inference mode");
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            mstore(ptr, requestSelector)
            mstore(add(ptr, 4), 0x20) // offset of the request tuple
            mstore(add(ptr, 36), mode) // request.mode
            mstore(add(ptr, 68), calldataload(4)) // request.modelCID: modelId's offset
            calldatacopy(add(ptr, 100), 68, sub(calldatasize(), 68)) // input offset, tails
            let ok := call(gas(), 0xF4, 0, ptr, add(calldatasize(), 32), 0, 0)
            let size := returndatasize()
            returndatacopy(ptr, 0, size)
            if iszero(ok) { revert(ptr, size) } // the precompile's reason, verbatim
            log1(ptr, size, resultTopic)
            return(ptr, size)
        }
    }
}
