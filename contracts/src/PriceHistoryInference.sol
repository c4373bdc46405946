// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {HistoricalInputQuery, JsonScalar, ModelOutput, NumberTensor, OG, StringTensor} from "./OGTypes.sol";
import {IHistoricalPrecompile} from "./IHistoricalPrecompile.sol";

/// A price-feed workflow with the ABI of the network's "PriceHistoryInference": each run
/// feeds the latest candles of a pair to a model and keeps the result.
///
/// Cheap in an interpreted EVM: the precompile call data is built once, in the constructor;
/// results are kept as the precompile's ABI bytes and returned as they are, never decoded.
contract PriceHistoryInference {
    address public constant historicalContract = OG.HISTORICAL_PRECOMPILE;

    string public modelId;
    string public inputName;
    HistoricalInputQuery public inputQuery;

    bytes private runCalldata;
    bytes[] private results; // abi.encode(ModelOutput) of every run, oldest first

    event InferenceResultEmitted(address indexed caller, ModelOutput result);

    constructor(string memory _modelId, string memory _inputName, HistoricalInputQuery memory _query) {
        modelId = _modelId;
        inputName = _inputName;
        inputQuery = _query;
        runCalldata = abi.encodeCall(IHistoricalPrecompile.runInferenceOnPriceFeed, (_modelId, _inputName, _query));
    }

    /// Run the model on the latest candles and store the result.
    function run() external {
        (bool ok, bytes memory ret) = historicalContract.call(runCalldata);
        if (!ok) {
            assembly ("memory-safe") {
                revert(add(ret, 32), mload(ret))
            }
        }
        results.push(ret);
        bytes32 topic = InferenceResultEmitted.selector;
        assembly ("memory-safe") {
            log2(add(ret, 32), mload(ret), topic, caller())
        }
    }

    function resultCount() external view returns (uint256) {
        return results.length;
    }

    /// The latest result; an all-empty ModelOutput before the first run.
    function getInferenceResult() external view returns (ModelOutput memory) {
        uint256 n = results.length;
        bytes memory raw = n == 0 ? _empty() : results[n - 1];
        assembly ("memory-safe") {
            return(add(raw, 32), mload(raw))
        }
    }

    /// The `num` most recent results (fewer if fewer exist), most recent first.
    function getLastInferenceResults(uint256 num) external view returns (ModelOutput[] memory) {
        uint256 total = results.length;
        uint256 k = num < total ? num : total;
        bytes[] memory items = new bytes[](k);
        uint256 size = 64 + 32 * k;
        for (uint256 i = 0; i < k; i++) {
            items[i] = results[total - 1 - i];
            size += items[i].length - 32;
        }
        // ModelOutput[] encoding: 0x20, k, k offsets, then each element's tuple encoding.
        // A stored blob is 0x20 followed by the tuple, whose offsets are tuple-relative.
        assembly ("memory-safe") {
            let p := mload(0x40)
            mstore(p, 0x20)
            mstore(add(p, 32), k)
            let heads := add(p, 64)
            let tail := add(heads, mul(32, k))
            let off := mul(32, k)
            for { let i := 0 } lt(i, k) { i := add(i, 1) } {
                let item := mload(add(items, add(32, mul(32, i))))
                let len := sub(mload(item), 32)
                mstore(add(heads, mul(32, i)), off)
                mcopy(tail, add(item, 64), len)
                tail := add(tail, len)
                off := add(off, len)
            }
            return(p, size)
        }
    }

    function _empty() private pure returns (bytes memory) {
        return abi.encode(
            ModelOutput(new NumberTensor[](0), new StringTensor[](0), new JsonScalar[](0), false)
        );
    }
}
