// PrivateKey: parsing, file and environment loading, generation, signing, key files.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "crypto/keccak.hpp"
#include "crypto/secp256k1.hpp"
#include "support/test_support.hpp"
#include "x402/keys.hpp"

namespace x402 {
namespace {

namespace fs = std::filesystem;

constexpr const char* kKeyDigits = "ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";

// Key material must never appear in an error: check the hex digits (any case) and a prefix of them.
void expect_no_key_material(const Error& error) {
  std::string message = error.message;
  for (auto& c : message) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  EXPECT_EQ(message.find("ac0974bec39a"), std::string::npos) << error.message;
  EXPECT_EQ(message.find("2ff80"), std::string::npos) << error.message;
}

TEST(PrivateKey, HardhatAccountZeroAddress) {
  auto key = PrivateKey::from_hex(test::kTestKey0);
  ASSERT_TRUE(key.ok()) << key.error().describe();
  EXPECT_EQ(key->address().checksummed(), test::kTestAddress0);
}

TEST(PrivateKey, Eip712CowKeyAddress) {
  // EIP-712 Example.js: privateKey = keccak256("cow") -> 0xcd2a3d9f938e13cd947ec05abc7fe734df8dd826.
  auto key = PrivateKey::from_hex(crypto::keccak256(std::string_view("cow")).hex());
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(key->address().hex(), "0xcd2a3d9f938e13cd947ec05abc7fe734df8dd826");
}

TEST(PrivateKey, AcceptsPrefixlessUppercaseAndSurroundingWhitespace) {
  std::string upper = kKeyDigits;
  for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  for (const std::string& text :
       {std::string(kKeyDigits), "0X" + upper, "  \t0x" + std::string(kKeyDigits) + "\n"}) {
    auto key = PrivateKey::from_hex(text);
    ASSERT_TRUE(key.ok()) << key.error().describe();
    EXPECT_EQ(key->address().checksummed(), test::kTestAddress0);
  }
}

TEST(PrivateKey, RejectsMalformedKeysWithoutEchoingThem) {
  const std::string digits = kKeyDigits;
  const std::vector<std::string> bad = {
      "",
      "0x",
      "0x" + digits.substr(0, 62),                            // 31 bytes
      "0x" + digits + "00",                                   // 33 bytes
      "0x" + digits.substr(0, 63) + "g",                      // non-hex digit
      "0x" + digits.substr(0, 30) + " " + digits.substr(31),  // inner space
      "0x" + std::string(64, '0'),                            // zero scalar
      // The group order n itself and n + 1 are not valid scalars.
      "0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141",
      "0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364142",
      "0x" + std::string(64, 'f'),
  };
  for (const auto& text : bad) {
    auto key = PrivateKey::from_hex(text);
    ASSERT_FALSE(key.ok()) << text;
    EXPECT_EQ(key.error().code, Errc::invalid_key);
    expect_no_key_material(key.error());
  }
  // n - 1 is the largest valid scalar.
  EXPECT_TRUE(
      PrivateKey::from_hex("0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364140").ok());
}

TEST(PrivateKey, LoadsAnOwnerOnlyFile) {
  test::TempDir dir;
  const auto path = dir.write_file("key", std::string("0x") + kKeyDigits + "\n");
  auto key = PrivateKey::load_file(path.string());
  ASSERT_TRUE(key.ok()) << key.error().describe();
  EXPECT_EQ(key->address().checksummed(), test::kTestAddress0);
}

TEST(PrivateKey, RefusesGroupOrOtherAccessibleFiles) {
  test::TempDir dir;
  using fs::perms;
  for (const perms mode : {perms::owner_read | perms::group_read, perms::owner_read | perms::others_read,
                           perms::owner_read | perms::owner_write | perms::group_read | perms::others_read,
                           perms::owner_read | perms::group_write}) {
    const auto path = dir.write_file("key" + std::to_string(static_cast<int>(mode)), kKeyDigits, mode);
    auto key = PrivateKey::load_file(path.string());
    ASSERT_FALSE(key.ok()) << static_cast<int>(mode);
    EXPECT_EQ(key.error().code, Errc::invalid_key);
    EXPECT_NE(key.error().message.find("chmod 600"), std::string::npos) << key.error().message;
    expect_no_key_material(key.error());
  }
}

TEST(PrivateKey, ReportsUnreadableOrBadFilesClearly) {
  test::TempDir dir;
  auto missing = PrivateKey::load_file((dir.path() / "absent").string());
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("cannot open"), std::string::npos);

