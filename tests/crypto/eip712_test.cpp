// EIP-712 against published vectors: the EIP's own Mail example (both revisions of Example.js),
// MetaMask eth-sig-util's V4 array/bytes8 examples, and the x402 reference's EIP-3009 and Permit2
// vectors (x402-reference §2.2, §2.5, §2.8), cross-checking the specialised and generic paths.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <string>
#include <thread>
#include <vector>

#include "crypto/eip712.hpp"
#include "crypto/keccak.hpp"
#include "crypto/secp256k1.hpp"
#include "support/test_support.hpp"
#include "x402/keys.hpp"

namespace x402::crypto {
namespace {

boost::json::value json(std::string_view text) {
  return boost::json::parse(text);
}

Address address(std::string_view text) {
  auto parsed = Address::parse(text);
  EXPECT_TRUE(parsed.ok()) << text;
  return parsed ? *parsed : Address{};
}

Bytes32 word(std::string_view hex) {
  auto parsed = Bytes32::from_hex(hex);
  EXPECT_TRUE(parsed.ok()) << hex;
  return parsed ? *parsed : Bytes32{};
}

PrivateKey key_from(std::string_view hex) {
  auto key = PrivateKey::from_hex(hex);
  EXPECT_TRUE(key.ok());
  return *key;
}

// --- EIP-712 Example.js (current revision) -----------------------------------------------------

constexpr std::string_view kMail = R"({
  "types": {
    "EIP712Domain": [
      {"name": "name", "type": "string"}, {"name": "version", "type": "string"},
      {"name": "chainId", "type": "uint256"}, {"name": "verifyingContract", "type": "address"}],
    "Person": [{"name": "name", "type": "string"}, {"name": "wallet", "type": "address"}],
    "Mail": [{"name": "from", "type": "Person"}, {"name": "to", "type": "Person"},
             {"name": "contents", "type": "string"}]
  },
  "primaryType": "Mail",
  "domain": {"name": "Ether Mail", "version": "1", "chainId": 1,
             "verifyingContract": "0xCcCCccccCCCCcCCCCCCcCcCccCcCCCcCcccccccC"},
  "message": {
    "from": {"name": "Cow", "wallet": "0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826"},
    "to": {"name": "Bob", "wallet": "0xbBbBBBBbbBBBbbbBbbBbbbbBBbBbbbbBbBbbBBbB"},
    "contents": "Hello, Bob!"
  }
})";

TEST(Eip712Mail, EncodeTypeAndTypeHash) {
  const auto typed = json(kMail);
  auto encoded = encode_type(typed.at("types").as_object(), "Mail");
  ASSERT_TRUE(encoded.ok()) << encoded.error().describe();
  EXPECT_EQ(*encoded, "Mail(Person from,Person to,string contents)Person(string name,address wallet)");
  EXPECT_EQ(keccak256(std::string_view(*encoded)).hex(),
            "0xa0cedeb2dc280ba39b857546d74f5549c3a1d7bdc2dd96bf881f76108e23dac2");
}

TEST(Eip712Mail, DomainSeparatorStructHashAndDigest) {
  auto hashed = hash_typed_data(json(kMail));
  ASSERT_TRUE(hashed.ok()) << hashed.error().describe();
  EXPECT_EQ(hashed->domain_separator.hex(),
            "0xf2cee375fa42b42143804025fc449deafd50cc031ca257e0b194a650a912090f");
  EXPECT_EQ(hashed->struct_hash.hex(), "0xc52c0ee5d84264471806290a3f2c4cecfc5490626bf912d01f240d7a274b371e");
  EXPECT_EQ(hashed->digest.hex(), "0xbe609aee343fb3c4b28e1df9e632fca64fcfaede20f02e86244efddf30957bd2");
}

TEST(Eip712Mail, SpecialisedDomainSeparatorAgrees) {
  const Eip712Domain domain{"Ether Mail", "1", 1, address("0xCcCCccccCCCCcCCCCCCcCcCccCcCCCcCcccccccC")};
  EXPECT_EQ(domain_separator(domain).hex(),
            "0xf2cee375fa42b42143804025fc449deafd50cc031ca257e0b194a650a912090f");
}

