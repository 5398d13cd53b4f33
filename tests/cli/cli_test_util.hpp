// Helpers shared by the `x402` command tests: key files, 402 fixtures, JSON key order, and the
// checks every run must pass (the key never printed).
#pragma once

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <boost/json.hpp>
#include <chrono>
#include <string>
#include <vector>

#include "support/test_support.hpp"
#include "x402/codec.hpp"

namespace x402::test::cli {

constexpr auto kCliTimeout = std::chrono::seconds(30);

// Unix seconds now.
inline std::uint64_t unix_now() {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
          .count());
}

// Member names of a JSON object, in the order they appear in the text.
inline std::vector<std::string> keys_of(const boost::json::value& value) {
  std::vector<std::string> keys;
  if (const auto* object = value.if_object()) {
    for (const auto& member : *object) keys.emplace_back(member.key());
  }
  return keys;
}

inline std::vector<std::string> keys_of(const boost::json::value& value, std::string_view member) {
  const auto* object = value.if_object();
  const auto* inner = object ? object->if_contains(member) : nullptr;
  return inner ? keys_of(*inner) : std::vector<std::string>{};
}

// Neither stream of a run may contain the private key, in any case, with or without 0x.
inline void expect_no_key(const ProcessResult& result, std::string_view key_hex = kTestKey0) {
  std::string bare(key_hex.substr(key_hex.starts_with("0x") ? 2 : 0));
  std::string upper = bare;
  for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  for (const std::string& needle : {bare, upper, bare.substr(0, 16), upper.substr(0, 16)}) {
    EXPECT_EQ(result.out.find(needle), std::string::npos) << "key material on stdout";
    EXPECT_EQ(result.err.find(needle), std::string::npos) << "key material on stderr";
  }
}

// The value of a run that must have printed exactly one base64 line and nothing else.
inline std::string single_base64_line(const ProcessResult& result) {
  expect_no_key(result);
  EXPECT_FALSE(result.timed_out);
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_TRUE(result.err.empty()) << result.err;
  EXPECT_FALSE(result.out.empty());
  if (result.out.empty() || result.out.back() != '\n') {
    ADD_FAILURE() << "stdout does not end with a newline: " << result.out;
    return {};
  }
  std::string line = result.out.substr(0, result.out.size() - 1);
  EXPECT_EQ(line.find('\n'), std::string::npos) << "more than one line on stdout";
  EXPECT_FALSE(line.empty());
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    const bool alphabet = std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '/';
    const bool padding = c == '=' && i + 2 >= line.size();
    if (!alphabet && !padding) {
      ADD_FAILURE() << "not standard base64 at offset " << i << ": " << line;
      break;
    }
  }
  EXPECT_EQ(line.size() % 4, 0u) << "base64 without padding";
  return line;
}

// A failed run: non-zero exit (or exactly `code`), a message on stderr, nothing on stdout.
inline void expect_refused(const ProcessResult& result, int code = -1) {
  EXPECT_FALSE(result.timed_out);
  if (code >= 0) {
    EXPECT_EQ(result.exit_code, code) << result.err;
  } else {
    EXPECT_NE(result.exit_code, 0);
    EXPECT_GT(result.exit_code, 0) << "killed by a signal?";
  }
  EXPECT_TRUE(result.out.empty()) << "stdout: " << result.out;
  EXPECT_FALSE(result.err.empty()) << "no message on stderr";
  expect_no_key(result);
}

// A key file holding the Hardhat #0 test key, mode 0600 by default.
inline std::string key_file(TempDir& dir,
                            std::filesystem::perms perms = std::filesystem::perms::owner_read |
                                                           std::filesystem::perms::owner_write,
                            const std::string& name = "buyer.key") {
  return dir.write_file(name, std::string(kTestKey0) + "\n", perms).string();
}

}  // namespace x402::test::cli
