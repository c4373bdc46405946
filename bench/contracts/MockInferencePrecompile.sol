// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {JsonScalar, ModelOutput, Number, NumberTensor, StringTensor} from "../../contracts/src/OGTypes.sol";

/// What a user would do without the devnet: a hand-written stand-in for the inference
/// precompile, placed at 0x…F4 on anvil, that returns a fixed output and runs no model.
contract MockInferencePrecompile {
    fallback(bytes calldata) external returns (bytes memory) {
        Number[] memory values = new Number[](1);
        values[0] = Number(330425, 2);
        uint32[] memory shape = new uint32[](1);
        shape[0] = 1;
        NumberTensor[] memory numbers = new NumberTensor[](1);
        numbers[0] = NumberTensor("price", values, shape);
        return abi.encode(ModelOutput(numbers, new StringTensor[](0), new JsonScalar[](0), false));
    }
}
