"""Ethereum execution-apis JSON-RPC schemas, transcribed into Python for schema-checking node answers.

Source: https://github.com/ethereum/execution-apis at commit 033ca6e69da000445840d2060ff47e5e56172a86
(2026-08-07): the method definitions in ``src/eth/*.yaml`` and the shared schemas in
``src/schemas/*.yaml`` (only the definitions the ``src/eth`` methods reach). The YAML is OpenRPC;
every definition below is the same JSON Schema as a Python dict. Each entry carries a comment
naming the spec file it comes from. ``$ref: '#/components/schemas/X'`` became ``{"$ref":
"#/$defs/X"}`` (the ``_ref`` helper); ``description``/``examples``/``default`` were dropped, every
validating keyword (``type``, ``pattern``, ``required``, ``additionalProperties``, ``oneOf``,
``anyOf``, ``allOf``, ``not``, ``enum``, ``const``, ``minimum``/``maximum``) is kept exactly as the
spec writes it, including its quirks: e.g. ``Block`` and ``TransactionInfo`` do not forbid extra
properties while ``ReceiptInfo``, ``Log`` and the ``eth_feeHistory`` result do.

Schemas are JSON Schema draft 2019-09: the spec's own checker (tools/cmd/speccheck/check.go)
forces ``$schema`` to draft 2019-09 before validating, so ``validate_result`` uses
``jsonschema.Draft201909Validator``.

One deliberate leniency in ``validate_result`` (the schemas themselves are unchanged): the spec's
``FilterResults`` (eth_getLogs / eth_getFilterChanges / eth_getFilterLogs) is ``oneOf`` [array of
hashes, array of logs], so an empty list ``[]`` matches both branches and strict ``oneOf`` rejects
it. An empty list is the normal "nothing matched" answer, so that single case is not reported.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator
from typing import Any

import jsonschema
from jsonschema.exceptions import ValidationError

SPEC_REPO = "https://github.com/ethereum/execution-apis"
SPEC_COMMIT = "033ca6e69da000445840d2060ff47e5e56172a86"
DRAFT = "https://json-schema.org/draft/2019-09/schema"


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/$defs/{name}"}


# Shared schemas (src/schemas/*.yaml), keyed by their spec name; only those src/eth reaches.
DEFS: dict[str, dict[str, Any]] = {
    # src/schemas/base-types.yaml: address
    "address": {"title": "hex encoded address", "type": "string", "pattern": "^0x[0-9a-fA-F]{40}$"},
    # src/schemas/base-types.yaml: addresses
    "addresses": {"title": "hex encoded address", "type": "array", "items": _ref("address")},
    # src/schemas/base-types.yaml: byte
    "byte": {"title": "hex encoded byte", "type": "string", "pattern": "^0x[0-9a-f]{1,2}$"},
    # src/schemas/base-types.yaml: bytes
    "bytes": {"title": "hex encoded bytes", "type": "string", "pattern": "^0x[0-9a-f]*$"},
    # src/schemas/base-types.yaml: bytesMax32
    "bytesMax32": {
        "title": "32 hex encoded bytes",
        "type": "string",
        "pattern": "^0x[0-9a-f]{0,64}$",
    },
    # src/schemas/base-types.yaml: bytes4
    "bytes4": {"title": "4 hex encoded bytes", "type": "string", "pattern": "^0x[0-9a-f]{8}$"},
    # src/schemas/base-types.yaml: bytes8
    "bytes8": {"title": "8 hex encoded bytes", "type": "string", "pattern": "^0x[0-9a-f]{16}$"},
    # src/schemas/base-types.yaml: bytes32
    "bytes32": {"title": "32 hex encoded bytes", "type": "string", "pattern": "^0x[0-9a-f]{64}$"},
    # src/schemas/base-types.yaml: bytes256
    "bytes256": {
        "title": "256 hex encoded bytes",
        "type": "string",
        "pattern": "^0x[0-9a-f]{512}$",
    },
    # src/schemas/base-types.yaml: bytes65
    "bytes65": {"title": "65 hex encoded bytes", "type": "string", "pattern": "^0x[0-9a-f]{130}$"},
    # src/schemas/base-types.yaml: ratio
    "ratio": {"title": "normalized ratio", "type": "number", "minimum": 0, "maximum": 1},
    # src/schemas/base-types.yaml: uint
    "uint": {
        "title": "hex encoded unsigned integer",
        "type": "string",
        "pattern": "^0x(0|[1-9a-f][0-9a-f]*)$",
    },
    # src/schemas/base-types.yaml: uint32
    "uint32": {
        "title": "hex encoded 32 bit unsigned integer",
        "type": "string",
        "pattern": "^0x(0|[1-9a-f][0-9a-f]{0,7})$",
    },
    # src/schemas/base-types.yaml: uint64
    "uint64": {
        "title": "hex encoded 64 bit unsigned integer",
        "type": "string",
        "pattern": "^0x(0|[1-9a-f][0-9a-f]{0,15})$",
    },
    # src/schemas/base-types.yaml: uint256
    "uint256": {
        "title": "hex encoded 256 bit unsigned integer",
        "type": "string",
        "pattern": "^0x(0|[1-9a-f][0-9a-f]{0,63})$",
    },
    # src/schemas/base-types.yaml: uintDecimal
    "uintDecimal": {
        "title": "decimal unsigned integer string",
        "type": "string",
        "pattern": "^(0|[1-9][0-9]*)$",
    },
    # src/schemas/base-types.yaml: hash32
    "hash32": {"title": "32 byte hex value", "type": "string", "pattern": "^0x[0-9a-f]{64}$"},
    # src/schemas/base-types.yaml: notFound
    "notFound": {"title": "Not Found (null)", "type": "null"},
    # src/schemas/block-access-list.yaml: StorageChange
    "StorageChange": {
        "title": "Storage change",
        "type": "object",
        "required": ["index", "value"],
        "additionalProperties": False,
        "properties": {"index": _ref("uint32"), "value": _ref("hash32")},
    },
    # src/schemas/block-access-list.yaml: SlotChanges
    "SlotChanges": {
        "title": "Slot changes",
        "type": "object",
        "required": ["key", "changes"],
        "additionalProperties": False,
        "properties": {
            "key": _ref("hash32"),
            "changes": {"type": "array", "items": _ref("StorageChange")},
        },
    },
    # src/schemas/block-access-list.yaml: BalanceChange
    "BalanceChange": {
        "title": "Balance change",
        "type": "object",
        "required": ["index", "value"],
        "additionalProperties": False,
        "properties": {"index": _ref("uint32"), "value": _ref("uint256")},
    },
    # src/schemas/block-access-list.yaml: NonceChange
    "NonceChange": {
        "title": "Nonce change",
        "type": "object",
        "required": ["index", "value"],
        "additionalProperties": False,
        "properties": {"index": _ref("uint32"), "value": _ref("uint64")},
    },
    # src/schemas/block-access-list.yaml: CodeChange
    "CodeChange": {
        "title": "Code change",
        "type": "object",
        "required": ["index", "code"],
        "additionalProperties": False,
        "properties": {"index": _ref("uint32"), "code": _ref("bytes")},
    },
    # src/schemas/block-access-list.yaml: AccountAccess
    "AccountAccess": {
        "title": "Account access",
        "type": "object",
        "required": ["address"],
        "additionalProperties": False,
        "properties": {
            "address": _ref("address"),
            "storageChanges": {"type": "array", "items": _ref("SlotChanges")},
            "storageReads": {"type": "array", "items": _ref("hash32")},
            "balanceChanges": {"type": "array", "items": _ref("BalanceChange")},
            "nonceChanges": {"type": "array", "items": _ref("NonceChange")},
            "codeChanges": {"type": "array", "items": _ref("CodeChange")},
        },
    },
    # src/schemas/block-access-list.yaml: BlockAccessList
    "BlockAccessList": {
        "title": "Block access list",
        "type": "array",
        "items": _ref("AccountAccess"),
    },
    # src/schemas/block.yaml: Block
    "Block": {
        "title": "Block object",
        "type": "object",
        "required": [
            "hash",
            "parentHash",
            "sha3Uncles",
            "miner",
            "stateRoot",
            "transactionsRoot",
            "receiptsRoot",
            "logsBloom",
            "number",
            "gasLimit",
            "gasUsed",
            "timestamp",
            "extraData",
            "mixHash",
            "nonce",
            "size",
            "transactions",
            "uncles",
        ],
        "properties": {
            "hash": {"title": "Hash", "$ref": "#/$defs/hash32"},
            "parentHash": {"title": "Parent block hash", "$ref": "#/$defs/hash32"},
            "sha3Uncles": {"title": "Ommers hash", "$ref": "#/$defs/hash32"},
            "miner": {"title": "Coinbase", "$ref": "#/$defs/address"},
            "stateRoot": {"title": "State root", "$ref": "#/$defs/hash32"},
            "transactionsRoot": {"title": "Transactions root", "$ref": "#/$defs/hash32"},
            "receiptsRoot": {"title": "Receipts root", "$ref": "#/$defs/hash32"},
            "logsBloom": {"title": "Bloom filter", "$ref": "#/$defs/bytes256"},
            "difficulty": {"title": "Difficulty", "$ref": "#/$defs/uint"},
            "number": {"title": "Number", "$ref": "#/$defs/uint"},
            "gasLimit": {"title": "Gas limit", "$ref": "#/$defs/uint"},
            "gasUsed": {"title": "Gas used", "$ref": "#/$defs/uint"},
            "timestamp": {"title": "Timestamp", "$ref": "#/$defs/uint"},
            "extraData": {"title": "Extra data", "$ref": "#/$defs/bytes"},
            "mixHash": {"title": "Mix hash", "$ref": "#/$defs/hash32"},
            "nonce": {"title": "Nonce", "$ref": "#/$defs/bytes8"},
            "baseFeePerGas": {"title": "Base fee per gas", "$ref": "#/$defs/uint"},
            "withdrawalsRoot": {"title": "Withdrawals root", "$ref": "#/$defs/hash32"},
            "blobGasUsed": {"title": "Blob gas used", "$ref": "#/$defs/uint"},
            "excessBlobGas": {"title": "Excess blob gas", "$ref": "#/$defs/uint"},
            "parentBeaconBlockRoot": {
                "title": "Parent Beacon Block Root",
                "$ref": "#/$defs/hash32",
            },
            "size": {"title": "Block size", "$ref": "#/$defs/uint"},
            "transactions": {
                "anyOf": [
                    {"title": "Transaction hashes", "type": "array", "items": _ref("hash32")},
                    {
                        "title": "Full transactions",
                        "type": "array",
                        "items": _ref("TransactionInfo"),
                    },
                ]
            },
            "withdrawals": {"title": "Withdrawals", "type": "array", "items": _ref("Withdrawal")},
            "uncles": {"title": "Uncles", "type": "array", "items": _ref("hash32")},
            "requestsHash": {"title": "EIP-7685 requests hash", "$ref": "#/$defs/hash32"},
            "blockAccessListHash": {
                "title": "EIP-7928 block access list hash",
                "$ref": "#/$defs/hash32",
            },
        },
    },
    # src/schemas/block.yaml: BlockTag
    "BlockTag": {
        "title": "Block tag",
        "type": "string",
        "enum": ["earliest", "finalized", "safe", "latest", "pending"],
    },
    # src/schemas/block.yaml: BlockNumberOrTag
    "BlockNumberOrTag": {
        "title": "Block number or tag",
        "oneOf": [
            {"title": "Block number", "$ref": "#/$defs/uint"},
            {"title": "Block tag", "$ref": "#/$defs/BlockTag"},
        ],
    },
    # src/schemas/block.yaml: BlockTagForRange
    "BlockTagForRange": {
        "title": "Block tag",
        "type": "string",
        "enum": ["earliest", "finalized", "safe", "latest"],
    },
    # src/schemas/block.yaml: BlockNumberOrTagForRange
    "BlockNumberOrTagForRange": {
        "title": "Block number or tag",
        "oneOf": [
            {"title": "Block number", "$ref": "#/$defs/uint"},
            {"title": "Block tag", "$ref": "#/$defs/BlockTagForRange"},
        ],
    },
    # src/schemas/block.yaml: BlockNumberOrTagOrHash
    "BlockNumberOrTagOrHash": {
        "title": "Block number, tag, or block hash",
        "anyOf": [
            {"title": "Block number", "$ref": "#/$defs/uint"},
            {"title": "Block tag", "$ref": "#/$defs/BlockTag"},
            {"title": "Block hash", "$ref": "#/$defs/hash32"},
        ],
    },
    # src/schemas/capabilities.yaml: EthCapabilities
    "EthCapabilities": {
        "title": "Effective routing capabilities",
        "type": "object",
        "additionalProperties": False,
        "required": ["head", "state", "tx", "logs", "receipts", "blocks", "stateproofs"],
        "properties": {
            "head": {"title": "Current head block", "$ref": "#/$defs/EthCapabilitiesHead"},
            "state": {"$ref": "#/$defs/EthCapabilitiesEffectiveResource"},
            "tx": {"$ref": "#/$defs/EthCapabilitiesEffectiveResource"},
            "logs": {"$ref": "#/$defs/EthCapabilitiesEffectiveResource"},
            "receipts": {"$ref": "#/$defs/EthCapabilitiesEffectiveResource"},
            "blocks": {"$ref": "#/$defs/EthCapabilitiesEffectiveResource"},
            "stateproofs": {"$ref": "#/$defs/EthCapabilitiesEffectiveResource"},
        },
    },
    # src/schemas/capabilities.yaml: EthCapabilitiesEffectiveResource
    "EthCapabilitiesEffectiveResource": {
        "title": "Effective resource capability",
        "type": "object",
        "additionalProperties": False,
        "required": ["disabled"],
        "properties": {
            "disabled": {"type": "boolean"},
            "oldestBlock": _ref("uint"),
            "deleteStrategy": _ref("EthCapabilitiesDeleteStrategy"),
        },
    },
    # src/schemas/capabilities.yaml: EthCapabilitiesHead
    "EthCapabilitiesHead": {
        "title": "Current head block",
        "type": "object",
        "additionalProperties": False,
        "required": ["number", "hash"],
        "properties": {
            "number": {"title": "Head block number", "$ref": "#/$defs/uint"},
            "hash": {"title": "Head block hash", "$ref": "#/$defs/hash32"},
        },
    },
    # src/schemas/capabilities.yaml: EthCapabilitiesDeleteStrategy
    "EthCapabilitiesDeleteStrategy": {
        "title": "Delete strategy",
        "oneOf": [
            {
                "title": "Sliding window deletion",
                "type": "object",
                "additionalProperties": False,
                "required": ["type", "retentionBlocks"],
                "properties": {
                    "type": {"type": "string", "enum": ["window"]},
                    "retentionBlocks": _ref("uint"),
                },
            }
        ],
    },
    # src/schemas/client.yaml: SyncingStatus
    "SyncingStatus": {
        "title": "Syncing status",
        "oneOf": [
            {
                "title": "Syncing progress",
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    "startingBlock": {"title": "Starting block", "$ref": "#/$defs/uint"},
                    "currentBlock": {"title": "Current block", "$ref": "#/$defs/uint"},
                    "highestBlock": {"title": "Highest block", "$ref": "#/$defs/uint"},
                },
            },
            {"title": "Not syncing", "type": "boolean"},
        ],
    },
    # src/schemas/client.yaml: ConfigurationResponse
    "ConfigurationResponse": {
        "title": "Configuration response",
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "current": {"title": "Current configuration", "$ref": "#/$defs/ConfigObject"},
            "next": {
                "title": "Next configuration",
                "oneOf": [_ref("ConfigObject"), {"type": "null"}],
            },
            "last": {
                "title": "Last configuration",
                "oneOf": [_ref("ConfigObject"), {"type": "null"}],
            },
        },
        "required": ["current", "next", "last"],
    },
    # src/schemas/client.yaml: ConfigObject
    "ConfigObject": {
        "title": "Configuration object",
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "activationTime": {"title": "Activation time", "type": "number"},
            "blobSchedule": {"title": "Blob schedule", "$ref": "#/$defs/BlobSchedule"},
            "chainId": {"title": "Chain ID", "$ref": "#/$defs/uint"},
            "forkId": {"title": "Fork ID", "$ref": "#/$defs/bytes4"},
            "precompiles": {
                "title": "Precompiles",
                "type": "object",
                "additionalProperties": _ref("address"),
            },
            "systemContracts": {
                "title": "System contracts",
                "type": "object",
                "additionalProperties": _ref("address"),
            },
        },
        "required": [
            "activationTime",
            "blobSchedule",
            "chainId",
            "forkId",
            "precompiles",
            "systemContracts",
        ],
    },
    # src/schemas/client.yaml: BlobSchedule
    "BlobSchedule": {
        "title": "Blob schedule",
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "baseFeeUpdateFraction": {
                "title": "Base fee update fraction",
                "type": "integer",
                "minimum": 0,
            },
            "max": {"title": "Maximum blobs", "type": "integer", "minimum": 0},
            "target": {"title": "Target blobs", "type": "integer", "minimum": 0},
        },
        "required": ["baseFeeUpdateFraction", "max", "target"],
    },
    # src/schemas/execute.yaml: EthSimulatePayload
    "EthSimulatePayload": {
        "title": "Arguments for eth_simulate",
        "required": ["blockStateCalls"],
        "properties": {
            "blockStateCalls": {"title": "Block State Calls", "$ref": "#/$defs/BlockStateCalls"},
            "traceTransfers": {"title": "Trace ETH Transfers", "type": "boolean"},
            "validation": {"title": "Validation", "type": "boolean"},
            "returnFullTransactions": {"title": "Return Full Transactions", "type": "boolean"},
        },
    },
    # src/schemas/execute.yaml: BlockStateCalls
    "BlockStateCalls": {
        "title": "Array of block state calls to be executed at specific, optional block/state.",
        "type": "array",
        "properties": {
            "blockOverrides": {"title": "Block overrides", "$ref": "#/$defs/BlockOverrides"},
            "stateOverrides": {"title": "State overrides", "$ref": "#/$defs/StateOverrides"},
            "calls": {"type": "array", "title": "calls", "items": _ref("GenericCallTransaction")},
        },
    },
    # src/schemas/execute.yaml: StateOverrides
    "StateOverrides": {
        "title": "Dictionary of addresses in the state to be overridden",
        "type": "object",
        "patternProperties": {"^0x[a-fA-F0-9]{40}$": _ref("AccountOverride")},
        "additionalProperties": False,
    },
    # src/schemas/execute.yaml: AccountOverride
    "AccountOverride": {
        "title": "Details of an account to be overridden",
        "type": "object",
        "oneOf": [_ref("AccountOverrideState"), _ref("AccountOverrideStateDiff")],
    },
    # src/schemas/execute.yaml: AccountOverrideState
    "AccountOverrideState": {
        "title": "Account override with whole storage replacement",
        "required": ["state"],
        "properties": {
            "nonce": {"title": "Nonce", "$ref": "#/$defs/uint64"},
            "balance": {"title": "Balance", "$ref": "#/$defs/uint256"},
            "code": {"title": "Code", "$ref": "#/$defs/bytes"},
            "movePrecompileToAddress": {
                "title": "MovePrecompileToAddress",
                "$ref": "#/$defs/address",
            },
            "state": {"title": "Storage", "$ref": "#/$defs/AccountStorage"},
        },
    },
    # src/schemas/execute.yaml: AccountOverrideStateDiff
    "AccountOverrideStateDiff": {
        "title": "Account override with partial storage modification",
        "required": ["stateDiff"],
        "properties": {
            "nonce": {"title": "Nonce", "$ref": "#/$defs/uint64"},
            "balance": {"title": "Balance", "$ref": "#/$defs/uint256"},
            "code": {"title": "Code", "$ref": "#/$defs/bytes"},
            "movePrecompileToAddress": {
                "title": "MovePrecompileToAddress",
                "$ref": "#/$defs/address",
            },
            "stateDiff": {"title": "Storage difference", "$ref": "#/$defs/AccountStorage"},
        },
    },
    # src/schemas/execute.yaml: AccountStorage
    "AccountStorage": {
        "title": "Storage slots for an account",
        "type": "object",
        "patternProperties": {"^0x[a-fA-F0-9]{64}$": _ref("hash32")},
        "additionalProperties": False,
    },
    # src/schemas/execute.yaml: BlockOverrides
    "BlockOverrides": {
        "title": "Context fields related to the block being executed",
        "type": "object",
        "properties": {
            "number": {"title": "Number", "$ref": "#/$defs/uint64"},
            "prevRandao": {
                "title": "The Previous value of randomness beacon",
                "$ref": "#/$defs/uint256",
            },
            "time": {"title": "Time", "$ref": "#/$defs/uint64"},
            "gasLimit": {"title": "Gas limit", "$ref": "#/$defs/uint64"},
            "feeRecipient": {
                "title": "Fee Recipient (also known as coinbase)",
                "$ref": "#/$defs/address",
            },
            "baseFeePerGas": {"title": "Base fee per unit of gas", "$ref": "#/$defs/uint256"},
            "withdrawals": {
                "title": "Withdrawals made by validators",
                "$ref": "#/$defs/Withdrawals",
            },
            "blobBaseFee": {"title": "Base fee per unit of blob gas", "$ref": "#/$defs/uint64"},
        },
    },
    # src/schemas/execute.yaml: EthSimulateResult
    "EthSimulateResult": {
        "title": "Full results of eth_simulate",
        "type": "array",
        "items": _ref("EthSimulateBlockResultSingleSuccess"),
    },
    # src/schemas/execute.yaml: EthSimulateBlockResultSingleSuccess
    "EthSimulateBlockResultSingleSuccess": {
        "title": "Result of eth_simulate block-level, with array of calls",
        "type": "object",
        "allOf": [
            _ref("Block"),
            {
                "type": "object",
                "title": "Eth Simulate call results",
                "required": ["calls"],
                "properties": {"calls": {"title": "Call Results", "$ref": "#/$defs/CallResults"}},
            },
        ],
    },
    # src/schemas/execute.yaml: CallResults
    "CallResults": {
        "title": "Results of eth_simulate within block",
        "type": "array",
        "items": {"oneOf": [_ref("CallResultFailure"), _ref("CallResultSuccess")]},
    },
    # src/schemas/execute.yaml: CallResultFailure
    "CallResultFailure": {
        "title": "Result of call failure",
        "type": "object",
        "required": ["status", "returnData", "gasUsed", "error"],
        "properties": {
            "status": {"title": "Call Status Failure", "type": "string", "pattern": "^0x0$"},
            "returnData": {"title": "Return data", "$ref": "#/$defs/bytes"},
            "gasUsed": {"title": "Return gasUsed", "$ref": "#/$defs/uint64"},
            "maxUsedGas": {
                "title": "Maximum gas used during execution before refunds",
                "$ref": "#/$defs/uint64",
            },
            "error": {
                "oneOf": [
                    {
                        "type": "object",
                        "properties": {
                            "code": {"const": 3},
                            "message": {"type": "string", "pattern": "^execution reverted.*"},
                        },
                        "required": ["code", "message"],
                    },
                    {
                        "type": "object",
                        "properties": {
                            "code": {"const": -32015},
                            "message": {"type": "string", "pattern": "^vm execution error.*"},
                        },
                    },
                ]
            },
        },
    },
    # src/schemas/execute.yaml: CallResultSuccess
    "CallResultSuccess": {
        "title": "Result of call success",
        "type": "object",
        "required": ["status", "returnData", "gasUsed", "logs"],
        "properties": {
            "status": {"title": "Call Status Success", "type": "string", "pattern": "^0x1$"},
            "returnData": {"title": "Return data", "$ref": "#/$defs/bytes"},
            "gasUsed": {"title": "Return gasUsed", "$ref": "#/$defs/uint64"},
            "maxUsedGas": {
                "title": "Maximum gas used during execution before refunds",
                "$ref": "#/$defs/uint64",
            },
            "logs": {"title": "Return logs", "type": "array", "items": _ref("Log")},
        },
    },
    # src/schemas/execute.yaml: GenericCallTransaction
    "GenericCallTransaction": {
        "type": "object",
        "title": "Transaction object type for call",
        "properties": {
            "type": {"title": "type", "$ref": "#/$defs/byte"},
            "nonce": {"title": "nonce", "$ref": "#/$defs/uint64"},
            "to": {"title": "to address", "$ref": "#/$defs/address"},
            "from": {"title": "from address", "$ref": "#/$defs/address"},
            "gas": {"title": "gas limit", "$ref": "#/$defs/uint64"},
            "value": {"title": "value", "$ref": "#/$defs/uint256"},
            "input": {"title": "input data", "$ref": "#/$defs/bytes"},
            "gasPrice": {"title": "gas price", "$ref": "#/$defs/uint256"},
            "maxPriorityFeePerGas": {
                "title": "max priority fee per gas",
                "$ref": "#/$defs/uint256",
            },
            "maxFeePerGas": {"title": "max fee per gas", "$ref": "#/$defs/uint256"},
            "maxFeePerBlobGas": {"title": "max fee per blob gas", "$ref": "#/$defs/uint256"},
            "accessList": {"title": "accessList", "$ref": "#/$defs/AccessList"},
            "blobVersionedHashes": {"title": "Blob versioned hashes", "$ref": "#/$defs/bytes32"},
        },
    },
    # src/schemas/filter.yaml: FilterResults
    "FilterResults": {
        "title": "Filter results",
        "oneOf": [
            {"title": "new block or transaction hashes", "type": "array", "items": _ref("hash32")},
            {"title": "new logs", "type": "array", "items": _ref("Log")},
        ],
    },
    # src/schemas/filter.yaml: Filter
    "Filter": {
        "title": "filter",
        "oneOf": [
            {
                "title": "Filter by block range",
                "type": "object",
                "properties": {
                    "fromBlock": {
                        "title": "from block",
                        "$ref": "#/$defs/BlockNumberOrTagForRange",
                    },
                    "toBlock": {"title": "to block", "$ref": "#/$defs/BlockNumberOrTagForRange"},
                    "address": {
                        "title": "Address(es)",
                        "oneOf": [
                            {"title": "Any Address", "type": "null"},
                            {"title": "Address", "$ref": "#/$defs/address"},
                            {"title": "Addresses", "$ref": "#/$defs/addresses"},
                        ],
                    },
                    "topics": {"title": "Topics", "$ref": "#/$defs/FilterTopics"},
                },
                "not": {"required": ["blockHash"]},
            },
            {
                "title": "Filter by block hash",
                "type": "object",
                "properties": {
                    "blockHash": {"title": "block hash", "$ref": "#/$defs/hash32"},
                    "address": {
                        "title": "Address(es)",
                        "oneOf": [
                            {"title": "Any Address", "type": "null"},
                            {"title": "Address", "$ref": "#/$defs/address"},
                            {"title": "Addresses", "$ref": "#/$defs/addresses"},
                        ],
                    },
                    "topics": {"title": "Topics", "$ref": "#/$defs/FilterTopics"},
                },
                "required": ["blockHash"],
            },
        ],
    },
    # src/schemas/filter.yaml: FilterTopics
    "FilterTopics": {
        "title": "Filter Topics",
        "oneOf": [
            {"title": "Any Topic Match", "type": "null"},
            {"title": "Specified Filter Topics", "type": "array", "items": _ref("FilterTopic")},
        ],
    },
    # src/schemas/filter.yaml: FilterTopic
    "FilterTopic": {
        "title": "Filter Topic List Entry",
        "oneOf": [
            {"title": "Any Topic Match", "type": "null"},
            {"title": "Single Topic Match", "$ref": "#/$defs/bytes32"},
            {"title": "Multiple Topic Match", "type": "array", "items": _ref("bytes32")},
        ],
    },
    # src/schemas/receipt.yaml: Log
    "Log": {
        "title": "log",
        "type": "object",
        "required": ["transactionHash"],
        "additionalProperties": False,
        "properties": {
            "removed": {"title": "removed", "type": "boolean"},
            "logIndex": {"title": "log index", "$ref": "#/$defs/uint"},
            "transactionIndex": {"title": "transaction index", "$ref": "#/$defs/uint"},
            "transactionHash": {"title": "transaction hash", "$ref": "#/$defs/hash32"},
            "blockHash": {"title": "block hash", "$ref": "#/$defs/hash32"},
            "blockNumber": {"title": "block number", "$ref": "#/$defs/uint"},
            "blockTimestamp": {"title": "block timestamp", "$ref": "#/$defs/uint"},
            "address": {"title": "address", "$ref": "#/$defs/address"},
            "data": {"title": "data", "$ref": "#/$defs/bytes"},
            "topics": {"title": "topics", "type": "array", "items": _ref("bytes32")},
        },
    },
    # src/schemas/receipt.yaml: ReceiptInfo
    "ReceiptInfo": {
        "type": "object",
        "title": "Receipt information",
        "required": [
            "blockHash",
            "blockNumber",
            "from",
            "cumulativeGasUsed",
            "gasUsed",
            "logs",
            "logsBloom",
            "transactionHash",
            "transactionIndex",
            "effectiveGasPrice",
        ],
        "additionalProperties": False,
        "properties": {
            "type": {"title": "type", "$ref": "#/$defs/byte"},
            "transactionHash": {"title": "transaction hash", "$ref": "#/$defs/hash32"},
            "transactionIndex": {"title": "transaction index", "$ref": "#/$defs/uint"},
            "blockHash": {"title": "block hash", "$ref": "#/$defs/hash32"},
            "blockNumber": {"title": "block number", "$ref": "#/$defs/uint"},
            "from": {"title": "from", "$ref": "#/$defs/address"},
            "to": {
                "title": "to",
                "oneOf": [
                    {"title": "Contract Creation (null)", "type": "null"},
                    {"title": "Recipient Address", "$ref": "#/$defs/address"},
                ],
            },
            "cumulativeGasUsed": {"title": "cumulative gas used", "$ref": "#/$defs/uint"},
            "gasUsed": {"title": "gas used", "$ref": "#/$defs/uint"},
            "blobGasUsed": {"title": "blob gas used", "$ref": "#/$defs/uint"},
            "contractAddress": {
                "title": "contract address",
                "oneOf": [_ref("address"), {"title": "Null", "type": "null"}],
            },
            "logs": {"title": "logs", "type": "array", "items": _ref("Log")},
            "logsBloom": {"title": "logs bloom", "$ref": "#/$defs/bytes256"},
            "root": {"title": "state root", "$ref": "#/$defs/hash32"},
            "status": {"title": "status", "$ref": "#/$defs/uint"},
            "effectiveGasPrice": {"title": "effective gas price", "$ref": "#/$defs/uint"},
            "blobGasPrice": {"title": "blob gas price", "$ref": "#/$defs/uint"},
        },
    },
    # src/schemas/state.yaml: AccountProof
    "AccountProof": {
        "title": "Account proof",
        "type": "object",
        "required": [
            "address",
            "accountProof",
            "balance",
            "codeHash",
            "nonce",
            "storageHash",
            "storageProof",
        ],
        "additionalProperties": False,
        "properties": {
            "address": {"title": "address", "$ref": "#/$defs/address"},
            "accountProof": {"title": "accountProof", "type": "array", "items": _ref("bytes")},
            "balance": {"title": "balance", "$ref": "#/$defs/uint256"},
            "codeHash": {"title": "codeHash", "$ref": "#/$defs/hash32"},
            "nonce": {"title": "nonce", "$ref": "#/$defs/uint64"},
            "storageHash": {"title": "storageHash", "$ref": "#/$defs/hash32"},
            "storageProof": {
                "title": "Storage proofs",
                "type": "array",
                "items": _ref("StorageProof"),
            },
        },
    },
    # src/schemas/state.yaml: StorageProof
    "StorageProof": {
        "title": "Storage proof",
        "type": "object",
        "required": ["key", "value", "proof"],
        "additionalProperties": False,
        "properties": {
            "key": {"title": "key", "$ref": "#/$defs/bytesMax32"},
            "value": {"title": "value", "$ref": "#/$defs/uint256"},
            "proof": {"title": "proof", "type": "array", "items": _ref("bytes")},
        },
    },
    # src/schemas/transaction.yaml: Transaction7702Unsigned
    "Transaction7702Unsigned": {
        "type": "object",
        "title": "EIP-7702 transaction",
        "required": [
            "type",
            "nonce",
            "to",
            "gas",
            "value",
            "input",
            "maxPriorityFeePerGas",
            "maxFeePerGas",
            "accessList",
            "chainId",
            "authorizationList",
        ],
        "properties": {
            "type": {"title": "type", "type": "string", "pattern": "^0x4$"},
            "nonce": {"title": "nonce", "$ref": "#/$defs/uint"},
            "to": {"title": "to address", "$ref": "#/$defs/address"},
            "gas": {"title": "gas limit", "$ref": "#/$defs/uint"},
            "value": {"title": "value", "$ref": "#/$defs/uint"},
            "input": {"title": "input data", "$ref": "#/$defs/bytes"},
            "maxPriorityFeePerGas": {"title": "max priority fee per gas", "$ref": "#/$defs/uint"},
            "maxFeePerGas": {"title": "max fee per gas", "$ref": "#/$defs/uint"},
            "gasPrice": {"title": "gas price", "$ref": "#/$defs/uint"},
            "accessList": {"title": "accessList", "$ref": "#/$defs/AccessList"},
            "chainId": {"title": "chainId", "$ref": "#/$defs/uint"},
            "authorizationList": {
                "title": "authorizationList",
                "$ref": "#/$defs/AuthorizationList",
            },
        },
    },
    # src/schemas/transaction.yaml: AuthorizationList
    "AuthorizationList": {
        "title": "Authorization List",
        "type": "array",
        "items": {
            "type": "object",
            "properties": {
                "chainId": {"title": "chainId", "$ref": "#/$defs/uint"},
                "nonce": {"title": "nonce", "$ref": "#/$defs/uint"},
                "address": _ref("address"),
                "yParity": {"title": "yParity", "$ref": "#/$defs/byte"},
                "r": {"title": "r", "$ref": "#/$defs/uint256"},
                "s": {"title": "s", "$ref": "#/$defs/uint256"},
            },
            "required": ["chainId", "nonce", "address", "yParity", "r", "s"],
        },
    },
    # src/schemas/transaction.yaml: Transaction4844Unsigned
    "Transaction4844Unsigned": {
        "type": "object",
        "title": "EIP-4844 transaction.",
        "required": [
            "type",
            "nonce",
            "to",
            "gas",
            "value",
            "input",
            "maxPriorityFeePerGas",
            "maxFeePerGas",
            "maxFeePerBlobGas",
            "accessList",
            "blobVersionedHashes",
            "chainId",
        ],
        "properties": {
            "type": {"title": "type", "type": "string", "pattern": "^0x3$"},
            "nonce": {"title": "nonce", "$ref": "#/$defs/uint"},
            "to": {"title": "to address", "$ref": "#/$defs/address"},
            "gas": {"title": "gas limit", "$ref": "#/$defs/uint"},
            "value": {"title": "value", "$ref": "#/$defs/uint"},
            "input": {"title": "input data", "$ref": "#/$defs/bytes"},
            "maxPriorityFeePerGas": {"title": "max priority fee per gas", "$ref": "#/$defs/uint"},
            "maxFeePerGas": {"title": "max fee per gas", "$ref": "#/$defs/uint"},
            "maxFeePerBlobGas": {"title": "max fee per blob gas", "$ref": "#/$defs/uint"},
            "gasPrice": {"title": "gas price", "$ref": "#/$defs/uint"},
            "accessList": {"title": "accessList", "$ref": "#/$defs/AccessList"},
            "blobVersionedHashes": {
                "title": "blobVersionedHashes",
                "type": "array",
                "items": _ref("hash32"),
            },
            "chainId": {"title": "chainId", "$ref": "#/$defs/uint"},
        },
    },
    # src/schemas/transaction.yaml: Transaction4844UnsignedWithSidecar
    "Transaction4844UnsignedWithSidecar": {
        "title": "Unsigned 4844 transaction with sidecar",
        "type": "object",
        "allOf": [
            _ref("Transaction4844Unsigned"),
            {
                "title": "EIP-4844 transaction signature properties.",
                "required": ["blobs", "commitments", "proofs"],
                "properties": {
                    "blobs": {"title": "blobs", "type": "array", "items": _ref("bytes")},
                    "commitments": {
                        "title": "Blob commitments.",
                        "type": "array",
                        "items": _ref("bytes"),
                    },
                    "proofs": {"title": "Blob proofs.", "type": "array", "items": _ref("bytes")},
                },
            },
        ],
    },
    # src/schemas/transaction.yaml: AccessListEntry
    "AccessListEntry": {
        "title": "Access list entry",
        "type": "object",
        "additionalProperties": False,
        "required": ["address", "storageKeys"],
        "properties": {
            "address": _ref("address"),
            "storageKeys": {"type": "array", "items": _ref("hash32")},
        },
    },
    # src/schemas/transaction.yaml: AccessList
    "AccessList": {"title": "Access list", "type": "array", "items": _ref("AccessListEntry")},
    # src/schemas/transaction.yaml: Transaction1559Unsigned
    "Transaction1559Unsigned": {
        "type": "object",
        "title": "EIP-1559 transaction.",
        "required": [
            "type",
            "nonce",
            "gas",
            "value",
            "input",
            "maxFeePerGas",
            "maxPriorityFeePerGas",
            "gasPrice",
            "chainId",
            "accessList",
        ],
        "properties": {
            "type": {"title": "type", "type": "string", "pattern": "^0x2$"},
            "nonce": {"title": "nonce", "$ref": "#/$defs/uint"},
            "to": {
                "title": "to address",
                "oneOf": [
                    {"title": "Contract Creation (null)", "type": "null"},
                    {"title": "Address", "$ref": "#/$defs/address"},
                ],
            },
            "gas": {"title": "gas limit", "$ref": "#/$defs/uint"},
            "value": {"title": "value", "$ref": "#/$defs/uint"},
            "input": {"title": "input data", "$ref": "#/$defs/bytes"},
            "maxPriorityFeePerGas": {"title": "max priority fee per gas", "$ref": "#/$defs/uint"},
            "maxFeePerGas": {"title": "max fee per gas", "$ref": "#/$defs/uint"},
            "gasPrice": {"title": "gas price", "$ref": "#/$defs/uint"},
            "accessList": {"title": "accessList", "$ref": "#/$defs/AccessList"},
            "chainId": {"title": "chainId", "$ref": "#/$defs/uint"},
        },
    },
    # src/schemas/transaction.yaml: Transaction2930Unsigned
    "Transaction2930Unsigned": {
        "type": "object",
        "title": "EIP-2930 transaction.",
        "required": ["type", "nonce", "gas", "value", "input", "gasPrice", "chainId", "accessList"],
        "properties": {
            "type": {"title": "type", "type": "string", "pattern": "^0x1$"},
            "nonce": {"title": "nonce", "$ref": "#/$defs/uint"},
            "to": {
                "title": "to address",
                "oneOf": [
                    {"title": "Contract Creation (null)", "type": "null"},
                    {"title": "Address", "$ref": "#/$defs/address"},
                ],
            },
            "gas": {"title": "gas limit", "$ref": "#/$defs/uint"},
            "value": {"title": "value", "$ref": "#/$defs/uint"},
            "input": {"title": "input data", "$ref": "#/$defs/bytes"},
            "gasPrice": {"title": "gas price", "$ref": "#/$defs/uint"},
            "accessList": {"title": "accessList", "$ref": "#/$defs/AccessList"},
            "chainId": {"title": "chainId", "$ref": "#/$defs/uint"},
        },
    },
    # src/schemas/transaction.yaml: TransactionLegacyUnsigned
    "TransactionLegacyUnsigned": {
        "type": "object",
        "title": "Legacy transaction.",
        "required": ["type", "nonce", "gas", "value", "input", "gasPrice"],
        "properties": {
            "type": {"title": "type", "type": "string", "pattern": "^0x0$"},
            "nonce": {"title": "nonce", "$ref": "#/$defs/uint"},
            "to": {
                "title": "to address",
                "oneOf": [
                    {"title": "Contract Creation (null)", "type": "null"},
                    {"title": "Address", "$ref": "#/$defs/address"},
                ],
            },
            "gas": {"title": "gas limit", "$ref": "#/$defs/uint"},
            "value": {"title": "value", "$ref": "#/$defs/uint"},
            "input": {"title": "input data", "$ref": "#/$defs/bytes"},
            "gasPrice": {"title": "gas price", "$ref": "#/$defs/uint"},
            "chainId": {"title": "chainId", "$ref": "#/$defs/uint"},
        },
    },
    # src/schemas/transaction.yaml: Transaction7702Signed
    "Transaction7702Signed": {
        "title": "Signed 7702 Transaction",
        "type": "object",
        "allOf": [
            _ref("Transaction7702Unsigned"),
            {
                "title": "EIP-7702 transaction signature properties.",
                "required": ["yParity", "r", "s"],
                "properties": {
                    "yParity": {"title": "yParity", "$ref": "#/$defs/byte"},
                    "v": {"title": "v", "$ref": "#/$defs/byte"},
                    "r": {"title": "r", "$ref": "#/$defs/uint"},
                    "s": {"title": "s", "$ref": "#/$defs/uint"},
                },
            },
        ],
    },
    # src/schemas/transaction.yaml: Transaction4844Signed
    "Transaction4844Signed": {
        "title": "Signed 4844 Transaction",
        "type": "object",
        "allOf": [
            _ref("Transaction4844Unsigned"),
            {
                "title": "EIP-4844 transaction signature properties.",
                "required": ["yParity", "r", "s"],
                "properties": {
                    "yParity": {"title": "yParity", "$ref": "#/$defs/byte"},
                    "v": {"title": "v", "$ref": "#/$defs/byte"},
                    "r": {"title": "r", "$ref": "#/$defs/uint"},
                    "s": {"title": "s", "$ref": "#/$defs/uint"},
                },
            },
        ],
    },
    # src/schemas/transaction.yaml: Transaction1559Signed
    "Transaction1559Signed": {
        "title": "Signed 1559 Transaction",
        "type": "object",
        "allOf": [
            _ref("Transaction1559Unsigned"),
            {
                "title": "EIP-1559 transaction signature properties.",
                "required": ["yParity", "r", "s"],
                "properties": {
                    "yParity": {"title": "yParity", "$ref": "#/$defs/byte"},
                    "v": {"title": "v", "$ref": "#/$defs/byte"},
                    "r": {"title": "r", "$ref": "#/$defs/uint"},
                    "s": {"title": "s", "$ref": "#/$defs/uint"},
                },
            },
        ],
    },
    # src/schemas/transaction.yaml: Transaction2930Signed
    "Transaction2930Signed": {
        "title": "Signed 2930 Transaction",
        "type": "object",
        "allOf": [
            _ref("Transaction2930Unsigned"),
            {
                "title": "EIP-2930 transaction signature properties.",
                "required": ["yParity", "r", "s"],
                "properties": {
                    "yParity": {"title": "yParity", "$ref": "#/$defs/byte"},
                    "v": {"title": "v", "$ref": "#/$defs/byte"},
                    "r": {"title": "r", "$ref": "#/$defs/uint"},
                    "s": {"title": "s", "$ref": "#/$defs/uint"},
                },
            },
        ],
    },
    # src/schemas/transaction.yaml: TransactionLegacySigned
    "TransactionLegacySigned": {
        "title": "Signed Legacy Transaction",
        "type": "object",
        "allOf": [
            _ref("TransactionLegacyUnsigned"),
            {
                "title": "Legacy transaction signature properties.",
                "required": ["v", "r", "s"],
                "properties": {
                    "v": {"title": "v", "$ref": "#/$defs/uint"},
                    "r": {"title": "r", "$ref": "#/$defs/uint"},
                    "s": {"title": "s", "$ref": "#/$defs/uint"},
                },
            },
        ],
    },
    # src/schemas/transaction.yaml: TransactionSigned
    "TransactionSigned": {
        "oneOf": [
            _ref("Transaction7702Signed"),
            _ref("Transaction4844Signed"),
            _ref("Transaction1559Signed"),
            _ref("Transaction2930Signed"),
            _ref("TransactionLegacySigned"),
        ]
    },
    # src/schemas/transaction.yaml: TransactionInfo
    "TransactionInfo": {
        "type": "object",
        "title": "Transaction information",
        "allOf": [
            {
                "title": "Contextual information",
                "required": [
                    "blockHash",
                    "blockNumber",
                    "blockTimestamp",
                    "from",
                    "hash",
                    "transactionIndex",
                ],
                "properties": {
                    "blockHash": {"title": "block hash", "$ref": "#/$defs/hash32"},
                    "blockNumber": {"title": "block number", "$ref": "#/$defs/uint"},
                    "blockTimestamp": {"title": "block timestamp", "$ref": "#/$defs/uint"},
                    "from": {"title": "from address", "$ref": "#/$defs/address"},
                    "hash": {"title": "transaction hash", "$ref": "#/$defs/hash32"},
                    "transactionIndex": {"title": "transaction index", "$ref": "#/$defs/uint"},
                },
            },
            _ref("TransactionSigned"),
        ],
    },
    # src/schemas/transaction.yaml: GenericTransaction
    "GenericTransaction": {
        "type": "object",
        "title": "Transaction object generic to all types",
        "additionalProperties": False,
        "properties": {
            "type": {"title": "type", "$ref": "#/$defs/byte"},
            "nonce": {"title": "nonce", "$ref": "#/$defs/uint"},
            "to": {
                "title": "to address",
                "oneOf": [
                    {"title": "Contract Creation (null)", "type": "null"},
                    {"title": "Address", "$ref": "#/$defs/address"},
                ],
            },
            "from": {"title": "from address", "$ref": "#/$defs/address"},
            "gas": {"title": "gas limit", "$ref": "#/$defs/uint"},
            "value": {"title": "value", "$ref": "#/$defs/uint"},
            "input": {"title": "input data", "$ref": "#/$defs/bytes"},
            "gasPrice": {"title": "gas price", "$ref": "#/$defs/uint"},
            "maxPriorityFeePerGas": {"title": "max priority fee per gas", "$ref": "#/$defs/uint"},
            "maxFeePerGas": {"title": "max fee per gas", "$ref": "#/$defs/uint"},
            "maxFeePerBlobGas": {"title": "max fee per blob gas", "$ref": "#/$defs/uint"},
            "accessList": {"title": "accessList", "$ref": "#/$defs/AccessList"},
            "blobVersionedHashes": {
                "title": "blobVersionedHashes",
                "type": "array",
                "items": _ref("hash32"),
            },
            "blobs": {"title": "blobs", "type": "array", "items": _ref("bytes")},
            "commitments": {"title": "commitments", "type": "array", "items": _ref("bytes")},
            "proofs": {"title": "proofs", "type": "array", "items": _ref("bytes")},
            "chainId": {"title": "chainId", "$ref": "#/$defs/uint"},
            "authorizationList": {
                "title": "authorizationList",
                "$ref": "#/$defs/AuthorizationList",
            },
        },
    },
    # src/schemas/transaction.yaml: SignTransactionResult
    "SignTransactionResult": {
        "type": "object",
        "title": "Encoded and raw signed transaction object.",
        "required": ["raw", "tx"],
        "properties": {
            "raw": {"title": "raw", "$ref": "#/$defs/bytes"},
            "tx": {"title": "tx", "$ref": "#/$defs/TransactionSigned"},
        },
    },
    # src/schemas/transaction.yaml: FilledTransaction
    "FilledTransaction": {
        "oneOf": [
            _ref("Transaction7702Unsigned"),
            _ref("Transaction4844UnsignedWithSidecar"),
            _ref("Transaction4844Unsigned"),
            _ref("Transaction1559Unsigned"),
            _ref("Transaction2930Unsigned"),
            _ref("TransactionLegacyUnsigned"),
        ]
    },
    # src/schemas/transaction.yaml: FillTransactionResult
    "FillTransactionResult": {
        "type": "object",
        "title": "Filled unsigned transaction object.",
        "required": ["tx"],
        "properties": {"tx": {"title": "tx", "$ref": "#/$defs/FilledTransaction"}},
    },
    # src/schemas/withdrawal.yaml: Withdrawal
    "Withdrawal": {
        "type": "object",
        "title": "Validator withdrawal",
        "required": ["index", "validatorIndex", "address", "amount"],
        "additionalProperties": False,
        "properties": {
            "index": {"title": "index of withdrawal", "$ref": "#/$defs/uint64"},
            "validatorIndex": {
                "title": "index of validator that generated withdrawal",
                "$ref": "#/$defs/uint64",
            },
            "address": {
                "title": "recipient address for withdrawal value",
                "$ref": "#/$defs/address",
            },
            "amount": {"title": "value contained in withdrawal", "$ref": "#/$defs/uint256"},
        },
    },
    # src/schemas/withdrawal.yaml: Withdrawals
    "Withdrawals": {
        "title": "Validator withdrawals list",
        "type": "array",
        "items": _ref("Withdrawal"),
    },
}

# Every method defined in src/eth/*.yaml: 45 in all, 44 eth_* plus net_version (src/eth/client.yaml).
SPEC_ETH_METHODS: tuple[str, ...] = (
    "eth_getBlockByHash",  # src/eth/block.yaml
    "eth_getBlockByNumber",  # src/eth/block.yaml
    "eth_getBlockTransactionCountByHash",  # src/eth/block.yaml
    "eth_getBlockTransactionCountByNumber",  # src/eth/block.yaml
    "eth_getBlockReceipts",  # src/eth/block.yaml
    "eth_getBlockAccessList",  # src/eth/block.yaml
    "eth_capabilities",  # src/eth/capabilities.yaml
    "eth_chainId",  # src/eth/client.yaml
    "eth_syncing",  # src/eth/client.yaml
    "eth_coinbase",  # src/eth/client.yaml
    "eth_accounts",  # src/eth/client.yaml
    "eth_blockNumber",  # src/eth/client.yaml
    "eth_config",  # src/eth/client.yaml
    "net_version",  # src/eth/client.yaml
    "eth_call",  # src/eth/execute.yaml
    "eth_estimateGas",  # src/eth/execute.yaml
    "eth_createAccessList",  # src/eth/execute.yaml
    "eth_simulateV1",  # src/eth/execute.yaml
    "eth_gasPrice",  # src/eth/fee_market.yaml
    "eth_baseFee",  # src/eth/fee_market.yaml
    "eth_blobBaseFee",  # src/eth/fee_market.yaml
    "eth_maxPriorityFeePerGas",  # src/eth/fee_market.yaml
    "eth_feeHistory",  # src/eth/fee_market.yaml
    "eth_fillTransaction",  # src/eth/fill.yaml
    "eth_newFilter",  # src/eth/filter.yaml
    "eth_newBlockFilter",  # src/eth/filter.yaml
    "eth_newPendingTransactionFilter",  # src/eth/filter.yaml
    "eth_uninstallFilter",  # src/eth/filter.yaml
    "eth_getFilterChanges",  # src/eth/filter.yaml
    "eth_getFilterLogs",  # src/eth/filter.yaml
    "eth_getLogs",  # src/eth/filter.yaml
    "eth_sign",  # src/eth/sign.yaml
    "eth_signTransaction",  # src/eth/sign.yaml
    "eth_getBalance",  # src/eth/state.yaml
    "eth_getStorageAt",  # src/eth/state.yaml
    "eth_getStorageValues",  # src/eth/state.yaml
    "eth_getTransactionCount",  # src/eth/state.yaml
    "eth_getCode",  # src/eth/state.yaml
    "eth_getProof",  # src/eth/state.yaml
    "eth_sendTransaction",  # src/eth/submit.yaml
    "eth_sendRawTransaction",  # src/eth/submit.yaml
    "eth_getTransactionByHash",  # src/eth/transaction.yaml
    "eth_getTransactionByBlockHashAndIndex",  # src/eth/transaction.yaml
    "eth_getTransactionByBlockNumberAndIndex",  # src/eth/transaction.yaml
    "eth_getTransactionReceipt",  # src/eth/transaction.yaml
)

# Result schema of each method as written in its src/eth file (refs into DEFS).
_RESULTS: dict[str, dict[str, Any]] = {
    # src/eth/block.yaml: eth_getBlockByHash -> Block information
    "eth_getBlockByHash": {"oneOf": [_ref("notFound"), _ref("Block")]},
    # src/eth/block.yaml: eth_getBlockByNumber -> Block information
    "eth_getBlockByNumber": {"oneOf": [_ref("notFound"), _ref("Block")]},
    # src/eth/block.yaml: eth_getBlockTransactionCountByHash -> Transaction count
    "eth_getBlockTransactionCountByHash": {
        "oneOf": [_ref("notFound"), {"title": "Transaction count", "$ref": "#/$defs/uint"}]
    },
    # src/eth/block.yaml: eth_getBlockTransactionCountByNumber -> Transaction count
    "eth_getBlockTransactionCountByNumber": {
        "oneOf": [_ref("notFound"), {"title": "Transaction count", "$ref": "#/$defs/uint"}]
    },
    # src/eth/block.yaml: eth_getBlockReceipts -> Receipts information
    "eth_getBlockReceipts": {
        "oneOf": [
            _ref("notFound"),
            {"title": "Receipts information", "type": "array", "items": _ref("ReceiptInfo")},
        ]
    },
    # src/eth/block.yaml: eth_getBlockAccessList -> Block access list
    "eth_getBlockAccessList": {"oneOf": [_ref("notFound"), _ref("BlockAccessList")]},
    # src/eth/capabilities.yaml: eth_capabilities -> Capabilities
    "eth_capabilities": _ref("EthCapabilities"),
    # src/eth/client.yaml: eth_chainId -> Chain ID
    "eth_chainId": _ref("uint"),
    # src/eth/client.yaml: eth_syncing -> Syncing status
    "eth_syncing": _ref("SyncingStatus"),
    # src/eth/client.yaml: eth_coinbase -> Coinbase address
    "eth_coinbase": _ref("address"),
    # src/eth/client.yaml: eth_accounts -> Accounts
    "eth_accounts": {"title": "Accounts", "type": "array", "items": _ref("address")},
    # src/eth/client.yaml: eth_blockNumber -> Block number
    "eth_blockNumber": _ref("uint"),
    # src/eth/client.yaml: eth_config -> Configuration
    "eth_config": _ref("ConfigurationResponse"),
    # src/eth/client.yaml: net_version -> Network ID
    "net_version": _ref("uintDecimal"),
    # src/eth/execute.yaml: eth_call -> Return data
    "eth_call": _ref("bytes"),
    # src/eth/execute.yaml: eth_estimateGas -> Gas used
    "eth_estimateGas": _ref("uint"),
    # src/eth/execute.yaml: eth_createAccessList -> Gas used
    "eth_createAccessList": {
        "title": "Access list result",
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "accessList": {"title": "accessList", "$ref": "#/$defs/AccessList"},
            "error": {"title": "error", "type": "string"},
            "gasUsed": {"title": "Gas used", "$ref": "#/$defs/uint"},
        },
    },
    # src/eth/execute.yaml: eth_simulateV1 -> Result of calls
    "eth_simulateV1": _ref("EthSimulateResult"),
    # src/eth/fee_market.yaml: eth_gasPrice -> Gas price
    "eth_gasPrice": {"title": "Gas price", "$ref": "#/$defs/uint"},
    # src/eth/fee_market.yaml: eth_baseFee -> Base fee
    "eth_baseFee": {"title": "Base fee", "$ref": "#/$defs/uint"},
    # src/eth/fee_market.yaml: eth_blobBaseFee -> Blob gas base fee
    "eth_blobBaseFee": {"title": "Blob gas base fee", "$ref": "#/$defs/uint"},
    # src/eth/fee_market.yaml: eth_maxPriorityFeePerGas -> Max priority fee per gas
    "eth_maxPriorityFeePerGas": {"title": "Max priority fee per gas", "$ref": "#/$defs/uint"},
    # src/eth/fee_market.yaml: eth_feeHistory -> Fee history result
    "eth_feeHistory": {
        "title": "feeHistoryResults",
        "type": "object",
        "required": ["oldestBlock", "baseFeePerGas", "gasUsedRatio"],
        "additionalProperties": False,
        "properties": {
            "oldestBlock": {"title": "oldestBlock", "$ref": "#/$defs/uint"},
            "baseFeePerGas": {
                "title": "baseFeePerGasArray",
                "type": "array",
                "items": _ref("uint"),
            },
            "baseFeePerBlobGas": {
                "title": "baseFeePerBlobGasArray",
                "type": "array",
                "items": _ref("uint"),
            },
            "gasUsedRatio": {"title": "gasUsedRatio", "type": "array", "items": _ref("ratio")},
            "blobGasUsedRatio": {
                "title": "blobGasUsedRatio",
                "type": "array",
                "items": _ref("ratio"),
            },
            "reward": {
                "title": "rewardArray",
                "type": "array",
                "items": {
                    "title": "rewardPercentile",
                    "type": "array",
                    "items": {"title": "rewardPercentile", "$ref": "#/$defs/uint"},
                },
            },
        },
    },
    # src/eth/fill.yaml: eth_fillTransaction -> Transaction result
    "eth_fillTransaction": _ref("FillTransactionResult"),
    # src/eth/filter.yaml: eth_newFilter -> Filter identifier
    "eth_newFilter": _ref("uint"),
    # src/eth/filter.yaml: eth_newBlockFilter -> Filter identifier
    "eth_newBlockFilter": _ref("uint"),
    # src/eth/filter.yaml: eth_newPendingTransactionFilter -> Filter identifier
    "eth_newPendingTransactionFilter": _ref("uint"),
    # src/eth/filter.yaml: eth_uninstallFilter -> Success
    "eth_uninstallFilter": {"type": "boolean"},
    # src/eth/filter.yaml: eth_getFilterChanges -> Log objects
    "eth_getFilterChanges": _ref("FilterResults"),
    # src/eth/filter.yaml: eth_getFilterLogs -> Log objects
    "eth_getFilterLogs": _ref("FilterResults"),
    # src/eth/filter.yaml: eth_getLogs -> Log objects
    "eth_getLogs": _ref("FilterResults"),
    # src/eth/sign.yaml: eth_sign -> Signature
    "eth_sign": _ref("bytes65"),
    # src/eth/sign.yaml: eth_signTransaction -> Transaction result
    "eth_signTransaction": _ref("SignTransactionResult"),
    # src/eth/state.yaml: eth_getBalance -> Balance
    "eth_getBalance": _ref("uint"),
    # src/eth/state.yaml: eth_getStorageAt -> Value
    "eth_getStorageAt": _ref("bytes"),
    # src/eth/state.yaml: eth_getStorageValues -> Values
    "eth_getStorageValues": {
        "title": "Storage values",
        "type": "object",
        "additionalProperties": {"title": "Slot values", "type": "array", "items": _ref("bytes")},
    },
    # src/eth/state.yaml: eth_getTransactionCount -> Account nonce
    "eth_getTransactionCount": _ref("uint"),
    # src/eth/state.yaml: eth_getCode -> Bytecode
    "eth_getCode": _ref("bytes"),
    # src/eth/state.yaml: eth_getProof -> Account
    "eth_getProof": _ref("AccountProof"),
    # src/eth/submit.yaml: eth_sendTransaction -> Transaction hash
    "eth_sendTransaction": _ref("hash32"),
    # src/eth/submit.yaml: eth_sendRawTransaction -> Transaction hash
    "eth_sendRawTransaction": _ref("hash32"),
    # src/eth/transaction.yaml: eth_getTransactionByHash -> Transaction information
    "eth_getTransactionByHash": {"oneOf": [_ref("notFound"), _ref("TransactionInfo")]},
    # src/eth/transaction.yaml: eth_getTransactionByBlockHashAndIndex -> Transaction information
    "eth_getTransactionByBlockHashAndIndex": {"oneOf": [_ref("notFound"), _ref("TransactionInfo")]},
    # src/eth/transaction.yaml: eth_getTransactionByBlockNumberAndIndex -> Transaction information
    "eth_getTransactionByBlockNumberAndIndex": {
        "oneOf": [_ref("notFound"), _ref("TransactionInfo")]
    },
    # src/eth/transaction.yaml: eth_getTransactionReceipt -> Receipt information
    "eth_getTransactionReceipt": {"oneOf": [_ref("notFound"), _ref("ReceiptInfo")]},
}

# Params per method, in order: (spec name, required, schema). The spec omits `required` on a few
# params (e.g. eth_getBlockTransactionCountByHash); OpenRPC's default for that is False.
_PARAMS: dict[str, list[tuple[str, bool, dict[str, Any]]]] = {
    # src/eth/block.yaml
    "eth_getBlockByHash": [
        ("Block hash", True, _ref("hash32")),
        ("Hydrated transactions", True, {"title": "hydrated", "type": "boolean"}),
    ],
    # src/eth/block.yaml
    "eth_getBlockByNumber": [
        ("Block", True, _ref("BlockNumberOrTag")),
        ("Hydrated transactions", True, {"title": "hydrated", "type": "boolean"}),
    ],
    # src/eth/block.yaml
    "eth_getBlockTransactionCountByHash": [("Block hash", False, _ref("hash32"))],
    # src/eth/block.yaml
    "eth_getBlockTransactionCountByNumber": [("Block", False, _ref("BlockNumberOrTag"))],
    # src/eth/block.yaml
    "eth_getBlockReceipts": [("Block", True, _ref("BlockNumberOrTagOrHash"))],
    # src/eth/block.yaml
    "eth_getBlockAccessList": [("Block", True, _ref("BlockNumberOrTagOrHash"))],
    # src/eth/capabilities.yaml
    "eth_capabilities": [],
    # src/eth/client.yaml
    "eth_chainId": [],
    # src/eth/client.yaml
    "eth_syncing": [],
    # src/eth/client.yaml
    "eth_coinbase": [],
    # src/eth/client.yaml
    "eth_accounts": [],
    # src/eth/client.yaml
    "eth_blockNumber": [],
    # src/eth/client.yaml
    "eth_config": [],
    # src/eth/client.yaml
    "net_version": [],
    # src/eth/execute.yaml
    "eth_call": [
        ("Transaction", True, _ref("GenericTransaction")),
        ("Block", False, _ref("BlockNumberOrTagOrHash")),
    ],
    # src/eth/execute.yaml
    "eth_estimateGas": [
        ("Transaction", True, _ref("GenericTransaction")),
        ("Block", False, _ref("BlockNumberOrTag")),
    ],
    # src/eth/execute.yaml
    "eth_createAccessList": [
        ("Transaction", True, _ref("GenericTransaction")),
        ("Block", False, _ref("BlockNumberOrTag")),
    ],
    # src/eth/execute.yaml
    "eth_simulateV1": [
        ("Payload", True, _ref("EthSimulatePayload")),
        ("Block tag", False, _ref("BlockNumberOrTagOrHash")),
    ],
    # src/eth/fee_market.yaml
    "eth_gasPrice": [],
    # src/eth/fee_market.yaml
    "eth_baseFee": [],
    # src/eth/fee_market.yaml
    "eth_blobBaseFee": [],
    # src/eth/fee_market.yaml
    "eth_maxPriorityFeePerGas": [],
    # src/eth/fee_market.yaml
    "eth_feeHistory": [
        ("blockCount", True, _ref("uint")),
        ("newestBlock", True, _ref("BlockNumberOrTag")),
        (
            "rewardPercentiles",
            True,
            {
                "title": "rewardPercentiles",
                "type": "array",
                "items": {"title": "rewardPercentile", "type": "number"},
            },
        ),
    ],
    # src/eth/fill.yaml
    "eth_fillTransaction": [("Transaction", True, _ref("GenericTransaction"))],
    # src/eth/filter.yaml
    "eth_newFilter": [("Filter", True, _ref("Filter"))],
    # src/eth/filter.yaml
    "eth_newBlockFilter": [],
    # src/eth/filter.yaml
    "eth_newPendingTransactionFilter": [],
    # src/eth/filter.yaml
    "eth_uninstallFilter": [("Filter identifier", True, _ref("uint"))],
    # src/eth/filter.yaml
    "eth_getFilterChanges": [("Filter identifier", True, _ref("uint"))],
    # src/eth/filter.yaml
    "eth_getFilterLogs": [("Filter identifier", True, _ref("uint"))],
    # src/eth/filter.yaml
    "eth_getLogs": [("Filter", True, _ref("Filter"))],
    # src/eth/sign.yaml
    "eth_sign": [("Address", True, _ref("address")), ("Message", True, _ref("bytes"))],
    # src/eth/sign.yaml
    "eth_signTransaction": [("Transaction", True, _ref("GenericTransaction"))],
    # src/eth/state.yaml
    "eth_getBalance": [
        ("Address", True, _ref("address")),
        ("Block", False, _ref("BlockNumberOrTagOrHash")),
    ],
    # src/eth/state.yaml
    "eth_getStorageAt": [
        ("Address", True, _ref("address")),
        ("Storage slot", True, _ref("bytesMax32")),
        ("Block", False, _ref("BlockNumberOrTagOrHash")),
    ],
    # src/eth/state.yaml
    "eth_getStorageValues": [
        (
            "Requests",
            True,
            {
                "title": "Storage requests",
                "type": "object",
                "additionalProperties": {
                    "title": "Storage keys",
                    "type": "array",
                    "items": _ref("bytesMax32"),
                },
            },
        ),
        ("Block", False, _ref("BlockNumberOrTagOrHash")),
    ],
    # src/eth/state.yaml
    "eth_getTransactionCount": [
        ("Address", True, _ref("address")),
        ("Block", False, _ref("BlockNumberOrTagOrHash")),
    ],
    # src/eth/state.yaml
    "eth_getCode": [
        ("Address", True, _ref("address")),
        ("Block", False, _ref("BlockNumberOrTagOrHash")),
    ],
    # src/eth/state.yaml
    "eth_getProof": [
        ("Address", True, _ref("address")),
        (
            "StorageKeys",
            True,
            {"title": "Storage keys", "type": "array", "items": _ref("bytesMax32")},
        ),
        ("Block", False, _ref("BlockNumberOrTagOrHash")),
    ],
    # src/eth/submit.yaml
    "eth_sendTransaction": [("Transaction", True, _ref("GenericTransaction"))],
    # src/eth/submit.yaml
    "eth_sendRawTransaction": [("Transaction", True, _ref("bytes"))],
    # src/eth/transaction.yaml
    "eth_getTransactionByHash": [("Transaction hash", True, _ref("hash32"))],
    # src/eth/transaction.yaml
    "eth_getTransactionByBlockHashAndIndex": [
        ("Block hash", True, _ref("hash32")),
        ("Transaction index", True, _ref("uint")),
    ],
    # src/eth/transaction.yaml
    "eth_getTransactionByBlockNumberAndIndex": [
        ("Block", True, _ref("BlockNumberOrTag")),
        ("Transaction index", True, _ref("uint")),
    ],
    # src/eth/transaction.yaml
    "eth_getTransactionReceipt": [("Transaction hash", True, _ref("hash32"))],
}


def _refs_in(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            yield ref.removeprefix("#/$defs/")
        for value in node.values():
            yield from _refs_in(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs_in(value)


def _closure(schema: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The DEFS entries ``schema`` reaches, directly or through other DEFS entries."""
    seen: dict[str, dict[str, Any]] = {}
    todo = list(_refs_in(schema))
    while todo:
        name = todo.pop()
        if name not in seen:
            seen[name] = DEFS[name]
            todo.extend(_refs_in(DEFS[name]))
    return dict(sorted(seen.items()))


