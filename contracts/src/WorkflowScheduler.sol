// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// The workflow scheduler, placed at 0x7179724De4e7FF9271FA40C0337c7f90C0508eF6 in genesis.
///
/// `registerTask` is the network's API. The devnet's scheduler calls `executeTask` when a run
/// falls due; it is permissionless but runs each due slot once, in order, so nobody can run a
/// workflow early or twice. A failing run is recorded (event, `failures`) and does not revert.
contract WorkflowScheduler {
    struct Task {
        address owner;
        address contractAddress;
        uint256 endTime;
        uint256 frequency;
        uint256 nextRun;
        uint256 runs;
        uint256 failures;
        bool active;
    }

    /// Gas kept back from a workflow's run() for the bookkeeping after it (the 1/64 the EVM
    /// keeps back comes on top). Unused gas is refunded: it costs nothing.
    uint256 private constant GAS_RESERVE = 100_000;
    /// Longer revert data is cut to this many bytes in TaskExecuted, so a workflow cannot make
    /// the bookkeeping run out of gas.
    uint256 private constant MAX_REVERT_DATA = 1024;

    Task[] private tasks;

    event TaskRegistered(
        uint256 indexed taskId, address indexed owner, address indexed contractAddress, uint256 endTime, uint256 frequency
    );
    event TaskCancelled(uint256 indexed taskId);
    event TaskExecuted(uint256 indexed taskId, uint256 dueTime, bool success, bytes revertData);
    event TaskCompleted(uint256 indexed taskId);

    /// Run `contractAddress.run()` every `frequency` seconds from now until `endTime`.
    function registerTask(address contractAddress, uint256 endTime, uint256 frequency)
        external
        returns (uint256 taskId)
    {
        require(contractAddress.code.length > 0, "WorkflowScheduler: contractAddress has no code");
        require(frequency > 0, "WorkflowScheduler: frequency must be greater than 0");
        require(endTime > block.timestamp, "WorkflowScheduler: endTime must be in the future");
        taskId = tasks.length;
        tasks.push(Task(msg.sender, contractAddress, endTime, frequency, block.timestamp + frequency, 0, 0, true));
        emit TaskRegistered(taskId, msg.sender, contractAddress, endTime, frequency);
    }

    /// Stop a task. Only the account that registered it may.
    function cancelTask(uint256 taskId) external {
        Task storage t = _task(taskId);
        require(msg.sender == t.owner, "WorkflowScheduler: only the task's owner can cancel it");
        require(t.active, "WorkflowScheduler: task is not active");
        t.active = false;
        emit TaskCancelled(taskId);
    }

    /// Run the task's next due slot: permissionless, but only once it is due, so each slot runs
    /// once, in order. The workflow's `run()` gets all the gas but GAS_RESERVE; if it fails,
    /// the failure is recorded (with up to MAX_REVERT_DATA bytes of its revert data) and this
    /// call still succeeds.
    function executeTask(uint256 taskId) external {
        Task storage t = _task(taskId);
        require(t.active, "WorkflowScheduler: task is not active");
        uint256 due = t.nextRun;
        require(due <= t.endTime, "WorkflowScheduler: task has expired");
        require(block.timestamp >= due, "WorkflowScheduler: task is not due");
        require(gasleft() > GAS_RESERVE, "WorkflowScheduler: not enough gas");
        uint256 next = due + t.frequency;
        t.nextRun = next;
        address target = t.contractAddress;
        bool ok;
        bytes memory revertData;
        assembly ("memory-safe") {
            mstore(0, 0xc040622600000000000000000000000000000000000000000000000000000000) // run()
            ok := call(sub(gas(), GAS_RESERVE), target, 0, 0, 4, 0, 0)
            revertData := mload(0x40)
            let n := 0
            if iszero(ok) {
                n := returndatasize()
                if gt(n, MAX_REVERT_DATA) { n := MAX_REVERT_DATA }
                returndatacopy(add(revertData, 32), 0, n)
            }
            mstore(revertData, n)
            mstore(0x40, add(revertData, add(32, n)))
        }
        if (ok) {
            t.runs += 1;
        } else {
            t.failures += 1;
        }
        emit TaskExecuted(taskId, due, ok, revertData);
        if (next > t.endTime && t.active) {
            t.active = false;
            emit TaskCompleted(taskId);
        }
    }

    function taskCount() external view returns (uint256) {
        return tasks.length;
    }

    function getTask(uint256 taskId) external view returns (Task memory) {
        return _task(taskId);
    }

    /// Up to `limit` tasks from `offset`, in registration order.
    function getTasks(uint256 offset, uint256 limit) external view returns (Task[] memory page) {
        uint256 n = tasks.length;
        uint256 end = offset >= n ? offset : (n - offset < limit ? n : offset + limit);
        page = new Task[](end - offset);
        for (uint256 i = offset; i < end; i++) {
            page[i - offset] = tasks[i];
        }
    }

    function _task(uint256 taskId) private view returns (Task storage) {
        require(taskId < tasks.length, "WorkflowScheduler: unknown task");
        return tasks[taskId];
    }
}