  auto directory = PrivateKey::load_file(dir.path().string());
  ASSERT_FALSE(directory.ok());
  EXPECT_NE(directory.error().message.find("not a regular file"), std::string::npos);

  const auto garbage = dir.write_file("garbage", "0x" + std::string(kKeyDigits).substr(0, 60) + "zzzz\n");
  auto bad = PrivateKey::load_file(garbage.string());
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find(garbage.string()), std::string::npos);
  expect_no_key_material(bad.error());

  const auto huge = dir.write_file("huge", std::string(5000, 'a'));
  auto too_large = PrivateKey::load_file(huge.string());
  ASSERT_FALSE(too_large.ok());
  EXPECT_NE(too_large.error().message.find("larger than"), std::string::npos);
}

TEST(PrivateKey, LoadsFromTheEnvironment) {
  const std::string variable = "X402_CRYPTO_TEST_KEY_" + std::to_string(::getpid());
  ::unsetenv(variable.c_str());
  auto unset = PrivateKey::from_env(variable);
  ASSERT_FALSE(unset.ok());
  EXPECT_NE(unset.error().message.find("not set"), std::string::npos);

  ::setenv(variable.c_str(), test::kTestKey0, 1);
  auto key = PrivateKey::from_env(variable);
  ::unsetenv(variable.c_str());
  ASSERT_TRUE(key.ok()) << key.error().describe();
  EXPECT_EQ(key->address().checksummed(), test::kTestAddress0);

  ::setenv(variable.c_str(), "0x1234", 1);
  auto bad = PrivateKey::from_env(variable);
  ::unsetenv(variable.c_str());
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find(variable), std::string::npos);
}

TEST(PrivateKey, GeneratesDistinctWorkingKeys) {
  const PrivateKey a = PrivateKey::generate();
  const PrivateKey b = PrivateKey::generate();
  EXPECT_NE(a.address(), b.address());
  EXPECT_NE(a.reveal_hex(), b.reveal_hex());
  const Bytes32 digest = crypto::keccak256(std::string_view("generated"));
  auto signer = crypto::recover_signer(digest, a.sign_digest(digest));
  ASSERT_TRUE(signer.ok());
  EXPECT_EQ(*signer, a.address());
}

TEST(PrivateKey, RevealRoundTrips) {
  const PrivateKey key = PrivateKey::generate();
  const std::string hex = key.reveal_hex();
  EXPECT_EQ(hex.size(), 66u);
  auto again = PrivateKey::from_hex(hex);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->address(), key.address());
}

TEST(PrivateKey, CopiesSignIdentically) {
  auto key = PrivateKey::from_hex(test::kTestKey0);
  ASSERT_TRUE(key.ok());
  const PrivateKey copy = *key;
  const Bytes32 digest = crypto::keccak256(std::string_view("copy"));
  EXPECT_EQ(copy.sign_digest(digest), key->sign_digest(digest));
  EXPECT_EQ(copy.address(), key->address());
}

TEST(WriteKeyFile, CreatesAnOwnerOnlyFileThatLoadsBack) {
  test::TempDir dir;
  const PrivateKey key = PrivateKey::generate();
  const auto path = (dir.path() / "new.key").string();
  ASSERT_TRUE(write_key_file(path, key).ok());
  struct stat info {};
  ASSERT_EQ(::stat(path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 07777, 0600u);
  auto loaded = PrivateKey::load_file(path);
  ASSERT_TRUE(loaded.ok()) << loaded.error().describe();
  EXPECT_EQ(loaded->address(), key.address());
}

TEST(WriteKeyFile, NeverOverwrites) {
  test::TempDir dir;
  const auto path = dir.write_file("existing", "keep me");
  auto status = write_key_file(path.string(), PrivateKey::generate());
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, Errc::conflict);
  EXPECT_EQ(test::read_file(path), "keep me");
}

TEST(WriteKeyFile, ReportsAMissingDirectory) {
  test::TempDir dir;
  auto status = write_key_file((dir.path() / "no" / "such" / "dir" / "key").string(), PrivateKey::generate());
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, Errc::io_error);
}

}  // namespace
}  // namespace x402
