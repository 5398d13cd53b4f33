// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import "./X402TestUSDC.sol";

/// @title X402TestFeeToken
/// @notice X402TestUSDC with a fee on every transfer: 1 % of the value (at least one unit) goes to
/// the owner. For tests only. An EIP-3009 `transferWithAuthorization` of `value` then succeeds,
/// but the payee receives less and the receipt logs Transfer(from, to, value - fee) and
/// Transfer(from, owner, fee): exactly what a facilitator must not report as a payment of `value`.
contract X402TestFeeToken is X402TestUSDC {
    function _transfer(address from, address to, uint256 value) internal override {
        uint256 fee = value / 100;
        if (fee == 0 && value != 0) fee = 1;
        super._transfer(from, to, value - fee);
        if (fee != 0) super._transfer(from, _owner, fee);
    }
}
