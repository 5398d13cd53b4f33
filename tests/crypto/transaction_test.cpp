// EIP-1559 transactions against the published vectors of ethereumjs-monorepo
// packages/tx/test/json/eip1559.json (source: Besu): both the current revision (chain id 4) and
// the original Aleut revision (chain id 7822). ethereumjs signs with RFC 6979 and asserts
// rlp(serialized) == signedTransactionRLP, so these raw bytes must be reproduced exactly.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "crypto/keccak.hpp"
#include "crypto/rlp.hpp"
#include "crypto/transaction.hpp"
#include "support/test_support.hpp"
#include "x402/keys.hpp"

namespace x402::crypto {
namespace {

constexpr const char* kVectorKey = "0x8f2a55949038a9610f50fb23b5883af3b4ecb3c3bb792cbcefbd1542c692be63";

struct Vector {
  std::uint64_t nonce;
  std::uint64_t value;
  std::uint64_t gas_limit;
  std::uint64_t max_priority_fee_per_gas;
  std::uint64_t max_fee_per_gas;
  const char* signed_transaction_rlp;  // RLP string wrapping the 0x02 envelope
};

const Vector kChain4[] = {
    {819, 43203529, 35552, 75853, 121212,
     "0xb87102f86e048203338301284d8301d97c828ae094000000000000000000000000000000000000aaaa8402933bc980c080a00"
     "f924cb68412"
     "c8f1cfd74d9b581c71eeaf94fff6abdde3e5b02ca6b2931dcf47a07dd1c50027c3e31f8b565e25ce68a5072110f61fce5eee81b"
     "195dd5127"
     "3c2f83"},
    {353, 61901619, 32593, 38850, 136295,
     "0xb87002f86d048201618297c283021467827f5194000000000000000000000000000000000000aaaa8403b08b3380c080a08ca"
     "f712f7248"
     "9da6f1a634b651b4b1c7d9be7d1e8d05ea76c1eccee3bdfb86a5a06aecc106f588ce51e112f5e9ea7aba3e089dc7511718821d0"
     "e0cd52f52"
     "af4e45"},
    {985, 32531825, 68541, 66377, 136097,
     "0xb87202f86f048203d983010349830213a183010bbd94000000000000000000000000000000000000aaaa8401f0657180c001a"
     "08c03a86e"
     "85789ee9a1b42fa0a86d316fca262694f8c198df11f194678c2c2d35a028f8e7de02b35014a17b6d28ff8c7e7be6860e7265ac1"
     "62fb721f1"
     "aeae75643c"},
    {623, 21649799, 57725, 74140, 81173,
     "0xb87102f86e0482026f8301219c83013d1582e17d94000000000000000000000000000000000000aaaa84014a598780c001a0b"
     "87c4c8c50"
     "5d2d692ac77ba466547e79dd60fe7ecd303d520bf6e8c7085e3182a06dc7d00f5e68c3f3ebe8ae35a90d46051afde620ac12e43"
     "cae9560a2"
     "9b13e7fb"},
    {972, 94563383, 65254, 42798, 103466,
     "0xb87002f86d048203cc82a72e8301942a82fee694000000000000000000000000000000000000aaaa8405a2ec3780c001a006c"
     "f07af78c1"
     "87db104496c58d679f37fcd2d5790970cecf9a59fe4a5321b375a039f3faafc71479d283a5b1e66a86b19c4bdc516655d89dbe5"
     "7d9747747"
     "c01dfe"},
    {588, 99359647, 37274, 87890, 130273,
     "0xb87102f86e0482024c830157528301fce182919a94000000000000000000000000000000000000aaaa8405ec1b9f80c080a03"
     "e2f59ac9c"
     "a852034c2c1da35a742ca19fdd910aa5d2ed49ab8ad27a2fcb2b10a03ac1c29c26723c58f91400fb6dfb5f5b837467b1c377541"
     "b47dae474"
     "dddbe469"},
    {900, 30402257, 76053, 8714, 112705,
     "0xb87102f86e0482038482220a8301b8418301291594000000000000000000000000000000000000aaaa8401cfe6d180c001a0f"
     "7ffc5bca2"
     "512860f8236360159bf303dcfab71546b6a0032df0306f3739d0c4a05d38fe2c4edebdc1edc157034f780c53a0e5ae089e57220"
     "745bd48bc"
     "b10cdf87"},
    {709, 6478043, 28335, 86252, 94636,
     "0xb87002f86d048202c5830150ec830171ac826eaf94000000000000000000000000000000000000aaaa8362d8db80c001a0a61"
     "a5710512f"
     "346c9996377f7b564ccb64c73a5fdb615499adb1250498f3e01aa002d10429572cecfaa911a58bbe05f2b26e4c3aee340220215"
     "3a9369284"
     "9add11"},
    {939, 2782905, 45047, 45216, 91648,
     "0xb86f02f86c048203ab82b0a08301660082aff794000000000000000000000000000000000000aaaa832a76b980c001a0191f0"
     "f6667a20c"
     "efc0b454e344cc01108aafbdc4e4e5ed88fdd1b5d108495b31a020879042b0f8d3807609f18fe42a9820de53c8a0ea1d0a2d50f"
     "8f5e92a94"
     "f00d"},
    {119, 65456115, 62341, 24721, 107729,
     "0xb86e02f86b04778260918301a4d182f38594000000000000000000000000000000000000aaaa8403e6c7f380c001a05e40977"
     "f4064a2bc"
     "08785e422ed8a47b56aa219abe93251d2b3b4d0cf937b8c0a071e600cd15589c3607bd9627314b99e9b5976bd427b774aa685bd"
     "0d036b177"
     "1e"},
};

// The original revision of the same file, for the Aleut testnet (chain id 7822).
const Vector kAleut[] = {
    {819, 43203529, 35552, 75853, 121212,
     "0xb87302f870821e8e8203338301284d8301d97c828ae094000000000000000000000000000000000000aaaa8402933bc980c08"
     "0a0d067f2"
     "167008c59219652f91cbf8788dbca5f771f6e91e2b7657e85b78b472e0a01d305af9fe81fdba43f0dfcd400ed24dcace0a7e30d"
     "4e85701dc"
     "aaf484cd079e"},
    {353, 61901619, 32593, 38850, 136295,
     "0xb87202f86f821e8e8201618297c283021467827f5194000000000000000000000000000000000000aaaa8403b08b3380c001a"
     "004205678"
     "f13fc1d7b10feea6513dfa76e24418b6e08097d95c6f93a3b64e536da01d45ad61bfece43862de2cce7d2575a8c1d08c26c87f3"
     "cb5f26d7b"
     "0be54a91b2"},
};

Bytes hex(std::string_view text) {
  auto parsed = from_hex(text);
  EXPECT_TRUE(parsed.ok()) << text;
  return parsed ? *parsed : Bytes{};
}

Eip1559Transaction transaction_of(const Vector& vector, std::uint64_t chain_id) {
  Eip1559Transaction tx;
  tx.chain_id = chain_id;
  tx.nonce = vector.nonce;
  tx.max_priority_fee_per_gas = vector.max_priority_fee_per_gas;
  tx.max_fee_per_gas = vector.max_fee_per_gas;
  tx.gas_limit = vector.gas_limit;
  tx.to = *Address::parse("0x000000000000000000000000000000000000aaaa");
  tx.value = vector.value;
  return tx;
}

// The published field wraps the envelope in an RLP string; unwrap it with the strict decoder.
Bytes envelope_of(const Vector& vector) {
  auto wrapped = rlp::decode(hex(vector.signed_transaction_rlp));
  EXPECT_TRUE(wrapped.ok());
  EXPECT_FALSE(wrapped->is_list());
  return wrapped->data();
}

PrivateKey vector_key() {
  return *PrivateKey::from_hex(kVectorKey);
}

TEST(Eip1559, SignsTheEthereumjsVectorsExactly) {
  const PrivateKey key = vector_key();
  for (const auto& vector : kChain4) {
    const SignedTransaction signed_tx = sign(transaction_of(vector, 4), key);
    EXPECT_EQ(to_hex(signed_tx.raw), to_hex(envelope_of(vector))) << "nonce " << vector.nonce;
    EXPECT_EQ(signed_tx.hash, keccak256(ByteView(signed_tx.raw)));
  }
  for (const auto& vector : kAleut) {
    const SignedTransaction signed_tx = sign(transaction_of(vector, 7822), key);
    EXPECT_EQ(to_hex(signed_tx.raw), to_hex(envelope_of(vector))) << "nonce " << vector.nonce;
  }
}

TEST(Eip1559, TransactionHashOfTheFirstVector) {
  // ethereumjs eip1559.spec.ts, hash(): the first vector signed for chain id 4.
  const SignedTransaction signed_tx = sign(transaction_of(kChain4[0], 4), vector_key());
  EXPECT_EQ(signed_tx.hash.hex(), "0x2e564c87eb4b40e7f469b2eec5aa5d18b0b46a24e8bf0919439cfb0e8fcae446");
}

TEST(Eip1559, DecodesAndRecoversThePublishedTransactions) {
  const Address signer = vector_key().address();
  for (const auto& vector : kChain4) {
    const Bytes raw = envelope_of(vector);
    auto decoded = decode_signed_transaction(raw);
    ASSERT_TRUE(decoded.ok()) << decoded.error().describe();
    EXPECT_EQ(decoded->transaction, transaction_of(vector, 4));
    EXPECT_EQ(decoded->sender, signer);
    EXPECT_EQ(decoded->hash, keccak256(ByteView(raw)));
  }
  // ethereumjs toJSON() of the first vector: v 0, r 0x0f924c..., s 0x7dd1c5...
  auto first = decode_signed_transaction(envelope_of(kChain4[0]));
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->signature.v, 27);
  EXPECT_EQ(first->signature.r.hex(), "0x0f924cb68412c8f1cfd74d9b581c71eeaf94fff6abdde3e5b02ca6b2931dcf47");
  EXPECT_EQ(first->signature.s.hex(), "0x7dd1c50027c3e31f8b565e25ce68a5072110f61fce5eee81b195dd51273c2f83");
}

TEST(Eip1559, RoundTripsContractCreationAndCalldata) {
  Eip1559Transaction tx;
  tx.chain_id = 84532;
  tx.nonce = 0;
  tx.max_priority_fee_per_gas = 1'000'000;
  tx.max_fee_per_gas = U256("1000000000000");
  tx.gas_limit = 3'000'000;
  tx.value = 0;
  tx.data = Bytes(300, 0x60);  // long data: RLP long form inside the list
  const auto key = PrivateKey::from_hex(test::kTestKey0);
  ASSERT_TRUE(key.ok());
  const SignedTransaction signed_tx = sign(tx, *key);
  auto decoded = decode_signed_transaction(signed_tx.raw);
  ASSERT_TRUE(decoded.ok()) << decoded.error().describe();
  EXPECT_FALSE(decoded->transaction.to.has_value());
  EXPECT_EQ(decoded->transaction, tx);
  EXPECT_EQ(decoded->sender.checksummed(), test::kTestAddress0);
  EXPECT_EQ(decoded->hash, signed_tx.hash);
  // The signing hash is what was signed.
  EXPECT_EQ(key->sign_digest(tx.signing_hash()), decoded->signature);
}

TEST(Eip1559, SigningPayloadLayout) {
  // 0x02 || rlp([chainId, nonce, tip, maxFee, gas, to, value, data, accessList]) for an all-zero
  // transaction to 0x00..00: every integer is 0x80, the address 0x94 + 20 zero bytes.
  Eip1559Transaction tx;
  tx.to = Address{};
  const std::string expected =
      "0x02dd"
      "8080808080"
      "94" +
      std::string(40, '0') +
      "80"
      "80"
      "c0";
  EXPECT_EQ(to_hex(tx.signing_payload()), expected);
  EXPECT_EQ(tx.signing_hash(), keccak256(ByteView(tx.signing_payload())));
}

TEST(Eip1559, RejectsMalformedEnvelopes) {
  const Bytes good = envelope_of(kChain4[0]);
  const auto expect_error = [](const Bytes& raw, const char* needle) {
    auto decoded = decode_signed_transaction(raw);
    ASSERT_FALSE(decoded.ok()) << needle;
    EXPECT_NE(decoded.error().message.find(needle), std::string::npos) << decoded.error().message;
  };
  expect_error({}, "empty");
  Bytes legacy = good;
  legacy[0] = 0x01;
  expect_error(legacy, "expected 0x02");
  Bytes truncated(good.begin(), good.end() - 1);
  expect_error(truncated, "RLP");
  Bytes trailing = good;
  trailing.push_back(0);
  expect_error(trailing, "trailing");

  // Re-encode the published fields with one of them altered.
  auto list = rlp::decode(ByteView(good).subspan(1));
  ASSERT_TRUE(list.ok());
  const auto with_field = [&](std::size_t index, rlp::Item item) {
    std::vector<rlp::Item> fields = list->items();
    fields[index] = std::move(item);
    Bytes raw{0x02};
    const Bytes body = rlp::encode(rlp::Item::list(std::move(fields)));
    raw.insert(raw.end(), body.begin(), body.end());
    return raw;
  };
  expect_error(with_field(9, rlp::Item::uint(2)), "yParity");
  expect_error(with_field(5, rlp::Item::bytes(Bytes(19, 0xaa))), "to");
  expect_error(with_field(1, rlp::Item::bytes(hex("0x000333"))), "nonce");  // leading zero
  expect_error(with_field(8, rlp::Item::list({rlp::Item::list({})})), "accessList");
  expect_error(with_field(11, rlp::Item::uint(0)), "s is zero");
  // High s: n - s is the malleable twin of a valid signature.
  const U256 order("0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141");
  const U256 s = *list->items()[11].to_uint();
  expect_error(with_field(11, rlp::Item::uint(order - s)), "upper half");
  std::vector<rlp::Item> eleven(list->items().begin(), list->items().end() - 1);
  Bytes short_list{0x02};
  const Bytes body = rlp::encode(rlp::Item::list(std::move(eleven)));
  short_list.insert(short_list.end(), body.begin(), body.end());
  expect_error(short_list, "expected 12 fields");
}

}  // namespace
}  // namespace x402::crypto