def _standalone(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` as a self-contained draft 2019-09 document: local ``$defs`` hold its refs."""
    out: dict[str, Any] = {"$schema": DRAFT, **schema}
    defs = _closure(schema)
    if defs:
        out["$defs"] = defs
    return out


# Result schema of every spec method, each a standalone JSON Schema (refs resolve in "$defs").
RESULT_SCHEMAS: dict[str, dict[str, Any]] = {
    name: _standalone(schema) for name, schema in _RESULTS.items()
}

# Params of every spec method, in order: (spec name, required, standalone JSON Schema).
PARAM_SCHEMAS: dict[str, list[tuple[str, bool, dict[str, Any]]]] = {
    name: [(param, required, _standalone(schema)) for param, required, schema in params]
    for name, params in _PARAMS.items()
}

assert set(SPEC_ETH_METHODS) == set(RESULT_SCHEMAS) == set(PARAM_SCHEMAS)
assert len(SPEC_ETH_METHODS) == 45


@functools.cache
def _validator(method: str) -> jsonschema.Draft201909Validator:
    schema = RESULT_SCHEMAS[method]
    jsonschema.Draft201909Validator.check_schema(schema)
    return jsonschema.Draft201909Validator(schema)


def _where(error: ValidationError) -> str:
    path = "result"
    for part in error.absolute_path:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path


def _mismatch_depth(error: ValidationError) -> float:
    """How deep below a oneOf/anyOf branch the value is of the wrong kind (inf: never)."""
    if error.validator in ("type", "const", "enum"):
        return len(error.relative_path)
    if list(error.relative_path) == ["type"] and error.validator == "pattern":
        return 0  # a transaction's "type" picks its variant: a mismatch there is a wrong branch
    return float("inf")


def _branch_cost(errors: list[ValidationError]) -> tuple[float, int]:
    """Lower is closer: the shallower a wrong-kind mismatch, the less likely the intended branch."""
    return (-min(map(_mismatch_depth, errors)), len(errors))


def _short(text: str, limit: int = 240) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _explain(errors: Iterable[ValidationError]) -> Iterator[str]:
    for error in errors:
        if error.validator in ("oneOf", "anyOf") and error.context:
            # Report why the closest branch failed (e.g. the ReceiptInfo branch, not "not null").
            branches: dict[int, list[ValidationError]] = {}
            for sub in error.context:
                branches.setdefault(sub.relative_schema_path[0], []).append(sub)
            best = min(branches.values(), key=_branch_cost)
            if len(branches) > 1 and _branch_cost(best)[0] == 0:
                titles = [
                    s.get("title") or s.get("$ref", "?").removeprefix("#/$defs/")
                    for s in error.schema[error.validator]
                ]
                yield _short(f"{_where(error)}: matches none of {titles}: {error.instance!r}")
                continue
            yield from _explain(best)
        elif error.validator == "oneOf" and error.instance == []:
            continue  # the FilterResults ambiguity described in the module docstring
        else:
            yield _short(f"{_where(error)}: {error.message}")


def validate_result(method: str, result: object) -> list[str]:
    """Schema violations of ``result`` as an answer to spec method ``method`` (empty when valid).

    Raises KeyError for a method the spec's src/eth does not define.
    """
    if method not in RESULT_SCHEMAS:
        raise KeyError(f"{method!r} is not a method of the execution-apis spec (src/eth)")
    errors = sorted(_validator(method).iter_errors(result), key=lambda e: list(e.absolute_path))
    return list(dict.fromkeys(_explain(errors)))