TEST(Eip712Mail, DomainTypesDerivedWhenNotDeclared) {
  auto typed = json(kMail);
  typed.as_object()["types"].as_object().erase("EIP712Domain");
  auto hashed = hash_typed_data(typed);
  ASSERT_TRUE(hashed.ok()) << hashed.error().describe();
  EXPECT_EQ(hashed->digest.hex(), "0xbe609aee343fb3c4b28e1df9e632fca64fcfaede20f02e86244efddf30957bd2");
}

TEST(Eip712Mail, SignatureOfTheCowKey) {
  auto hashed = hash_typed_data_json(kMail);
  ASSERT_TRUE(hashed.ok());
  const Signature sig = key_from(keccak256(std::string_view("cow")).hex()).sign_digest(hashed->digest);
  EXPECT_EQ(sig.v, 28);
  EXPECT_EQ(sig.r.hex(), "0x4355c47d63924e8a72e509b65029052eb6c299d53a04e167c5775fd466751c9d");
  EXPECT_EQ(sig.s.hex(), "0x07299936d304c153f6443dfa05f40ff007d72911b6f72307f996231605b91562");
}

// --- EIP-712 Example.js / Example.sol (earlier revision: a domain with httpOrigin) -------------

TEST(Eip712Mail, DeclaredDomainWithANonStandardField) {
  auto typed = json(kMail);
  auto& domain_type = typed.at("types").at("EIP712Domain").as_array();
  domain_type.insert(domain_type.begin() + 3, json(R"({"name": "httpOrigin", "type": "string"})"));
  typed.at("domain").as_object()["httpOrigin"] = "https://ether-mail.eth";
  auto hashed = hash_typed_data(typed);
  ASSERT_TRUE(hashed.ok()) << hashed.error().describe();
  EXPECT_EQ(hashed->domain_separator.hex(),
            "0x0b72c8f1f2c3bf8bcca4c3cc24cd47275f9261a5b0bcf7b9bd803419b303a1a9");
  EXPECT_EQ(hashed->struct_hash.hex(), "0xc52c0ee5d84264471806290a3f2c4cecfc5490626bf912d01f240d7a274b371e");
  EXPECT_EQ(hashed->digest.hex(), "0xa5f5fa6b05af38f2e9d2889ac36f5a4ba31e20646781d23739de458d86d6593e");
  const Signature sig = key_from(keccak256(std::string_view("cow")).hex()).sign_digest(hashed->digest);
  EXPECT_EQ(sig.v, 27);
  EXPECT_EQ(sig.r.hex(), "0x24040eda35064d96c51f3308b5fae290edae563327348886a366ed604e0c0480");
  EXPECT_EQ(sig.s.hex(), "0x42bbabf2fae4b00598596a99d577dde56ff9d013e861f611cfe7b0728e1cd057");

  // Without the declared type, a non-standard domain field is an error rather than a guess.
  typed.at("types").as_object().erase("EIP712Domain");
  auto undeclared = hash_typed_data(typed);
  ASSERT_FALSE(undeclared.ok());
  EXPECT_NE(undeclared.error().message.find("httpOrigin"), std::string::npos);
}

// --- eth-sig-util signTypedData V4: arrays of structs and of addresses, bytes8 -------------------

constexpr std::string_view kMailWithArrays = R"({
  "types": {
    "EIP712Domain": [
      {"name": "name", "type": "string"}, {"name": "version", "type": "string"},
      {"name": "chainId", "type": "uint256"}, {"name": "verifyingContract", "type": "address"}],
    "Person": [{"name": "name", "type": "string"}, {"name": "wallets", "type": "address[]"}],
    "Mail": [{"name": "from", "type": "Person"}, {"name": "to", "type": "Person[]"},
             {"name": "contents", "type": "string"}],
    "Group": [{"name": "name", "type": "string"}, {"name": "members", "type": "Person[]"}]
  },
  "primaryType": "Mail",
  "domain": {"name": "Ether Mail", "version": "1", "chainId": 1,
             "verifyingContract": "0xCcCCccccCCCCcCCCCCCcCcCccCcCCCcCcccccccC"},
  "message": {
    "from": {"name": "Cow", "wallets": ["0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826",
                                        "0xDeaDbeefdEAdbeefdEadbEEFdeadbeEFdEaDbeeF"]},
    "to": [{"name": "Bob", "wallets": ["0xbBbBBBBbbBBBbbbBbbBbbbbBBbBbbbbBbBbbBBbB",
                                       "0xB0BdaBea57B0BDABeA57b0bdABEA57b0BDabEa57",
                                       "0xB0B0b0b0b0b0B000000000000000000000000000"]}],
    "contents": "Hello, Bob!"
  }
})";

