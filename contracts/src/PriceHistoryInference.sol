// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {HistoricalInputQuery, ModelOutput, OG} from "./OGTypes.sol";
import {OGHistorical} from "./IHistoricalPrecompile.sol";

/// A price-feed workflow with the ABI, events and semantics of the network's
/// "PriceHistoryInference" (the official SDK's bundled contract): each run feeds the latest
/// candles of a pair to a model and keeps the result; `getLastInferenceResults` returns the
/// last results oldest first and reverts for 0, as the network's does. It calls nothing on
/// 0x…F5 but `runInferenceOnPriceFeed`, so it runs on the network as it runs on a devnet.
///
/// Cheap in an interpreted EVM: nothing is decoded. The precompile's call data is built once,
/// in the constructor; a result is kept as the precompile's return data, abi.encode(ModelOutput),
/// and returned as it is. Bytes are kept as the code of small data contracts rather than in
/// storage: a run then costs a CREATE and one storage slot (~200 gas a byte and ~100 opcodes)
/// instead of a storage write per 32 bytes (~700 gas a byte and ~30 opcodes a word).
///
/// A data contract's code is 0x00 (STOP, so calling it does nothing), the address of the next
/// chunk (20 bytes, zero in the last one), then up to CHUNK bytes of data. Results longer than
/// CHUNK are a chain of chunks, so no size limit applies beyond the gas of the run.
contract PriceHistoryInference {
    OGHistorical public constant historicalContract = OGHistorical(OG.HISTORICAL_PRECOMPILE);

    string public modelId;
    string public inputName;
    HistoricalInputQuery public inputQuery;

    /// Data contract holding the call data of runInferenceOnPriceFeed(modelId, inputName, query).
    address private immutable _request;
    /// First chunk of every run's result, oldest first.
    address[] private _results;

    uint256 private constant HEADER = 21; // 0x00 ++ next chunk's address
    uint256 private constant CHUNK = 0x6000 - HEADER; // EIP-170: code is at most 24576 bytes

    event InferenceResultEmitted(address indexed caller, ModelOutput result);

    constructor(string memory _modelId, string memory _inputName, HistoricalInputQuery memory _query) {
        modelId = _modelId;
        inputName = _inputName;
        inputQuery = _query;
        bytes memory data = abi.encodeCall(OGHistorical.runInferenceOnPriceFeed, (_modelId, _inputName, _query));
        require(data.length <= CHUNK, "PriceHistoryInference: model id, input name and query are too long");
        uint256 start;
        assembly ("memory-safe") {
            start := add(data, 32)
        }
        _request = _storeChunk(start, data.length, address(0));
    }

    /// Run the model on the latest candles and store the result. A failing precompile call
    /// reverts with the precompile's reason.
    function run() external {
        address request = _request;
        uint256 out;
        uint256 size;
        bool malformed;
        assembly ("memory-safe") {
            let p := mload(0x40)
            let n := sub(extcodesize(request), HEADER)
            extcodecopy(request, p, HEADER, n)
            if iszero(call(gas(), 0xF5, 0, p, n, 0, 0)) {
                returndatacopy(p, 0, returndatasize())
                revert(p, returndatasize())
            }
            size := returndatasize()
            out := add(p, 32) // room for the first chunk's init code, before the data
            returndatacopy(out, 0, size)
            mstore(0x40, add(out, size))
            // abi.encode(ModelOutput) is 0x20, the tuple's 4 head words, then at least 3 lengths.
            malformed := or(lt(size, 256), iszero(eq(mload(out), 0x20)))
        }
        if (malformed) revert("PriceHistoryInference: malformed precompile output");
        bytes32 topic = InferenceResultEmitted.selector;
        assembly ("memory-safe") {
            log2(out, size, topic, caller())
        }
        // Chunks are created last to first, so each one can name the next.
        unchecked {
            address next;
            uint256 start = ((size - 1) / CHUNK) * CHUNK; // size >= 256: no underflow
            while (true) {
                uint256 len = size - start < CHUNK ? size - start : CHUNK;
                next = _storeChunk(out + start, len, next);
                if (start == 0) break;
                start -= CHUNK;
            }
            _results.push(next);
        }
    }

    /// The latest result; an all-empty ModelOutput before the first run.
    function getInferenceResult() external view returns (ModelOutput memory) {
        uint256 n = _results.length;
        assembly {
            let p := mload(0x40)
            if iszero(n) {
                // abi.encode(ModelOutput([], [], [], false))
                mstore(p, 0x20)
                mstore(add(p, 0x20), 0x80)
                mstore(add(p, 0x40), 0xa0)
                mstore(add(p, 0x60), 0xc0)
                mstore(add(p, 0x80), 0)
                mstore(add(p, 0xa0), 0)
                mstore(add(p, 0xc0), 0)
                mstore(add(p, 0xe0), 0)
                return(p, 0x100)
            }
            mstore(0, _results.slot)
            let chunk := sload(add(keccak256(0, 32), sub(n, 1)))
            let tail := p
            for {} chunk {} {
                let len := sub(extcodesize(chunk), HEADER)
                extcodecopy(chunk, tail, HEADER, len)
                tail := add(tail, len)
                extcodecopy(chunk, 0, 0, 32)
                chunk := shr(88, mload(0)) // bytes 1..20: the next chunk
            }
            return(p, sub(tail, p))
        }
    }

    /// The `num` most recent results (all of them if there are fewer), oldest first, as the
    /// network's contract returns them. Reverts for 0, as it does.
    function getLastInferenceResults(uint256 num) external view returns (ModelOutput[] memory) {
        require(num > 0, "Number of results must be positive");
        uint256 total = _results.length;
        uint256 k = num < total ? num : total;
        // abi.encode(ModelOutput[]): 0x20, k, k offsets (from the first offset's position), then
        // each element's tuple. A stored result is 0x20 followed by the tuple, whose offsets are
        // relative to the tuple itself: the tuple is copied as it is, without its first word.
        assembly {
            let p := mload(0x40)
            mstore(p, 0x20)
            mstore(add(p, 0x20), k)
            let heads := add(p, 0x40)
            let tail := add(heads, shl(5, k))
            mstore(0, _results.slot)
            let first := add(keccak256(0, 32), sub(total, k))
            for { let i := 0 } lt(i, k) { i := add(i, 1) } {
                mstore(add(heads, shl(5, i)), sub(tail, heads))
                let chunk := sload(add(first, i))
                let skip := add(HEADER, 32)
                for {} chunk {} {
                    let len := sub(extcodesize(chunk), skip)
                    extcodecopy(chunk, tail, skip, len)
                    tail := add(tail, len)
                    skip := HEADER
                    extcodecopy(chunk, 0, 0, 32)
                    chunk := shr(88, mload(0))
                }
            }
            return(p, sub(tail, p))
        }
    }

    /// Deploys a data contract whose code is 0x00 ++ `next` ++ memory[start, start + len), and
    /// returns its address. Uses the 32 bytes before `start` for the init code and restores them.
    function _storeChunk(uint256 start, uint256 len, address next) private returns (address chunk) {
        assembly ("memory-safe") {
            let h := sub(start, 32)
            let saved := mload(h)
            // init code (10 bytes): PUSH2 codeLen DUP1 PUSH1 10 PUSH0 CODECOPY PUSH0 RETURN,
            // then the code: 0x00 ++ next ++ data.
            mstore(h, or(or(shl(240, 0x61), shl(224, add(len, HEADER))), or(shl(168, 0x80600a5f395ff3), next)))
            chunk := create(0, add(h, 1), add(len, 31))
            mstore(h, saved)
        }
        require(chunk != address(0), "PriceHistoryInference: could not store the result");
    }
}
