// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {HistoricalInputQuery, ModelOutput, TensorLib} from "./OGTypes.sol";

/// The historical price-feed precompile at 0x00000000000000000000000000000000000000F5, under the
/// name the network's workflow contract gives it (its `historicalContract()` is an OGHistorical).
interface OGHistorical {
    /// The last `total_candles` candles completed at or before the block's time, flattened
    /// row-major as [total_candles, candle_types.length].
    function queryHistoricalCandles(HistoricalInputQuery memory query) external returns (TensorLib.Number[] memory);

    /// Fetches the candles, builds the tensor `input_name` from them and runs the model.
    function runInferenceOnPriceFeed(string memory model_id, string memory input_name, HistoricalInputQuery memory query)
        external
        returns (ModelOutput memory);
}

/// The same interface under this project's naming of the precompile interfaces.
interface IHistoricalPrecompile is OGHistorical {}