TEST(Eip712Arrays, TypeHashes) {
  const auto typed = json(kMailWithArrays);
  const auto& types = typed.at("types").as_object();
  const auto typehash = [&](std::string_view name) {
    auto encoded = encode_type(types, name);
    EXPECT_TRUE(encoded.ok());
    return keccak256(std::string_view(*encoded)).hex();
  };
  EXPECT_EQ(typehash("Group"), "0x1d953c52160a9018dbb518700e05da47418ac2b6044f0c044f84c15a80103107");
  EXPECT_EQ(typehash("Person"), "0xfabfe1ed996349fc6027709802be19d047da1aa5d6894ff5f6486d92db2e6860");
  EXPECT_EQ(typehash("Mail"), "0x4bd8a9a2b93427bb184aca81e24beb30ffa3c747e2a33d4225ec08bf12e2e753");
}

TEST(Eip712Arrays, StructHashesAndDigest) {
  const auto typed = json(kMailWithArrays);
  const auto& types = typed.at("types").as_object();
  auto from = hash_struct(types, "Person", typed.at("message").at("from"));
  ASSERT_TRUE(from.ok()) << from.error().describe();
  EXPECT_EQ(from->hex(), "0x9b4846dd48b866f0ac54d61b9b21a9e746f921cefa4ee94c4c0a1c49c774f67f");
  auto to = hash_struct(types, "Person", typed.at("message").at("to").at(0));
  ASSERT_TRUE(to.ok());
  EXPECT_EQ(to->hex(), "0xefa62530c7ae3a290f8a13a5fc20450bdb3a6af19d9d9d2542b5a94e631a9168");

  auto hashed = hash_typed_data(typed);
  ASSERT_TRUE(hashed.ok()) << hashed.error().describe();
  EXPECT_EQ(hashed->struct_hash.hex(), "0xeb4221181ff3f1a83ea7313993ca9218496e424604ba9492bb4052c03d5c3df8");
  EXPECT_EQ(hashed->domain_separator.hex(),
            "0xf2cee375fa42b42143804025fc449deafd50cc031ca257e0b194a650a912090f");
  EXPECT_EQ(hashed->digest.hex(), "0xa85c2e2b118698e88db68a8105b794a8cc7cec074e89ef991cb4f5f533819cc2");
}

TEST(Eip712Arrays, Bytes8Member) {
  constexpr std::string_view kBytes8 = R"({
    "types": {
      "EIP712Domain": [
        {"name": "name", "type": "string"}, {"name": "version", "type": "string"},
        {"name": "chainId", "type": "uint256"}, {"name": "verifyingContract", "type": "address"}],
      "Person": [{"name": "name", "type": "string"}, {"name": "wallet", "type": "address"},
                 {"name": "count", "type": "bytes8"}]
    },
    "primaryType": "Person",
    "domain": {"name": "Ether Mail", "version": "1", "chainId": 1,
               "verifyingContract": "0xCcCCccccCCCCcCCCCCCcCcCccCcCCCcCcccccccC"},
    "message": {"name": "Bob", "wallet": "0xbBbBBBBbbBBBbbbBbbBbbbbBBbBbbbbBbBbbBBbB", "count": "0x1122334455667788"}
  })";
  auto hashed = hash_typed_data_json(kBytes8);
  ASSERT_TRUE(hashed.ok()) << hashed.error().describe();
  EXPECT_EQ(hashed->digest.hex(), "0x2a3e64893ed4ba30ea34dbff3b0aa08c7677876cfdf7112362eccf3111f58d1d");
}

