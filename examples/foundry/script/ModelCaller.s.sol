// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ModelCaller} from "../src/ModelCaller.sol";

/// The cheatcodes this script uses (forge-std's Vm, declared here so the example needs no library).
interface Vm {
    function envString(string calldata name) external view returns (string memory);
    function envUint(string calldata name) external view returns (uint256);
    function startBroadcast(uint256 privateKey) external;
    function stopBroadcast() external;
}

/// Deploys ModelCaller for the model MODEL_CID and runs one prediction on x = [1, 2, 3]:
///   MODEL_CID=Qm... PRIVATE_KEY=0x... forge script script/ModelCaller.s.sol:Deploy \
///       --rpc-url http://127.0.0.1:8545 --broadcast --skip-simulation
///
/// forge first runs this script in its own EVM on a copy of the chain. There, 0x…F4 is not a
/// precompile (it has no code), so predict() cannot succeed: its result is not checked here,
/// and `--skip-simulation` skips forge's second local run of the recorded transactions, which
/// would fail the same way. The node runs them for real: check the receipts and
/// `cast call <address> "prediction()(int128,int128)"`.
contract Deploy {
    Vm internal constant vm = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));

    function run() external returns (ModelCaller caller) {
        string memory cid = vm.envString("MODEL_CID");
        vm.startBroadcast(vm.envUint("PRIVATE_KEY"));
        caller = new ModelCaller(cid);
        int128[3] memory x = [int128(1), 2, 3];
        (bool ranLocally,) = address(caller).call(abi.encodeCall(ModelCaller.predict, (x, 0)));
        ranLocally; // false in forge's EVM (no 0x…F4 there); the broadcast transaction still runs on the node
        vm.stopBroadcast();
    }
}
