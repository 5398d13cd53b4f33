// RLP against the examples of the Ethereum RLP specification (ethereum.org "Recursive-length
// prefix"), plus strictness: every non-canonical form must be rejected.
#include <gtest/gtest.h>

#include <string>

#include "crypto/rlp.hpp"

namespace x402::crypto::rlp {
namespace {

Bytes hex(std::string_view text) {
  auto parsed = from_hex(text);
  EXPECT_TRUE(parsed.ok()) << text;
  return parsed ? *parsed : Bytes{};
}

std::string encoded_hex(const Item& item) {
  return to_hex(encode(item));
}

TEST(RlpSpec, Dog) {
  EXPECT_EQ(encoded_hex(Item::text("dog")), "0x83646f67");
}

TEST(RlpSpec, CatDogList) {
  EXPECT_EQ(encoded_hex(Item::list({Item::text("cat"), Item::text("dog")})), "0xc88363617483646f67");
}

TEST(RlpSpec, EmptyStringAndList) {
  EXPECT_EQ(encoded_hex(Item::text("")), "0x80");
  EXPECT_EQ(encoded_hex(Item::list({})), "0xc0");
}

TEST(RlpSpec, Integers) {
  EXPECT_EQ(encoded_hex(Item::uint(0)), "0x80");           // the integer 0 is the empty string
  EXPECT_EQ(encoded_hex(Item::bytes(hex("00"))), "0x00");  // the byte '\x00'
  EXPECT_EQ(encoded_hex(Item::uint(15)), "0x0f");
  EXPECT_EQ(encoded_hex(Item::uint(1024)), "0x820400");
}

TEST(RlpSpec, SetTheoreticalRepresentationOfThree) {
  // [ [], [[]], [ [], [[]] ] ]
  const Item three = Item::list({Item::list({}), Item::list({Item::list({})}),
                                 Item::list({Item::list({}), Item::list({Item::list({})})})});
  EXPECT_EQ(encoded_hex(three), "0xc7c0c1c0c3c0c1c0");
}

TEST(RlpSpec, LoremIpsumUsesTheLongForm) {
  const std::string lorem = "Lorem ipsum dolor sit amet, consectetur adipisicing elit";  // 56 bytes
  ASSERT_EQ(lorem.size(), 56u);
  const Bytes encoded = encode(Item::text(lorem));
  ASSERT_EQ(encoded.size(), 58u);
  EXPECT_EQ(encoded[0], 0xb8);
  EXPECT_EQ(encoded[1], 0x38);
  EXPECT_EQ(std::string(encoded.begin() + 2, encoded.end()), lorem);
}

TEST(RlpSpec, SpecExamplesDecodeBack) {
  for (const char* text : {"0x83646f67", "0xc88363617483646f67", "0x80", "0xc0", "0x00", "0x0f", "0x820400",
                           "0xc7c0c1c0c3c0c1c0"}) {
    const Bytes encoded = hex(text);
    auto item = decode(encoded);
    ASSERT_TRUE(item.ok()) << text << ": " << item.error().describe();
    EXPECT_EQ(encode(*item), encoded) << text;
  }
  auto list = decode(hex("0xc88363617483646f67"));
  ASSERT_TRUE(list.ok());
  ASSERT_TRUE(list->is_list());
  ASSERT_EQ(list->items().size(), 2u);
  EXPECT_EQ(list->items()[1], Item::text("dog"));
  auto number = decode(hex("0x820400"));
  ASSERT_TRUE(number.ok());
  EXPECT_EQ(*number->to_u64(), 1024u);
}

TEST(RlpStrict, RejectsNonCanonicalEncodings) {
  const struct {
    std::string hex;
    const char* why;
  } cases[] = {
      {"0x8100", "single byte below 0x80 wrapped as a string"},
      {"0x817f", "single byte below 0x80 wrapped as a string"},
      {"0xb800", "long form for an empty string"},
      {"0xb80100", "long form for a 1-byte string"},
      {"0xb90037" + std::string(55 * 2, 'a'), "length with a leading zero"},
      {"0xf800", "long list form for an empty list"},
      {"0x83646f", "string shorter than its header"},
      {"0xc3646f", "list shorter than its header"},
      {"0xc383646f", "list item running past the list"},
      {"0x83646f6700", "trailing bytes"},
      {"0xbf", "length of length past the end"},
      {"0x", "empty input"},
  };
  for (const auto& bad : cases) {
    auto item = decode(hex(bad.hex));
    EXPECT_FALSE(item.ok()) << bad.hex << " (" << bad.why << ")";
    if (!item.ok()) {
      EXPECT_NE(item.error().message.find("RLP"), std::string::npos);
    }
  }
}

TEST(RlpStrict, AcceptsTheSmallestLongForm) {
  const Bytes payload(56, 0x61);
  Bytes encoded(2 + payload.size(), 0x61);
  encoded[0] = 0xb8;
  encoded[1] = 0x38;
  auto item = decode(encoded);
  ASSERT_TRUE(item.ok()) << item.error().describe();
  EXPECT_EQ(item->data(), payload);
}

TEST(RlpStrict, IntegersMustBeMinimal) {
  auto padded = decode(hex("0x820004"));  // 4 with a leading zero byte
  ASSERT_TRUE(padded.ok());
  EXPECT_FALSE(padded->to_uint().ok());
  EXPECT_FALSE(padded->to_u64().ok());
  const Bytes nine_bytes = hex("0x89010000000000000000");
  auto wide = decode(nine_bytes);
  ASSERT_TRUE(wide.ok());
  EXPECT_FALSE(wide->to_u64().ok());
  EXPECT_TRUE(wide->to_uint().ok());
  EXPECT_FALSE(Item::list({}).to_uint().ok());
}

TEST(RlpStrict, DepthIsLimited) {
  Item deep = Item::list({});
  for (int i = 0; i < 40; ++i) deep = Item::list({deep});
  auto decoded = decode(encode(deep));
  ASSERT_FALSE(decoded.ok());
  EXPECT_NE(decoded.error().message.find("deeper"), std::string::npos);
  EXPECT_TRUE(decode(encode(deep), DecodeLimits{64}).ok());
}

TEST(RlpEncoding, U256RoundTrips) {
  const U256 max = ~U256(0);
  const Bytes encoded = encode(Item::uint(max));
  ASSERT_EQ(encoded.size(), 33u);
  EXPECT_EQ(encoded[0], 0xa0);
  auto item = decode(encoded);
  ASSERT_TRUE(item.ok());
  EXPECT_EQ(*item->to_uint(), max);
  EXPECT_EQ(encode_uint(max), encoded);
  EXPECT_EQ(to_hex(encode_uint(U256(0x7f))), "0x7f");
  EXPECT_EQ(to_hex(encode_uint(U256(0x80))), "0x8180");
}

TEST(RlpEncoding, LongListHeader) {
  std::vector<Item> items(30, Item::text("ab"));  // 30 * 3 = 90 payload bytes
  const Bytes encoded = encode(Item::list(items));
  ASSERT_EQ(encoded.size(), 92u);
  EXPECT_EQ(encoded[0], 0xf8);
  EXPECT_EQ(encoded[1], 90);
  auto item = decode(encoded);
  ASSERT_TRUE(item.ok());
  EXPECT_EQ(item->items().size(), 30u);
}

}  // namespace
}  // namespace x402::crypto::rlp
