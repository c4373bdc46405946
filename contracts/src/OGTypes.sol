// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// Shared types of the OpenGradient network (the ABI of alpha-wire.md), under the network's own
/// names (those of the official SDK's ABI files: TensorLib.Number, ModelInferenceMode, ...), so
/// the compiled ABIs equal the network's entry for entry. Import them in your own contracts to
/// call the precompiles at 0x…F4 and 0x…F5.

library TensorLib {
    /// value * 10**-decimals
    struct Number {
        int128 value;
        int128 decimals;
    }

    /// A numeric tensor: values flattened row-major, with its shape.
    struct MultiDimensionalNumberTensor {
        string name;
        Number[] values;
        uint32[] shape;
    }

    struct StringTensor {
        string name;
        string[] values;
    }

    /// A named JSON document.
    struct JsonScalar {
        string name;
        string value;
    }
}

enum ModelInferenceMode {
    VANILLA,
    ZKML,
    TEE
}

enum CandleOrder {
    Ascending,
    Descending
}

enum CandleType {
    High,
    Low,
    Open,
    Close,
    Volume
}

struct ModelInput {
    TensorLib.MultiDimensionalNumberTensor[] numbers;
    TensorLib.StringTensor[] strings;
}

struct ModelOutput {
    TensorLib.MultiDimensionalNumberTensor[] numbers;
    TensorLib.StringTensor[] strings;
    TensorLib.JsonScalar[] jsons;
    bool is_simulation_result;
}

struct ModelInferenceRequest {
    ModelInferenceMode mode;
    string modelCID;
    ModelInput input;
}

struct HistoricalInputQuery {
    string base;
    string quote;
    uint32 total_candles;
    uint32 candle_duration_in_mins;
    CandleOrder order;
    CandleType[] candle_types;
}

library OG {
    address internal constant INFERENCE_PRECOMPILE = 0x00000000000000000000000000000000000000F4;
    address internal constant HISTORICAL_PRECOMPILE = 0x00000000000000000000000000000000000000F5;

    // The enums' members under the names contracts written for this library use.
    ModelInferenceMode internal constant VANILLA = ModelInferenceMode.VANILLA;
    ModelInferenceMode internal constant ZKML = ModelInferenceMode.ZKML;
    ModelInferenceMode internal constant TEE = ModelInferenceMode.TEE;

    CandleOrder internal constant ASCENDING = CandleOrder.Ascending;
    CandleOrder internal constant DESCENDING = CandleOrder.Descending;

    CandleType internal constant HIGH = CandleType.High;
    CandleType internal constant LOW = CandleType.Low;
    CandleType internal constant OPEN = CandleType.Open;
    CandleType internal constant CLOSE = CandleType.Close;
    CandleType internal constant VOLUME = CandleType.Volume;
}