// --- x402 reference §2.2 / §2.8: EIP-3009 on Base Sepolia USDC ---------------------------------

const Eip712Domain kUsdcDomain{"USDC", "2", 84532, address("0x036CbD53842c5426634e7929541eC2318f3dCF7e")};

TransferWithAuthorization reference_authorization() {
  return TransferWithAuthorization{
      address("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"),
      address("0x209693Bc6afc0C5328bA36FaF03C514EF312287C"),
      U256(10000),
      U256(0),
      U256(1740672154),
      word("0xf3746613c2d920b5fdabc0856f2aeb2d4f88ee6037b8cc5d04a71a4462f13480")};
}

TEST(Eip3009, TypeHash) {
  EXPECT_EQ(transfer_with_authorization_typehash().hex(),
            "0x7c7c6cdb67a18743f49ec6fa9b35f50d52ed05cbed4cc592e13b44501c1a2267");
}

TEST(Eip3009, ReferenceDomainSeparatorAndDigest) {
  EXPECT_EQ(domain_separator(kUsdcDomain).hex(),
            "0x71f17a3b2ff373b803d70a5a07c046c1a2bc8e89c09ef722fcb047abe94c9818");
  const Bytes32 digest = transfer_with_authorization_digest(kUsdcDomain, reference_authorization());
  EXPECT_EQ(digest.hex(), "0x4f4985a0c4a7592c738a9d385dac72ed9932049a3a642b4923659213c54fa8c6");
  EXPECT_EQ(typed_data_digest(domain_separator(kUsdcDomain), struct_hash(reference_authorization())), digest);
}

TEST(Eip3009, ReferenceSignature) {
  const Bytes32 digest = transfer_with_authorization_digest(kUsdcDomain, reference_authorization());
  const Signature sig = key_from(test::kTestKey0).sign_digest(digest);
  EXPECT_EQ(sig.hex(),
            "0x887688bfda2adc60488cb21d8355641dc7e6cae2acf979a4e510569110fbeb6912bfec8521359ee79ecbd2c6f8ba9a"
            "da97d499a910"
            "f5c0d4e274d0da99b8f3561c");
  auto signer = recover_signer(digest, sig);
  ASSERT_TRUE(signer.ok());
  EXPECT_EQ(signer->checksummed(), test::kTestAddress0);
}

// domain_separator() remembers the last few separators per thread: whichever domains come and go,
// each answer must be the one the independent generic path computes for that domain.
TEST(Eip3009, RememberedDomainSeparatorsStayCorrect) {
  std::vector<Eip712Domain> domains;
  for (int i = 0; i < 5; ++i) {
    Eip712Domain d = kUsdcDomain;
    domains.push_back(d);
    d.name += std::to_string(i);
    domains.push_back(d);
    d = kUsdcDomain;
    d.version = std::to_string(i);
    domains.push_back(d);
    d = kUsdcDomain;
    d.chain_id += static_cast<std::uint64_t>(i + 1);
    domains.push_back(d);
    d = kUsdcDomain;
    d.verifying_contract.bytes[19] ^= static_cast<std::uint8_t>(i + 1);
    domains.push_back(d);
  }
  const auto generic = [](const Eip712Domain& d) {
    const std::string json =
        R"({"types":{"M":[{"name":"a","type":"uint256"}]},"primaryType":"M","domain":{"name":")" + d.name +
        R"(","version":")" + d.version + R"(","chainId":)" + std::to_string(d.chain_id) +
        R"(,"verifyingContract":")" + d.verifying_contract.hex() + R"("},"message":{"a":1}})";
    auto hashed = hash_typed_data_json(json);
    EXPECT_TRUE(hashed.ok()) << json;
    return hashed ? hashed->domain_separator : Bytes32{};
  };
  // Forwards, backwards, and in a small working set (hits), more domains than are remembered.
  for (int pass = 0; pass < 3; ++pass)
    for (std::size_t k = 0; k < domains.size(); ++k) {
      const auto& d = domains[pass == 1 ? domains.size() - 1 - k : (pass == 2 ? k % 3 : k)];
      EXPECT_EQ(domain_separator(d), generic(d)) << pass << " " << k;
    }
  EXPECT_EQ(domain_separator(kUsdcDomain).hex(),
            "0x71f17a3b2ff373b803d70a5a07c046c1a2bc8e89c09ef722fcb047abe94c9818");
  std::thread other([&] {
    for (const auto& d : domains) EXPECT_EQ(domain_separator(d), generic(d));
  });
  other.join();
}

