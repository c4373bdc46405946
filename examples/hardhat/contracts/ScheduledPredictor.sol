// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ModelCaller} from "./ModelCaller.sol";

/// A workflow: once registered with the network's scheduler
/// (`WorkflowScheduler.registerTask(address(this), endTime, frequency)`), the scheduler calls
/// `run()` every `frequency` seconds until `endTime`. On og devnet the runs happen when chain
/// time passes their due times, however it is moved (`time.increase`, `mine`, ...).
/// Each run has the model predict from the run's number: x = [runs, 0, 0].
contract ScheduledPredictor {
    /// The workflow scheduler, in genesis on the Alpha Testnet and on og devnet.
    address public constant SCHEDULER = 0x7179724De4e7FF9271FA40C0337c7f90C0508eF6;

    ModelCaller public immutable caller;
    /// How many times the scheduler ran this workflow, and the block time of the last run.
    uint256 public runs;
    uint256 public lastRunAt;

    constructor(ModelCaller modelCaller) {
        caller = modelCaller;
    }

    function run() external {
        require(msg.sender == SCHEDULER, "ScheduledPredictor: only the scheduler runs it");
        runs += 1;
        lastRunAt = block.timestamp;
        caller.predict([int128(int256(runs)), int128(0), int128(0)], 0);
    }
}
