// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ModelInferenceMode, ModelInput, ModelOutput} from "./OGTypes.sol";

/// The inference hub at 0x8383C9bD7462F12Eb996DD02F78234C0421A6FaE: the ABI clients use.
interface IInferenceHub {
    /// The output of every `run`, logged from the hub's address.
    event InferenceResult(ModelOutput output);

    /// Run model `modelId` (its CID) on `modelInput` in mode VANILLA (0), ZKML (1) or TEE (2).
    function run(string calldata modelId, ModelInferenceMode inferenceMode, ModelInput calldata modelInput)
        external
        returns (ModelOutput memory);
}