constexpr std::string_view kEip3009Json = R"({
  "types": {
    "TransferWithAuthorization": [
      {"name": "from", "type": "address"}, {"name": "to", "type": "address"},
      {"name": "value", "type": "uint256"}, {"name": "validAfter", "type": "uint256"},
      {"name": "validBefore", "type": "uint256"}, {"name": "nonce", "type": "bytes32"}]
  },
  "primaryType": "TransferWithAuthorization",
  "domain": {"name": "USDC", "version": "2", "chainId": 84532,
             "verifyingContract": "0x036CbD53842c5426634e7929541eC2318f3dCF7e"},
  "message": {
    "from": "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266",
    "to": "0x209693Bc6afc0C5328bA36FaF03C514EF312287C",
    "value": "10000", "validAfter": "0", "validBefore": "1740672154",
    "nonce": "0xf3746613c2d920b5fdabc0856f2aeb2d4f88ee6037b8cc5d04a71a4462f13480"
  }
})";

TEST(Eip3009, GenericPathMatchesTheSpecialisedOne) {
  auto hashed = hash_typed_data_json(kEip3009Json);
  ASSERT_TRUE(hashed.ok()) << hashed.error().describe();
  EXPECT_EQ(hashed->domain_separator, domain_separator(kUsdcDomain));
  EXPECT_EQ(hashed->struct_hash, struct_hash(reference_authorization()));
  EXPECT_EQ(hashed->digest.hex(), "0x4f4985a0c4a7592c738a9d385dac72ed9932049a3a642b4923659213c54fa8c6");
}

TEST(Eip3009, GenericPathAcceptsEveryIntegerSpelling) {
  auto typed = json(kEip3009Json);
  auto& message = typed.at("message").as_object();
  message["value"] = 10000;               // JSON number
  message["validAfter"] = "0x0";          // hex
  message["validBefore"] = "0x67c08c9a";  // 1740672154
  auto hashed = hash_typed_data(typed);
  ASSERT_TRUE(hashed.ok()) << hashed.error().describe();
  EXPECT_EQ(hashed->digest.hex(), "0x4f4985a0c4a7592c738a9d385dac72ed9932049a3a642b4923659213c54fa8c6");
}

TEST(Eip3009, SpecialisedPathTracksEveryField) {
  const Bytes32 base = transfer_with_authorization_digest(kUsdcDomain, reference_authorization());
  auto changed = reference_authorization();
  changed.value += 1;
  EXPECT_NE(transfer_with_authorization_digest(kUsdcDomain, changed), base);
  changed = reference_authorization();
  changed.valid_after = 1;
  EXPECT_NE(transfer_with_authorization_digest(kUsdcDomain, changed), base);
  changed = reference_authorization();
  changed.nonce.bytes[31] ^= 1;
  EXPECT_NE(transfer_with_authorization_digest(kUsdcDomain, changed), base);
  Eip712Domain other_chain = kUsdcDomain;
  other_chain.chain_id = 8453;
  EXPECT_NE(transfer_with_authorization_digest(other_chain, reference_authorization()), base);
}

// --- x402 reference §2.5 / §2.8: Permit2 exact -------------------------------------------------

