// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// Shared types of the OpenGradient network (the ABI of alpha-wire.md). Import them in your
/// own contracts to call the precompiles at 0x…F4 and 0x…F5.

/// value * 10**-decimals
struct Number {
    int128 value;
    int128 decimals;
}

/// A numeric tensor: values flattened row-major, with its shape.
struct NumberTensor {
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

struct ModelInput {
    NumberTensor[] numbers;
    StringTensor[] strings;
}

struct ModelOutput {
    NumberTensor[] numbers;
    StringTensor[] strings;
    JsonScalar[] jsons;
    bool is_simulation_result;
}

struct ModelInferenceRequest {
    uint8 mode;
    string modelCID;
    ModelInput input;
}

struct HistoricalInputQuery {
    string base;
    string quote;
    uint32 total_candles;
    uint32 candle_duration_in_mins;
    uint8 order;
    uint8[] candle_types;
}

library OG {
    address internal constant INFERENCE_PRECOMPILE = 0x00000000000000000000000000000000000000F4;
    address internal constant HISTORICAL_PRECOMPILE = 0x00000000000000000000000000000000000000F5;

    uint8 internal constant VANILLA = 0;
    uint8 internal constant ZKML = 1;
    uint8 internal constant TEE = 2;

    uint8 internal constant ASCENDING = 0;
    uint8 internal constant DESCENDING = 1;

    uint8 internal constant HIGH = 0;
    uint8 internal constant LOW = 1;
    uint8 internal constant OPEN = 2;
    uint8 internal constant CLOSE = 3;
    uint8 internal constant VOLUME = 4;
}
