// EIP-55 checksum addresses: the test cases listed in the EIP-55 text.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "x402/bytes.hpp"

namespace x402 {
namespace {

const std::vector<std::string> kEip55Examples = {
    // All caps
    "0x52908400098527886E0F7030069857D2E4169EE7",
    "0x8617E340B3D01FA5F11F306F4090FD50E238070D",
    // All lower
    "0xde709f2102306220921060314715629080e2fb77",
    "0x27b1fdb04752bbc536007a920d24acb045561c26",
    // Normal
    "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
    "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
    "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
    "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
};

std::string lowercase(std::string text) {
  for (auto& c : text)
    if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
  return text;
}

TEST(Eip55, ChecksumsTheSpecExamples) {
  for (const auto& example : kEip55Examples) {
    auto address = Address::parse(lowercase(example));
    ASSERT_TRUE(address.ok()) << example;
    EXPECT_EQ(address->checksummed(), example);
  }
}

TEST(Eip55, AcceptsTheSpecExamplesAsWritten) {
  for (const auto& example : kEip55Examples) {
    auto address = Address::parse(example);
    ASSERT_TRUE(address.ok()) << example << ": " << address.error().describe();
    EXPECT_EQ(address->hex(), lowercase(example));
  }
}

TEST(Eip55, RejectsAMixedCaseTypo) {
  // One letter's case flipped in a valid checksum ('a' -> 'A' at digit 3).
  auto address = Address::parse("0x5aAEb6053F3E94C9b9A09f33669435E7Ef1BeAed");
  ASSERT_FALSE(address.ok());
  EXPECT_EQ(address.error().code, Errc::invalid_hex);
  EXPECT_NE(address.error().message.find("EIP-55"), std::string::npos);
}

TEST(Eip55, AcceptsSingleCaseWithoutChecksum) {
  // Upper-case version of an address whose checksum is mixed: no case information, accepted.
  std::string upper = "0x5AAEB6053F3E94C9B9A09F33669435E7EF1BEAED";
  EXPECT_TRUE(Address::parse(upper).ok());
}

TEST(Eip55, RejectsMalformedText) {
  EXPECT_FALSE(Address::parse("5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed").ok());     // no 0x
  EXPECT_FALSE(Address::parse("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAe").ok());    // 39 digits
  EXPECT_FALSE(Address::parse("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAedd").ok());  // 41 digits
  auto bad_digit = Address::parse("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeg");
  ASSERT_FALSE(bad_digit.ok());
  EXPECT_EQ(bad_digit.error().code, Errc::invalid_hex);
}

TEST(Eip55, HardhatAccountZero) {
  auto address = Address::parse("0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266");
  ASSERT_TRUE(address.ok());
  EXPECT_EQ(address->checksummed(), "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266");
}

}  // namespace
}  // namespace x402
