// Helpers for the contract tests: EIP-3009 / EIP-2612 signatures made with our own crypto code,
// calldata for the token's functions, simulation (eth_call) and signed transactions.
#pragma once

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "chain/evm/rpc.hpp"
#include "chain/evm/sender.hpp"
#include "crypto/abi.hpp"
#include "crypto/eip712.hpp"
#include "crypto/keccak.hpp"
#include "support/devnet_fixture.hpp"

namespace x402::test::token {

namespace abi = crypto::abi;
using chain::evm::CallRequest;
using chain::evm::Receipt;
using chain::evm::RpcClient;
using chain::evm::RpcResult;

inline Bytes32 random_nonce() {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  Bytes32 out;
  for (auto& b : out.bytes) b = static_cast<std::uint8_t>(rng());
  return out;
}

inline Bytes32 topic_of(std::string_view event_signature) {
  return crypto::keccak256(event_signature);
}

inline Bytes32 address_topic(const Address& a) {
  Bytes32 t;
  std::copy(a.bytes.begin(), a.bytes.end(), t.bytes.begin() + 12);
  return t;
}

inline crypto::Eip712Domain domain_of(const Devnet& chain) {
  return {chain.info().asset_name, chain.info().asset_version, chain.chain_id(), chain.asset()};
}

// The latest block's timestamp: the clock the token's validity checks use.
inline std::uint64_t chain_now(Devnet& chain) {
  auto block =
      chain.rpc().run([](RpcClient& c) { return c.get_block_by_number(chain::evm::BlockRef::latest()); });
  EXPECT_TRUE(block.ok() && block->has_value());
  return block.ok() && block->has_value() ? (*block)->timestamp : 0;
}

// An authorization for TransferWithAuthorization or ReceiveWithAuthorization.
struct Authorization {
  Address from;
  Address to;
  U256 value;
  U256 valid_after;
  U256 valid_before;
  Bytes32 nonce;
};

inline Authorization authorization(Devnet& chain, const Address& from, const Address& to, const U256& value) {
  const auto now = chain_now(chain);
  return {from, to, value, U256(0), U256(now + 3600), random_nonce()};
}

inline const Bytes32& receive_typehash() {
  static const Bytes32 hash = crypto::keccak256(std::string_view(
      "ReceiveWithAuthorization(address from,address to,uint256 value,uint256 validAfter,uint256 validBefore,"
      "bytes32 nonce)"));
  return hash;
}

inline Bytes32 struct_hash(const Bytes32& typehash, const Authorization& a) {
  return crypto::keccak256(
      abi::encode({abi::Value::bytes32(typehash), abi::Value::address(a.from), abi::Value::address(a.to),
                   abi::Value::uint256(a.value), abi::Value::uint256(a.valid_after),
                   abi::Value::uint256(a.valid_before), abi::Value::bytes32(a.nonce)}));
}

inline Bytes32 transfer_digest(const Devnet& chain, const Authorization& a) {
  return crypto::transfer_with_authorization_digest(
      domain_of(chain), {a.from, a.to, a.value, a.valid_after, a.valid_before, a.nonce});
}

inline Bytes32 receive_digest(const Devnet& chain, const Authorization& a) {
  return crypto::typed_data_digest(crypto::domain_separator(domain_of(chain)),
                                   struct_hash(receive_typehash(), a));
}

inline Bytes32 cancel_digest(const Devnet& chain, const Address& authorizer, const Bytes32& nonce) {
  static const Bytes32 typehash =
      crypto::keccak256(std::string_view("CancelAuthorization(address authorizer,bytes32 nonce)"));
  const Bytes32 hash = crypto::keccak256(abi::encode(
      {abi::Value::bytes32(typehash), abi::Value::address(authorizer), abi::Value::bytes32(nonce)}));
  return crypto::typed_data_digest(crypto::domain_separator(domain_of(chain)), hash);
}

inline std::vector<abi::Value> authorization_args(const Authorization& a) {
  return {abi::Value::address(a.from),         abi::Value::address(a.to),
          abi::Value::uint256(a.value),        abi::Value::uint256(a.valid_after),
          abi::Value::uint256(a.valid_before), abi::Value::bytes32(a.nonce)};
}

// fn(from,to,value,validAfter,validBefore,nonce,uint8 v,bytes32 r,bytes32 s)
inline Bytes encode_vrs(std::string_view fn, const Authorization& a, const Signature& sig) {
  auto args = authorization_args(a);
  args.push_back(abi::Value::uint8(sig.v));
  args.push_back(abi::Value::bytes32(sig.r));
  args.push_back(abi::Value::bytes32(sig.s));
  return abi::encode_call(fn, args);
}

// fn(from,to,value,validAfter,validBefore,nonce,bytes signature)
inline Bytes encode_bytes_sig(std::string_view fn, const Authorization& a, Bytes signature) {
  auto args = authorization_args(a);
  args.push_back(abi::Value::bytes(std::move(signature)));
  return abi::encode_call(fn, args);
}

inline Bytes sig_bytes(const Signature& sig) {
  const auto raw = sig.to_bytes();
  return Bytes(raw.begin(), raw.end());
}

// eth_call from `from` to `to`.
inline RpcResult<Bytes> simulate(Devnet& chain, const Address& from, const Address& to, Bytes data) {
  CallRequest call;
  call.from = from;
  call.to = to;
  call.data = std::move(data);
  return chain.rpc().run([&](RpcClient& c) { return c.call(call); });
}

// The revert reason of a simulation that must fail ("" if it succeeded).
inline std::string revert_reason(Devnet& chain, const Address& from, const Address& to, Bytes data) {
  auto r = simulate(chain, from, to, std::move(data));
  if (r.ok()) return "";
  EXPECT_TRUE(r.error().is_revert()) << r.error().describe();
  return r.error().revert_reason;
}

// A signed transaction from `key`, mined; fixed gas so reverting calls still get mined.
inline Receipt send(Devnet& chain, const PrivateKey& key, const std::optional<Address>& to, Bytes data,
                    std::uint64_t gas = 500'000) {
  chain::evm::TxRequest tx;
  tx.to = to;
  tx.data = std::move(data);
  tx.gas_limit = gas;
  auto receipt = chain.rpc().run([&](RpcClient& c) {
    return chain::evm::send_and_wait(c, key, chain.chain_id(), tx, std::chrono::seconds(20));
  });
  EXPECT_TRUE(receipt.ok()) << receipt.error().describe();
  return receipt.ok() ? std::move(*receipt) : Receipt{};
}

inline bool authorization_state(Devnet& chain, const Address& authorizer, const Bytes32& nonce) {
  auto r = simulate(
      chain, authorizer, chain.asset(),
      abi::encode_call("authorizationState", {abi::Value::address(authorizer), abi::Value::bytes32(nonce)}));
  EXPECT_TRUE(r.ok());
  return r.ok() && *abi::decode_bool(*r);
}

}  // namespace x402::test::token
