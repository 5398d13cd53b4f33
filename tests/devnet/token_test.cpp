// X402TestUSDC on a real anvil: EIP-3009 (both overloads), receive/cancel, EIP-1271 wallets,
// EIP-2612, ERC-20 basics, and FiatToken's revert strings that facilitators match on.
#include <gtest/gtest.h>

#include "devnet/contracts.hpp"
#include "devnet/token_helpers.hpp"

namespace x402::test {
namespace {

using namespace token;

class Token : public DevnetTest {
 protected:
  // A fresh payer with tokens and 1 ETH for gas, so tests do not depend on each other's balance changes.
  PrivateKey funded_payer(const U256& amount = U256(10'000'000)) {
    PrivateKey key = PrivateKey::generate();
    devnet().mint(key.address(), amount);
    const Address who = key.address();
    auto funded = devnet().rpc().run(
        [&](RpcClient& c) { return c.anvil_set_balance(who, U256(1'000'000'000'000'000'000ull)); });
    EXPECT_TRUE(funded.ok());
    return key;
  }
  const PrivateKey& relayer() { return devnet().facilitator_keys()[0]; }
  U256 balance(const Address& a) { return devnet().token_balance(a); }
};

TEST_F(Token, DomainSeparatorMatchesReferenceVector) {
  auto r = simulate(devnet(), devnet().payee(), devnet().asset(), abi::encode_call("DOMAIN_SEPARATOR", {}));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(abi::decode_bytes32(*r)->hex(),
            "0x71f17a3b2ff373b803d70a5a07c046c1a2bc8e89c09ef722fcb047abe94c9818");
  EXPECT_EQ(*abi::decode_bytes32(*r), crypto::domain_separator(domain_of(devnet())));
}

TEST_F(Token, TransferWithAuthorizationMovesTokensAndEmitsEvents) {
  const auto payer = funded_payer();
  const Address payee = devnet().payee();
  const U256 before_payee = balance(payee);
  auto auth = authorization(devnet(), payer.address(), payee, U256(10'000));
  const Signature sig = payer.sign_digest(transfer_digest(devnet(), auth));
  const Bytes data = encode_vrs("transferWithAuthorization", auth, sig);
  ASSERT_EQ(to_hex(Bytes(data.begin(), data.begin() + 4)), "0xe3ee160e");

  // The facilitator's simulation succeeds first ...
  EXPECT_TRUE(simulate(devnet(), relayer().address(), devnet().asset(), data).ok());
  // ... then the settlement, sent by the facilitator's key.
  const auto receipt = send(devnet(), relayer(), devnet().asset(), data);
  ASSERT_TRUE(receipt.status);
  EXPECT_EQ(balance(payer.address()), U256(10'000'000 - 10'000));
  EXPECT_EQ(balance(payee), before_payee + 10'000);
  EXPECT_TRUE(authorization_state(devnet(), payer.address(), auth.nonce));

  ASSERT_EQ(receipt.logs.size(), 2u);
  const Bytes32 used = topic_of("AuthorizationUsed(address,bytes32)");
  const Bytes32 transfer = topic_of("Transfer(address,address,uint256)");
  bool saw_used = false, saw_transfer = false;
  for (const auto& log : receipt.logs) {
    EXPECT_EQ(log.address, devnet().asset());
    if (log.topics[0] == used) {
      saw_used = true;
      ASSERT_EQ(log.topics.size(), 3u);
      EXPECT_EQ(log.topics[1], address_topic(payer.address()));
      EXPECT_EQ(log.topics[2], auth.nonce);
    } else if (log.topics[0] == transfer) {
      saw_transfer = true;
      EXPECT_EQ(log.topics[1], address_topic(payer.address()));
      EXPECT_EQ(log.topics[2], address_topic(payee));
      EXPECT_EQ(from_be_bytes(log.data), U256(10'000));
    }
  }
  EXPECT_TRUE(saw_used);
  EXPECT_TRUE(saw_transfer);

  // Reusing the nonce.
  EXPECT_EQ(revert_reason(devnet(), relayer().address(), devnet().asset(), data),
            "FiatTokenV2: authorization is used or canceled");
  EXPECT_FALSE(send(devnet(), relayer(), devnet().asset(), data).status);
}

TEST_F(Token, ValidityWindowIsEnforced) {
  const auto payer = funded_payer();
  const auto now = chain_now(devnet());

  auto expired = authorization(devnet(), payer.address(), devnet().payee(), U256(1));
  expired.valid_before = U256(now - 10);
  EXPECT_EQ(revert_reason(devnet(), relayer().address(), devnet().asset(),
                          encode_vrs("transferWithAuthorization", expired,
                                     payer.sign_digest(transfer_digest(devnet(), expired)))),
            "FiatTokenV2: authorization is expired");

  auto early = authorization(devnet(), payer.address(), devnet().payee(), U256(1));
  early.valid_after = U256(now + 3600);
  early.valid_before = U256(now + 7200);
  EXPECT_EQ(revert_reason(devnet(), relayer().address(), devnet().asset(),
                          encode_vrs("transferWithAuthorization", early,
                                     payer.sign_digest(transfer_digest(devnet(), early)))),
            "FiatTokenV2: authorization is not yet valid");

  // validAfter = now - 600, as v1 clients send it, is accepted.
  auto v1_style = authorization(devnet(), payer.address(), devnet().payee(), U256(1));
  v1_style.valid_after = U256(now - 600);
  EXPECT_EQ(revert_reason(devnet(), relayer().address(), devnet().asset(),
                          encode_vrs("transferWithAuthorization", v1_style,
                                     payer.sign_digest(transfer_digest(devnet(), v1_style)))),
            "");
}

TEST_F(Token, BadSignaturesAreRejected) {
  const auto payer = funded_payer();
  auto auth = authorization(devnet(), payer.address(), devnet().payee(), U256(500));
  const Bytes32 digest = transfer_digest(devnet(), auth);
  const Address token = devnet().asset();
  const Address sender = relayer().address();

  // Another key signed.
  const auto stranger = PrivateKey::generate();
  EXPECT_EQ(revert_reason(devnet(), sender, token,
                          encode_vrs("transferWithAuthorization", auth, stranger.sign_digest(digest))),
            "FiatTokenV2: invalid signature");
  // A signed field was edited afterwards.
  const Signature good = payer.sign_digest(digest);
  auto edited = auth;
  edited.value = U256(501);
  EXPECT_EQ(revert_reason(devnet(), sender, token, encode_vrs("transferWithAuthorization", edited, good)),
            "FiatTokenV2: invalid signature");
  // The high-s twin of a valid signature.
  const U256 n("0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141");
  Signature high = good;
  high.s = to_be_bytes32(n - from_be_bytes(good.s.bytes));
  high.v = good.v == 27 ? 28 : 27;
  EXPECT_EQ(revert_reason(devnet(), sender, token, encode_vrs("transferWithAuthorization", auth, high)),
            "ECRecover: invalid signature 's' value");
  // v outside {27, 28}.
  Signature raw_v = good;
  raw_v.v = static_cast<std::uint8_t>(good.v - 27);
  EXPECT_EQ(revert_reason(devnet(), sender, token, encode_vrs("transferWithAuthorization", auth, raw_v)),
            "ECRecover: invalid signature 'v' value");
  // The bytes overload needs exactly 65 bytes from an EOA.
  Bytes short_sig = sig_bytes(good);
  short_sig.pop_back();
  EXPECT_EQ(
      revert_reason(devnet(), sender, token, encode_bytes_sig("transferWithAuthorization", auth, short_sig)),
      "ECRecover: invalid signature length");
  // Nothing moved, the nonce is still unused.
  EXPECT_FALSE(authorization_state(devnet(), payer.address(), auth.nonce));
  EXPECT_EQ(revert_reason(devnet(), sender, token, encode_vrs("transferWithAuthorization", auth, good)), "");
}

TEST_F(Token, InsufficientBalanceReverts) {
  const auto payer = funded_payer(U256(100));
  auto auth = authorization(devnet(), payer.address(), devnet().payee(), U256(101));
  EXPECT_EQ(revert_reason(devnet(), relayer().address(), devnet().asset(),
                          encode_vrs("transferWithAuthorization", auth,
                                     payer.sign_digest(transfer_digest(devnet(), auth)))),
            "ERC20: transfer amount exceeds balance");
}

TEST_F(Token, BytesSignatureOverloadWorks) {
  const auto payer = funded_payer();
  const Address to = PrivateKey::generate().address();
  auto auth = authorization(devnet(), payer.address(), to, U256(42));
  const Bytes data = encode_bytes_sig("transferWithAuthorization", auth,
                                      sig_bytes(payer.sign_digest(transfer_digest(devnet(), auth))));
  ASSERT_EQ(to_hex(Bytes(data.begin(), data.begin() + 4)), "0xcf092995");
  const auto receipt = send(devnet(), relayer(), devnet().asset(), data);
  ASSERT_TRUE(receipt.status);
  EXPECT_EQ(balance(to), U256(42));
  EXPECT_EQ(revert_reason(devnet(), relayer().address(), devnet().asset(), data),
            "FiatTokenV2: authorization is used or canceled");
}

TEST_F(Token, ReceiveWithAuthorizationRequiresThePayeeAsCaller) {
  const auto payer = funded_payer();
  const auto& payee = devnet().payee_key();
  auto auth = authorization(devnet(), payer.address(), payee.address(), U256(77));
  const Signature sig = payer.sign_digest(receive_digest(devnet(), auth));
  const Bytes vrs = encode_vrs("receiveWithAuthorization", auth, sig);

  EXPECT_EQ(revert_reason(devnet(), relayer().address(), devnet().asset(), vrs),
            "FiatTokenV2: caller must be the payee");
  // A TransferWithAuthorization signature is not a ReceiveWithAuthorization one.
  EXPECT_EQ(revert_reason(devnet(), payee.address(), devnet().asset(),
                          encode_vrs("receiveWithAuthorization", auth,
                                     payer.sign_digest(transfer_digest(devnet(), auth)))),
            "FiatTokenV2: invalid signature");

  const U256 before = balance(payee.address());
  ASSERT_TRUE(send(devnet(), payee, devnet().asset(), vrs).status);
  EXPECT_EQ(balance(payee.address()), before + 77);

  // The bytes overload.
  auto second = authorization(devnet(), payer.address(), payee.address(), U256(3));
  const Bytes with_bytes = encode_bytes_sig("receiveWithAuthorization", second,
                                            sig_bytes(payer.sign_digest(receive_digest(devnet(), second))));
  EXPECT_EQ(revert_reason(devnet(), relayer().address(), devnet().asset(), with_bytes),
            "FiatTokenV2: caller must be the payee");
  ASSERT_TRUE(send(devnet(), payee, devnet().asset(), with_bytes).status);
  EXPECT_EQ(balance(payee.address()), before + 80);
}

TEST_F(Token, CancelAuthorizationBlocksTheNonce) {
  const auto payer = funded_payer();
  auto auth = authorization(devnet(), payer.address(), devnet().payee(), U256(5));
  const Bytes transfer =
      encode_vrs("transferWithAuthorization", auth, payer.sign_digest(transfer_digest(devnet(), auth)));
  const Signature cancel_sig = payer.sign_digest(cancel_digest(devnet(), payer.address(), auth.nonce));

  // Signed by someone else: refused.
  const auto stranger = PrivateKey::generate();
  const Signature wrong = stranger.sign_digest(cancel_digest(devnet(), payer.address(), auth.nonce));
  EXPECT_EQ(revert_reason(devnet(), relayer().address(), devnet().asset(),
                          abi::encode_call("cancelAuthorization",
                                           {abi::Value::address(payer.address()),
                                            abi::Value::bytes32(auth.nonce), abi::Value::uint8(wrong.v),
                                            abi::Value::bytes32(wrong.r), abi::Value::bytes32(wrong.s)})),
            "FiatTokenV2: invalid signature");

  const auto receipt =
      send(devnet(), relayer(), devnet().asset(),
           abi::encode_call("cancelAuthorization",
                            {abi::Value::address(payer.address()), abi::Value::bytes32(auth.nonce),
                             abi::Value::uint8(cancel_sig.v), abi::Value::bytes32(cancel_sig.r),
                             abi::Value::bytes32(cancel_sig.s)}));
  ASSERT_TRUE(receipt.status);
  ASSERT_EQ(receipt.logs.size(), 1u);
  EXPECT_EQ(receipt.logs[0].topics[0], topic_of("AuthorizationCanceled(address,bytes32)"));
  EXPECT_EQ(receipt.logs[0].topics[2], auth.nonce);
  EXPECT_TRUE(authorization_state(devnet(), payer.address(), auth.nonce));
  EXPECT_EQ(revert_reason(devnet(), relayer().address(), devnet().asset(), transfer),
            "FiatTokenV2: authorization is used or canceled");

  // The bytes overload, and cancelling twice.
  const Bytes32 other = random_nonce();
  const Bytes cancel_bytes = abi::encode_call(
      "cancelAuthorization",
      {abi::Value::address(payer.address()), abi::Value::bytes32(other),
       abi::Value::bytes(sig_bytes(payer.sign_digest(cancel_digest(devnet(), payer.address(), other))))});
  ASSERT_TRUE(send(devnet(), relayer(), devnet().asset(), cancel_bytes).status);
  EXPECT_TRUE(authorization_state(devnet(), payer.address(), other));
  EXPECT_EQ(revert_reason(devnet(), relayer().address(), devnet().asset(), cancel_bytes),
            "FiatTokenV2: authorization is used or canceled");
}

TEST_F(Token, SmartWalletSignsThroughErc1271) {
  const auto& owner = devnet().buyer_keys()[0];
  const auto* artifact = contracts::find("X402TestSmartWallet");
  ASSERT_NE(artifact, nullptr);
  Bytes deploy = *from_hex(artifact->creation_code);
  const Bytes args = abi::encode({abi::Value::address(owner.address())});
  deploy.insert(deploy.end(), args.begin(), args.end());
  const auto created = send(devnet(), owner, std::nullopt, deploy, 1'000'000);
  ASSERT_TRUE(created.status);
  ASSERT_TRUE(created.contract_address.has_value());
  const Address wallet = *created.contract_address;
  devnet().mint(wallet, U256(1'000'000));

  // The owner's signature over the EIP-712 digest, via the bytes overload ...
  const Address to = PrivateKey::generate().address();
  auto auth = authorization(devnet(), wallet, to, U256(250));
  const Signature by_owner = owner.sign_digest(transfer_digest(devnet(), auth));
  const Bytes data = encode_bytes_sig("transferWithAuthorization", auth, sig_bytes(by_owner));
  // ... is what the wallet's isValidSignature accepts (the facilitator's ERC-1271 check).
  auto magic =
      simulate(devnet(), relayer().address(), wallet,
               abi::encode_call("isValidSignature", {abi::Value::bytes32(transfer_digest(devnet(), auth)),
                                                     abi::Value::bytes(sig_bytes(by_owner))}));
  ASSERT_TRUE(magic.ok());
  EXPECT_EQ(to_hex(Bytes(magic->begin(), magic->begin() + 4)), "0x1626ba7e");
  ASSERT_TRUE(send(devnet(), relayer(), devnet().asset(), data).status);
  EXPECT_EQ(balance(to), U256(250));
  EXPECT_EQ(balance(wallet), U256(1'000'000 - 250));

  // The v/r/s overload routes to ERC-1271 as well.
  auto second = authorization(devnet(), wallet, to, U256(1));
  ASSERT_TRUE(send(devnet(), relayer(), devnet().asset(),
                   encode_vrs("transferWithAuthorization", second,
                              owner.sign_digest(transfer_digest(devnet(), second))))
                  .status);
  EXPECT_EQ(balance(to), U256(251));

  // Another key: the wallet says no.
  auto third = authorization(devnet(), wallet, to, U256(1));
  const auto stranger = PrivateKey::generate();
  EXPECT_EQ(
      revert_reason(devnet(), relayer().address(), devnet().asset(),
                    encode_bytes_sig("transferWithAuthorization", third,
                                     sig_bytes(stranger.sign_digest(transfer_digest(devnet(), third))))),
      "FiatTokenV2: invalid signature");
  // Contract signatures are not bound to 65 bytes by the token; the wallet refuses other lengths.
  EXPECT_EQ(revert_reason(devnet(), relayer().address(), devnet().asset(),
                          encode_bytes_sig("transferWithAuthorization", third, Bytes(64, 1))),
            "FiatTokenV2: invalid signature");
}

TEST_F(Token, PermitSetsAllowance) {
  const auto holder = funded_payer();
  const Address spender = relayer().address();
  const auto now = chain_now(devnet());
  static const Bytes32 typehash = crypto::keccak256(
      std::string_view("Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)"));
  const Bytes32 hash = crypto::keccak256(abi::encode(
      {abi::Value::bytes32(typehash), abi::Value::address(holder.address()), abi::Value::address(spender),
       abi::Value::uint256(900), abi::Value::uint256(0), abi::Value::uint256(now + 600)}));
  const Signature sig =
      holder.sign_digest(crypto::typed_data_digest(crypto::domain_separator(domain_of(devnet())), hash));
  const Bytes permit = abi::encode_call(
      "permit", {abi::Value::address(holder.address()), abi::Value::address(spender),
                 abi::Value::uint256(900), abi::Value::uint256(now + 600), abi::Value::uint8(sig.v),
                 abi::Value::bytes32(sig.r), abi::Value::bytes32(sig.s)});
  ASSERT_TRUE(send(devnet(), relayer(), devnet().asset(), permit).status);
  auto allowance = simulate(
      devnet(), spender, devnet().asset(),
      abi::encode_call("allowance", {abi::Value::address(holder.address()), abi::Value::address(spender)}));
  ASSERT_TRUE(allowance.ok());
  EXPECT_EQ(*abi::decode_uint256(*allowance), U256(900));
  // The nonce moved on: the same permit again is a bad signature.
  EXPECT_EQ(revert_reason(devnet(), spender, devnet().asset(), permit), "EIP2612: invalid signature");
}

TEST_F(Token, Erc20Basics) {
  const auto alice = funded_payer(U256(1'000));
  const auto& bob = relayer();
  // approve + transferFrom.
  ASSERT_TRUE(
      send(devnet(), alice, devnet().asset(),
           abi::encode_call("approve", {abi::Value::address(bob.address()), abi::Value::uint256(300)}))
          .status);
  const Address carol = PrivateKey::generate().address();
  const Bytes pull = abi::encode_call("transferFrom", {abi::Value::address(alice.address()),
                                                       abi::Value::address(carol), abi::Value::uint256(301)});
  EXPECT_EQ(revert_reason(devnet(), bob.address(), devnet().asset(), pull),
            "ERC20: transfer amount exceeds allowance");
  ASSERT_TRUE(send(devnet(), bob, devnet().asset(),
                   abi::encode_call("transferFrom", {abi::Value::address(alice.address()),
                                                     abi::Value::address(carol), abi::Value::uint256(300)}))
                  .status);
  EXPECT_EQ(balance(carol), U256(300));
  EXPECT_EQ(balance(alice.address()), U256(700));
  EXPECT_EQ(
      revert_reason(devnet(), alice.address(), devnet().asset(),
                    abi::encode_call("transfer", {abi::Value::address(Address{}), abi::Value::uint256(1)})),
      "ERC20: transfer to the zero address");
  // Only the owner (a minter) mints; initialize runs once.
  EXPECT_EQ(
      revert_reason(devnet(), alice.address(), devnet().asset(),
                    abi::encode_call("mint", {abi::Value::address(alice.address()), abi::Value::uint256(1)})),
      "FiatToken: caller is not a minter");
  EXPECT_EQ(revert_reason(devnet(), devnet().owner_key().address(), devnet().asset(),
                          abi::encode_call("initialize", {abi::Value::string("X"), abi::Value::string("9"),
                                                          abi::Value::address(alice.address())})),
            "FiatToken: contract is already initialized");
  auto symbol = simulate(devnet(), alice.address(), devnet().asset(), abi::encode_call("symbol", {}));
  ASSERT_TRUE(symbol.ok());
  EXPECT_EQ(*abi::decode_string(*symbol), "USDC");
  auto supply = simulate(devnet(), alice.address(), devnet().asset(), abi::encode_call("totalSupply", {}));
  ASSERT_TRUE(supply.ok());
  EXPECT_GE(*abi::decode_uint256(*supply), U256(2'000'000'000));
}

}  // namespace
}  // namespace x402::test
