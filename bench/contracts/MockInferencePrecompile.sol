// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ModelOutput, TensorLib} from "../../contracts/src/OGTypes.sol";

/// What a user would do without the devnet: a hand-written stand-in for the inference
/// precompile, placed at 0x…F4 on anvil, that returns a fixed output and runs no model.
contract MockInferencePrecompile {
    fallback(bytes calldata) external returns (bytes memory) {
        TensorLib.Number[] memory values = new TensorLib.Number[](1);
        values[0] = TensorLib.Number(330425, 2);
        uint32[] memory shape = new uint32[](1);
        shape[0] = 1;
        TensorLib.MultiDimensionalNumberTensor[] memory numbers = new TensorLib.MultiDimensionalNumberTensor[](1);
        numbers[0] = TensorLib.MultiDimensionalNumberTensor("price", values, shape);
        return abi.encode(
            ModelOutput(numbers, new TensorLib.StringTensor[](0), new TensorLib.JsonScalar[](0), false)
        );
    }
}
