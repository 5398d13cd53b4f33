// Keccak-256 against published vectors: Ethereum's well-known digests and the Keccak team's
// ShortMsgKAT_256 (SHA-3 round 3 submission, pre-FIPS padding = Ethereum's keccak256).
#include <gtest/gtest.h>

#include <string>

#include "crypto/keccak.hpp"
#include "x402/bytes.hpp"

namespace x402::crypto {
namespace {

std::string keccak_hex(std::string_view text) {
  return keccak256(text).hex();
}

Bytes bytes_of(std::string_view hex) {
  auto parsed = from_hex(hex);
  EXPECT_TRUE(parsed.ok());
  return parsed ? *parsed : Bytes{};
}

TEST(Keccak256, EmptyInput) {
  EXPECT_EQ(keccak_hex(""), "0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");
  EXPECT_EQ(keccak256(ByteView{}).hex(),
            "0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");
}

TEST(Keccak256, Abc) {
  // go-ethereum crypto tests (TestKeccak256Hash).
  EXPECT_EQ(keccak_hex("abc"), "0x4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45");
}

TEST(Keccak256, QuickBrownFox) {
  EXPECT_EQ(keccak_hex("The quick brown fox jumps over the lazy dog"),
            "0x4d741b6f1eb29cb2a9b9911c82f56fa8d73b04959d3d9d222895df6c0b28aa15");
}

TEST(Keccak256, KatShortMessages) {
  // ShortMsgKAT_256: Len = 8, 136 bits.
  EXPECT_EQ(keccak256(ByteView(bytes_of("6b"))).hex(),
            "0xf3d0adcb6a1c70832365e9da0a6b2f5199422f6a53c67cfad171114e3442aa0f");
  EXPECT_EQ(keccak256(ByteView(bytes_of("888bd7138b777f946c8db2d0b52b7c354c"))).hex(),
            "0xca19398f09a3e05dc4f3e4cafe8a16ee320e80aee1afe90b11026babceac43c0");
}

TEST(Keccak256, KatMultiBlockMessages) {
  // ShortMsgKAT_256, Len = 1264 (158 bytes) and Len = 1536 (192 bytes): both longer than the
  // 136-byte rate, so the permutation runs over more than one absorbed block.
  const Bytes msg1264 = bytes_of(
      "92f8a64913a43baba263e29d5fa97d4386e96272d4c7425074b55846ab07f33d009987143ec3bfe026a27d854bfbc8d2e52b44"
      "b9f2870a"
      "673c62aee76aa1256b3aad7f78703f5996e1d61b2cd2e4feb80f437102ca7b6907de17ee49b914b4f4c1346d3173c6c7549de3"
      "8170c88028"
      "d7c399d98e154396f45b843d1499f1085a26768c993c54edd9376f49ffef71d7b30bb14221f5d815505d5365f6456e");
  ASSERT_EQ(msg1264.size(), 158u);
  EXPECT_EQ(keccak256(ByteView(msg1264)).hex(),
            "0x3a814af4f30cf437d08d767502b7081b5ba6cb849d0fb683f74eeabf420919e9");

  const Bytes msg1536 = bytes_of(
      "0ae67c9cd38d30d577ced7c9a70d68d502b4962e91510df335b7fa969c3c09a7228543f61374cb8a43a253ebb0bcc0b27057e1"
      "02a8eef6"
      "dea5f074422d7dea50032e4616a212a1e6b4f5d165b1921822e9f92592e81b708e0ce5d03963ba8966e8cf7d8be11f72961443"
      "fcc6d514e8"
      "bf0e0d51f629c28535a8556e0b10f872f9c8f085aa0ff740233b3dea1151d2d060e022570ae4dc3f8c32ae9842a60a3c6ffac2"
      "1909b9592d"
      "f4971706e8ead649cbf8a0d5dd7c156aaec302f16a0c2dd907");
  ASSERT_EQ(msg1536.size(), 192u);
  EXPECT_EQ(keccak256(ByteView(msg1536)).hex(),
            "0xf378aaed4420943789d248e371d860e022e19ff8b0a31df567db5824946e88ba");
}

TEST(Keccak256, IsNotSha3) {
  // NIST SHA3-256("") is a7ffc6f8...: Ethereum's keccak must differ (original padding).
  EXPECT_NE(keccak_hex(""), "0xa7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a");
}

}  // namespace
}  // namespace x402::crypto