constexpr std::string_view kPermit2Json = R"({
  "types": {
    "PermitWitnessTransferFrom": [
      {"name": "permitted", "type": "TokenPermissions"}, {"name": "spender", "type": "address"},
      {"name": "nonce", "type": "uint256"}, {"name": "deadline", "type": "uint256"},
      {"name": "witness", "type": "Witness"}],
    "TokenPermissions": [{"name": "token", "type": "address"}, {"name": "amount", "type": "uint256"}],
    "Witness": [{"name": "to", "type": "address"}, {"name": "validAfter", "type": "uint256"}]
  },
  "primaryType": "PermitWitnessTransferFrom",
  "domain": {"name": "Permit2", "chainId": 84532, "verifyingContract": "0x000000000022D473030F116dDEE9F6B43aC78BA3"},
  "message": {
    "permitted": {"token": "0x036CbD53842c5426634e7929541eC2318f3dCF7e", "amount": "10000"},
    "spender": "0x402085c248EeA27D92E8b30b2C58ed07f9E20001",
    "nonce": "33247007178036348590600198031289925668252061821958005840077069883511451257277",
    "deadline": "1740672154",
    "witness": {"to": "0x209693Bc6afc0C5328bA36FaF03C514EF312287C", "validAfter": "0"}
  }
})";

TEST(Permit2, WitnessTypeHashAndProxyTypeString) {
  const auto typed = json(kPermit2Json);
  const auto& types = typed.at("types").as_object();
  auto witness = encode_type(types, "Witness");
  ASSERT_TRUE(witness.ok());
  EXPECT_EQ(keccak256(std::string_view(*witness)).hex(),
            "0xd97b3239a7f32295517bd14cb074edfdd188dfe5eb42f802bb26d4fd1eb12c37");
  auto full = encode_type(types, "PermitWitnessTransferFrom");
  ASSERT_TRUE(full.ok());
  // The proxy's witness type string is the tail of this one (x402-reference §2.5).
  EXPECT_TRUE(
      full->ends_with("Witness witness)TokenPermissions(address token,uint256 amount)Witness(address "
                      "to,uint256 validAfter)"));
}

TEST(Permit2, ReferenceDigestAndSignature) {
  auto hashed = hash_typed_data_json(kPermit2Json);
  ASSERT_TRUE(hashed.ok()) << hashed.error().describe();
  EXPECT_EQ(hashed->digest.hex(), "0x285964a32aa808d110ebbbdc1872bc8884a1b19bd3bf3d7d761cba18d86b1092");
  EXPECT_EQ(key_from(test::kTestKey0).sign_digest(hashed->digest).hex(),
            "0x9d60114705412b170bf24af3dc74cd8980beae6418c1d80c36a6c2e5886b7bde1297655f00e425b238ad31b9455849"
            "1313561dcf7480"
            "1f4473b712b7387cf76d1c");
}

// --- malformed typed data ----------------------------------------------------------------------

struct BadCase {
  const char* what;
  std::string_view path;  // JSON pointer of the member to replace
  const char* replacement;
  const char* expected_in_message;
};

TEST(Eip712Errors, MalformedValuesNameTheMember) {
  const BadCase cases[] = {
      {"bad address", "/message/to", R"("0x1234")", "to"},
      {"bad checksum", "/message/to", R"("0x209693bC6afc0C5328bA36FaF03C514EF312287C")", "EIP-55"},
      {"negative uint", "/message/value", R"("-1")", "negative"},
      {"uint overflow", "/message/value",
       R"("115792089237316195423570985008687907853269984665640564039457584007913129639936")", "value"},
      {"fractional number", "/message/value", "1.5", "value"},
      {"bool for uint", "/message/value", "true", "value"},
      {"short bytes32", "/message/nonce", R"("0xf374")", "expected 32 bytes"},
      {"bytes32 without 0x", "/message/nonce",
       R"("f3746613c2d920b5fdabc0856f2aeb2d4f88ee6037b8cc5d04a71a4462f13480")", "0x-prefixed"},
      {"odd hex", "/message/nonce", R"("0xf3746613c2d920b5fdabc0856f2aeb2d4f88ee6037b8cc5d04a71a4462f1348")",
       "nonce"},
      {"string for chainId", "/domain/chainId", R"("eighty")", "chainId"},
  };
  for (const auto& bad : cases) {
    auto typed = json(kEip3009Json);
    boost::system::error_code error;
    boost::json::value* target = typed.find_pointer(bad.path, error);
    ASSERT_NE(target, nullptr) << bad.what;
    *target = json(bad.replacement);
    auto hashed = hash_typed_data(typed);
    ASSERT_FALSE(hashed.ok()) << bad.what;
    EXPECT_EQ(hashed.error().code, Errc::invalid_field) << bad.what;
    EXPECT_NE(hashed.error().message.find(bad.expected_in_message), std::string::npos)
        << bad.what << ": " << hashed.error().message;
  }
}

