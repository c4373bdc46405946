// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IInferencePrecompile} from "og/IInferencePrecompile.sol";
import {ModelInferenceRequest, ModelInput, ModelOutput, TensorLib, OG} from "og/OGTypes.sol";

/// Runs an ONNX model on chain through the inference precompile at 0x…F4 and keeps its
/// prediction. The model takes one float tensor "x" of shape [1, 3] and gives a number first
/// (fixtures/models/linear.onnx: y = x @ [0.5, -1.25, 2.0] + 0.1).
contract ModelCaller {
    /// The model's IPFS CID (`og model cid model.onnx`).
    string public modelCID; // slot 0
    /// The last prediction, value * 10**-decimals: both int128, packed in slot 1
    /// (value in the low 16 bytes, decimals in the high 16 bytes).
    int128 public lastValue;
    int128 public lastDecimals;
    /// How many predictions were made (slot 2).
    uint256 public predictions;

    event Predicted(address indexed caller, int128 value, int128 decimals);

    constructor(string memory cid) {
        modelCID = cid;
    }

    /// Runs the model on x = [x0, x1, x2] * 10**-decimals and stores the first output number.
    function predict(int128[3] calldata x, int128 decimals) external returns (int128 value, int128 outDecimals) {
        TensorLib.Number[] memory values = new TensorLib.Number[](3);
        for (uint256 i = 0; i < 3; i++) {
            values[i] = TensorLib.Number(x[i], decimals);
        }
        uint32[] memory shape = new uint32[](2);
        shape[0] = 1;
        shape[1] = 3;
        TensorLib.MultiDimensionalNumberTensor[] memory numbers = new TensorLib.MultiDimensionalNumberTensor[](1);
        numbers[0] = TensorLib.MultiDimensionalNumberTensor("x", values, shape);
        ModelInferenceRequest memory request =
            ModelInferenceRequest(OG.VANILLA, modelCID, ModelInput(numbers, new TensorLib.StringTensor[](0)));

        ModelOutput memory output = IInferencePrecompile(OG.INFERENCE_PRECOMPILE).runModelInference(request);
        require(output.numbers.length > 0 && output.numbers[0].values.length > 0, "model gave no number");
        TensorLib.Number memory y = output.numbers[0].values[0];

        lastValue = y.value;
        lastDecimals = y.decimals;
        predictions += 1;
        emit Predicted(msg.sender, y.value, y.decimals);
        return (y.value, y.decimals);
    }

    /// The last prediction as (value, decimals).
    function prediction() external view returns (int128 value, int128 decimals) {
        return (lastValue, lastDecimals);
    }
}
