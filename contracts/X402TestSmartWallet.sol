// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

/// @title X402TestSmartWallet
/// @notice A minimal ERC-1271 contract account for tests: a signature is valid when it is a
/// canonical 65-byte ECDSA signature of the hash by the owner EOA. Lets the tests pay from a
/// contract address (the token then asks this contract instead of running ecrecover).
contract X402TestSmartWallet {
    bytes4 private constant ERC1271_MAGIC = 0x1626ba7e;
    bytes4 private constant ERC1271_INVALID = 0xffffffff;
    uint256 private constant HALF_CURVE_ORDER =
        0x7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF5D576E7357A4501DDFE92F46681B20A0;

    address private _owner;

    event OwnerSet(address indexed owner);

    /// @dev A constructor for normal deployment; `setOwner` once for code placed by anvil_setCode.
    constructor(address walletOwner) {
        if (walletOwner != address(0)) {
            _owner = walletOwner;
            emit OwnerSet(walletOwner);
        }
    }

    function setOwner(address walletOwner) external {
        require(_owner == address(0) || msg.sender == _owner, "X402TestSmartWallet: not the owner");
        _owner = walletOwner;
        emit OwnerSet(walletOwner);
    }

    function owner() external view returns (address) {
        return _owner;
    }

    /// @notice ERC-1271: the owner signed `hash` directly (no message prefix).
    function isValidSignature(bytes32 hash, bytes calldata signature) external view returns (bytes4) {
        if (signature.length != 65 || _owner == address(0)) return ERC1271_INVALID;
        bytes32 r = bytes32(signature[0:32]);
        bytes32 s = bytes32(signature[32:64]);
        uint8 v = uint8(signature[64]);
        if (uint256(s) > HALF_CURVE_ORDER || (v != 27 && v != 28)) return ERC1271_INVALID;
        address signer = ecrecover(hash, v, r, s);
        return signer != address(0) && signer == _owner ? ERC1271_MAGIC : ERC1271_INVALID;
    }

    /// @notice Lets the owner move the wallet's assets (e.g. approve or transfer tokens).
    function execute(address target, uint256 value, bytes calldata data) external payable returns (bytes memory) {
        require(msg.sender == _owner, "X402TestSmartWallet: not the owner");
        (bool ok, bytes memory ret) = target.call{value: value}(data);
        if (!ok) {
            assembly ("memory-safe") {
                revert(add(ret, 0x20), mload(ret))
            }
        }
        return ret;
    }

    receive() external payable {}
}
