#include <gtest/gtest.h>

#include <random>
#include <string>

#include "x402/codec.hpp"

namespace x402 {
namespace {

// RFC 4648 §10 test vectors.
TEST(Base64, Rfc4648Vectors) {
  const std::pair<const char*, const char*> vectors[] = {
      {"", ""},
      {"f", "Zg=="},
      {"fo", "Zm8="},
      {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="},
      {"fooba", "Zm9vYmE="},
      {"foobar", "Zm9vYmFy"},
  };
  for (const auto& [plain, encoded] : vectors) {
    EXPECT_EQ(base64_encode(plain), encoded);
    auto back = base64_decode(encoded, 64);
    ASSERT_TRUE(back.ok()) << encoded << ": " << back.error().describe();
    EXPECT_EQ(*back, plain);
  }
}

TEST(Base64, StandardAlphabetAndBinaryBytes) {
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  const std::string encoded = base64_encode(all);
  EXPECT_NE(encoded.find('+'), std::string::npos);
  EXPECT_NE(encoded.find('/'), std::string::npos);
  auto back = base64_decode(encoded, all.size());
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, all);
}

TEST(Base64, RandomRoundTrips) {
  std::mt19937 rng(402);
  for (int n = 0; n < 200; ++n) {
    std::string bytes(static_cast<std::size_t>(n), '\0');
    for (auto& b : bytes) b = static_cast<char>(rng() & 0xff);
    auto back = base64_decode(base64_encode(bytes), bytes.size());
    ASSERT_TRUE(back.ok()) << n;
    EXPECT_EQ(*back, bytes);
  }
}

TEST(Base64, CapIsExactAndCheckedBeforeDecoding) {
  EXPECT_TRUE(base64_decode("Zm9vYmFy", 6).ok());
  auto over = base64_decode("Zm9vYmFy", 5);
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.error().code, Errc::too_large);
  EXPECT_TRUE(base64_decode("Zm9vYmE=", 5).ok());
  // An oversize header of garbage is refused for its size, without looking at the characters.
  EXPECT_EQ(base64_decode(std::string(40000, '!'), 8192).error().code, Errc::too_large);
}

TEST(Base64, StrictRejections) {
  const char* bad[] = {
      "Zm9",           // no padding
      "Zm9vYg",        // padding stripped
      "Zm9vYg=",       // half padding
      "Zm9v\r\nYg==",  // whitespace
      " Zm9v",         // leading space
      "Zm9-",          // base64url
      "Zm9_",          // base64url
      "Zg==Zg==",      // data after padding
      "Z===",          // too much padding
      "====",          // only padding
      "Zh==",          // non-zero pad bits (one byte)
      "Zm9=",          // non-zero pad bits (two bytes)
      "Zm9v\0Yg=",     // NUL (string literal stops here, so this is "Zm9v": valid; see below)
  };
  for (std::size_t i = 0; i + 1 < std::size(bad); ++i) {
    auto result = base64_decode(bad[i], 1024);
    EXPECT_FALSE(result.ok()) << bad[i];
    if (!result.ok()) {
      EXPECT_EQ(result.error().code, Errc::invalid_base64) << bad[i];
    }
  }
  EXPECT_FALSE(base64_decode(std::string("Zm9v\0Yg=", 8), 1024).ok());
}

// The decoder works four characters at a time; its errors still name the first offending one.
TEST(Base64, ErrorsNameTheFirstOffendingCharacter) {
  const std::pair<std::string_view, std::string_view> cases[] = {
      {"Zm9vYmFy!m9v", "invalid base64 character at offset 8"},
      {"Zm9vYm!yZm-v", "invalid base64 character at offset 6"},
      {"Zm9vYmFyZm9-", "invalid base64 character at offset 11"},
      {"Zg==Zg==", "padding '=' before the end at offset 2"},
      {"Zm9vZ===", "padding '=' before the end at offset 5"},
      {"====", "padding '=' before the end at offset 0"},
      {"Zm9vY*==", "invalid base64 character at offset 5"},
      {"Zm9vYm*=", "invalid base64 character at offset 6"},
      {"Zm9vZh==", "non-zero padding bits in the last character"},
      {"Zm9vYm9=", "non-zero padding bits in the last character"},
  };
  for (const auto& [text, message] : cases) {
    auto result = base64_decode(text, 1024);
    ASSERT_FALSE(result.ok()) << text;
    EXPECT_EQ(result.error().code, Errc::invalid_base64) << text;
    EXPECT_EQ(result.error().message, message) << text;
  }
}

TEST(Base64, EveryLengthAndTailRoundTrips) {
  std::string bytes;
  for (int n = 0; n < 64; ++n) {
    const std::string encoded = base64_encode(bytes);
    EXPECT_EQ(encoded.size(), (bytes.size() + 2) / 3 * 4);
    auto back = base64_decode(encoded, bytes.size());
    ASSERT_TRUE(back.ok()) << n;
    EXPECT_EQ(*back, bytes);
    bytes.push_back(static_cast<char>(0xff - 37 * n));
  }
}

TEST(Base64, HeaderHelpersUseTheCap) {
  SettleResponse settle;
  settle.success = true;
  settle.transaction = "0x" + std::string(64, 'a');
  settle.network = "eip155:8453";
  const std::string header = encode_header(settle);
  EXPECT_TRUE(decode_header<SettleResponse>(header).ok());
  auto small = decode_header<SettleResponse>(header, HeaderLimits{16});
  ASSERT_FALSE(small.ok());
  EXPECT_EQ(small.error().code, Errc::too_large);
}

}  // namespace
}  // namespace x402
