// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ModelInferenceRequest, ModelOutput} from "./OGTypes.sol";

/// The inference precompile at 0x00000000000000000000000000000000000000F4.
interface IInferencePrecompile {
    /// Logged by the precompile (from its own address) for every inference in a transaction.
    event ModelInferenceEvent(string inferenceID, ModelInferenceRequest request, ModelOutput response);

    function runModelInference(ModelInferenceRequest memory request) external returns (ModelOutput memory);
}