TEST(Eip712Errors, StructuralProblems) {
  auto missing_member = json(kEip3009Json);
  missing_member.at("message").as_object().erase("nonce");
  auto r1 = hash_typed_data(missing_member);
  ASSERT_FALSE(r1.ok());
  EXPECT_NE(r1.error().message.find("nonce"), std::string::npos);

  auto unknown_type = json(kEip3009Json);
  unknown_type.at("types").at("TransferWithAuthorization").at(0).as_object()["type"] = "Adress";
  auto r2 = hash_typed_data(unknown_type);
  ASSERT_FALSE(r2.ok());
  EXPECT_NE(r2.error().message.find("Adress"), std::string::npos);

  auto bad_primary = json(kEip3009Json);
  bad_primary.as_object()["primaryType"] = "Transfer";
  EXPECT_FALSE(hash_typed_data(bad_primary).ok());

  auto fixed_length = json(kMailWithArrays);
  fixed_length.at("types").at("Person").at(1).as_object()["type"] = "address[3]";
  auto r3 = hash_typed_data(fixed_length);  // "from" has two wallets
  ASSERT_FALSE(r3.ok());
  EXPECT_NE(r3.error().message.find("expected 3 elements"), std::string::npos) << r3.error().message;

  auto bad_json = hash_typed_data_json("{\"types\": ");
  ASSERT_FALSE(bad_json.ok());
  EXPECT_EQ(bad_json.error().code, Errc::invalid_json);

  EXPECT_EQ(hash_typed_data(json("[]")).error().code, Errc::invalid_field);
  EXPECT_EQ(hash_typed_data(json(R"({"primaryType": "A", "domain": {}})")).error().code, Errc::missing_field);
}

TEST(Eip712Errors, IntegerWidthsAreEnforced) {
  constexpr std::string_view kSmall = R"({
    "types": {"T": [{"name": "a", "type": "uint8"}, {"name": "b", "type": "int8"}]},
    "primaryType": "T", "domain": {"name": "x"}, "message": {"a": 255, "b": -128}
  })";
  EXPECT_TRUE(hash_typed_data_json(kSmall).ok());
  auto typed = json(kSmall);
  typed.at("message").as_object()["a"] = 256;
  EXPECT_FALSE(hash_typed_data(typed).ok());
  typed = json(kSmall);
  typed.at("message").as_object()["b"] = -129;
  EXPECT_FALSE(hash_typed_data(typed).ok());
  typed = json(kSmall);
  typed.at("message").as_object()["b"] = 128;
  EXPECT_FALSE(hash_typed_data(typed).ok());
}

TEST(Eip712Encoding, NegativeIntegersAreTwosComplementWords) {
  // encodeData of int8 -1 is the 256-bit two's complement word 0xff..ff (EIP-712: "sign-extended").
  constexpr std::string_view kTypes = R"({"T": [{"name": "b", "type": "int8"}]})";
  const auto types = json(kTypes);
  auto hashed = hash_struct(types.as_object(), "T", json(R"({"b": "-1"})"));
  ASSERT_TRUE(hashed.ok()) << hashed.error().describe();
  Bytes expected_data;
  const Bytes32 type_hash = keccak256(std::string_view("T(int8 b)"));
  expected_data.insert(expected_data.end(), type_hash.bytes.begin(), type_hash.bytes.end());
  expected_data.insert(expected_data.end(), 32, 0xff);
  EXPECT_EQ(*hashed, keccak256(ByteView(expected_data)));
}

}  // namespace
}  // namespace x402::crypto
