// Signing and recovery against published signatures: the EIP-712 spec's Mail example (key
// keccak256("cow")) and the x402 reference's EIP-3009 vector (Hardhat key #0, viem).
#include <gtest/gtest.h>

#include <string>

#include "crypto/keccak.hpp"
#include "crypto/secp256k1.hpp"
#include "support/test_support.hpp"
#include "x402/keys.hpp"
#include "x402/u256.hpp"

namespace x402::crypto {
namespace {

Bytes32 word(std::string_view hex) {
  auto parsed = Bytes32::from_hex(hex);
  EXPECT_TRUE(parsed.ok()) << hex;
  return parsed ? *parsed : Bytes32{};
}

// EIP-712 Example.js: signHash() and ecsign(signHash(), keccak256("cow")).
const Bytes32 kMailDigest = word("0xbe609aee343fb3c4b28e1df9e632fca64fcfaede20f02e86244efddf30957bd2");
const Signature kMailSignature{word("0x4355c47d63924e8a72e509b65029052eb6c299d53a04e167c5775fd466751c9d"),
                               word("0x07299936d304c153f6443dfa05f40ff007d72911b6f72307f996231605b91562"),
                               28};
const char* const kCowAddress = "0xcd2a3d9f938e13cd947ec05abc7fe734df8dd826";

// x402-reference §2.8: EIP-3009 digest and its RFC 6979 signature by Hardhat key #0.
const Bytes32 kEip3009Digest = word("0x4f4985a0c4a7592c738a9d385dac72ed9932049a3a642b4923659213c54fa8c6");
const char* const kEip3009Signature =
    "0x887688bfda2adc60488cb21d8355641dc7e6cae2acf979a4e510569110fbeb6912bfec8521359ee79ecbd2c6f8ba9ada97d499"
    "a910f5c0d4"
    "e274d0da99b8f3561c";

const U256 kOrder("0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141");

TEST(Secp256k1, SignsTheEip712MailDigestExactly) {
  auto key = PrivateKey::from_hex(keccak256(std::string_view("cow")).hex());
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(key->sign_digest(kMailDigest), kMailSignature);
}

TEST(Secp256k1, SignsTheReferenceEip3009DigestExactly) {
  auto key = PrivateKey::from_hex(test::kTestKey0);
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(key->sign_digest(kEip3009Digest).hex(), kEip3009Signature);
}

TEST(Secp256k1, RecoversPublishedSigners) {
  auto mail = recover_signer(kMailDigest, kMailSignature);
  ASSERT_TRUE(mail.ok()) << mail.error().describe();
  EXPECT_EQ(mail->hex(), kCowAddress);

  auto bytes = from_hex(kEip3009Signature);
  ASSERT_TRUE(bytes.ok());
  auto signature = Signature::from_bytes(*bytes);
  ASSERT_TRUE(signature.ok());
  auto signer = recover_signer(kEip3009Digest, *signature);
  ASSERT_TRUE(signer.ok());
  EXPECT_EQ(signer->checksummed(), test::kTestAddress0);
}

TEST(Secp256k1, AcceptsRawRecoveryIds) {
  Signature raw = kMailSignature;
  raw.v = 1;  // 28 - 27
  auto signer = recover_signer(kMailDigest, raw);
  ASSERT_TRUE(signer.ok());
  EXPECT_EQ(signer->hex(), kCowAddress);
}

TEST(Secp256k1, TheOtherRecoveryIdGivesAnotherAddress) {
  Signature flipped = kMailSignature;
  flipped.v = 27;
  auto signer = recover_signer(kMailDigest, flipped);
  if (signer.ok()) {
    EXPECT_NE(signer->hex(), kCowAddress);
  }
}

TEST(Secp256k1, RejectsBadV) {
  for (int v : {2, 26, 29, 35, 36, 255}) {
    Signature bad = kMailSignature;
    bad.v = static_cast<std::uint8_t>(v);
    auto signer = recover_signer(kMailDigest, bad);
    ASSERT_FALSE(signer.ok()) << v;
    EXPECT_EQ(signer.error().code, Errc::invalid_signature);
    EXPECT_NE(signer.error().message.find("v must be"), std::string::npos);
  }
}

TEST(Secp256k1, RejectsOutOfRangeRAndS) {
  const Bytes32 order = to_be_bytes32(kOrder);
  for (const auto& [r, s] : {std::pair{Bytes32{}, kMailSignature.s}, std::pair{kMailSignature.r, Bytes32{}},
                             std::pair{order, kMailSignature.s}, std::pair{kMailSignature.r, order}}) {
    auto signer = recover_signer(kMailDigest, Signature{r, s, 28});
    ASSERT_FALSE(signer.ok());
    EXPECT_EQ(signer.error().code, Errc::invalid_signature);
  }
}

TEST(Secp256k1, HighSIsRecoveredButFlagged) {
  // (r, n - s) with the other parity is the same signature's malleable twin.
  Signature twin = kMailSignature;
  twin.s = to_be_bytes32(kOrder - from_be_bytes(kMailSignature.s.view()));
  twin.v = 27;
  EXPECT_TRUE(is_low_s(kMailSignature));
  EXPECT_FALSE(is_low_s(twin));
  auto signer = recover_signer(kMailDigest, twin);
  ASSERT_TRUE(signer.ok());
  EXPECT_EQ(signer->hex(), kCowAddress);
}

TEST(Secp256k1, LowSBoundary) {
  const U256 half = kOrder >> 1;
  Signature sig = kMailSignature;
  sig.s = to_be_bytes32(half);
  EXPECT_TRUE(is_low_s(sig));
  sig.s = to_be_bytes32(half + 1);
  EXPECT_FALSE(is_low_s(sig));
  sig.s = Bytes32{};
  EXPECT_FALSE(is_low_s(sig));
}

TEST(Secp256k1, SignaturesAreDeterministicAndLowS) {
  auto key = PrivateKey::from_hex(test::kTestKey0);
  ASSERT_TRUE(key.ok());
  for (int i = 0; i < 64; ++i) {
    const Bytes32 digest = keccak256(std::string_view(std::to_string(i)));
    const Signature sig = key->sign_digest(digest);
    EXPECT_EQ(sig, key->sign_digest(digest));
    EXPECT_TRUE(is_low_s(sig));
    EXPECT_TRUE(sig.v == 27 || sig.v == 28);
    auto signer = recover_signer(digest, sig);
    ASSERT_TRUE(signer.ok());
    EXPECT_EQ(signer->checksummed(), test::kTestAddress0);
  }
}

TEST(Secp256k1, AnotherDigestRecoversAnotherAddress) {
  auto signer = recover_signer(keccak256(std::string_view("not the mail")), kMailSignature);
  if (signer.ok()) {
    EXPECT_NE(signer->hex(), kCowAddress);
  }
}

TEST(Secp256k1, MalformedSignatureBytes) {
  auto short_sig = Signature::from_bytes(Bytes(64, 1));
  ASSERT_FALSE(short_sig.ok());
  EXPECT_EQ(short_sig.error().code, Errc::invalid_signature);
  EXPECT_FALSE(from_hex("0x88zz").ok());
}

}  // namespace
}  // namespace x402::crypto
