// Solidity ABI against the examples of the Solidity ABI specification (docs/abi-spec.rst), the
// revert-data example of the Solidity docs (control-structures), selectors published for ERC-20,
// FiatToken (x402-reference §2.4) and Multicall3; layouts built word by word from the spec rules.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "crypto/abi.hpp"

namespace x402::crypto::abi {
namespace {

Bytes hex(std::string_view text) {
  auto parsed = from_hex(text);
  EXPECT_TRUE(parsed.ok()) << text;
  return parsed ? *parsed : Bytes{};
}

Address address(std::string_view text) {
  return *Address::parse(text);
}

Bytes32 word32(std::string_view text) {
  return *Bytes32::from_hex(text);
}

// 32-byte word of a small number, written out by hand in the expected strings below.
std::string w(std::string_view hex_digits) {
  return std::string(64 - hex_digits.size(), '0') + std::string(hex_digits);
}
// Left-aligned, zero-padded bytes (bytesN, bytes/string content).
std::string left(std::string_view hex_digits) {
  std::string out(hex_digits);
  out.resize((out.size() + 63) / 64 * 64, '0');
  return out;
}

Value u(unsigned bits, std::uint64_t value) {
  return *Value::uint(bits, U256(value));
}

TEST(AbiSelector, PublishedSelectors) {
  EXPECT_EQ(selector("transfer(address,uint256)").hex(), "0xa9059cbb");
  EXPECT_EQ(selector("baz(uint32,bool)").hex(), "0xcdcd77c0");
  EXPECT_EQ(selector("bar(bytes3[2])").hex(), "0xfce353f6");
  EXPECT_EQ(selector("sam(bytes,bool,uint256[])").hex(), "0xa5643bf2");
  EXPECT_EQ(selector("f(uint256,uint32[],bytes10,bytes)").hex(), "0x8be65246");
  EXPECT_EQ(selector("g(uint256[][],string[])").hex(), "0x2289b18c");
  EXPECT_EQ(
      selector(
          "transferWithAuthorization(address,address,uint256,uint256,uint256,bytes32,uint8,bytes32,bytes32)")
          .hex(),
      "0xe3ee160e");
  EXPECT_EQ(
      selector("transferWithAuthorization(address,address,uint256,uint256,uint256,bytes32,bytes)").hex(),
      "0xcf092995");
  EXPECT_EQ(selector("aggregate3((address,bool,bytes)[])").hex(), "0x82ad56cb");
  EXPECT_EQ(selector("tryAggregate(bool,(address,bytes)[])").hex(), "0xbce38bd7");
  EXPECT_EQ(selector("Error(string)").hex(), "0x08c379a0");
  EXPECT_EQ(selector("Panic(uint256)").hex(), "0x4e487b71");
  EXPECT_EQ(selector("approve(address,uint256)").hex(), "0x095ea7b3");
}

// --- ABI specification examples ----------------------------------------------------------------

TEST(AbiSpec, Baz) {
  const std::vector<Value> args{u(32, 69), Value::boolean(true)};
  EXPECT_EQ(function_signature("baz", args), "baz(uint32,bool)");
  EXPECT_EQ(to_hex(encode_call("baz", args)),
            "0xcdcd77c000000000000000000000000000000000000000000000000000000000000000450000000000000000000000"
            "000000000"
            "000000000000000000000000000000001");
}

TEST(AbiSpec, Bar) {
  const Type bytes3 = *Type::fixed_bytes(3);
  auto pair =
      Value::fixed_array(bytes3, {*Value::fixed_bytes(hex("616263")), *Value::fixed_bytes(hex("646566"))});
  ASSERT_TRUE(pair.ok());
  EXPECT_EQ(to_hex(encode_call("bar", {*pair})),
            "0xfce353f661626300000000000000000000000000000000000000000000000000000000006465660000000000000000"
            "000000000"
            "000000000000000000000000000000000");
}

TEST(AbiSpec, Sam) {
  auto numbers = Value::array(Type::uint256(), {Value::uint256(1), Value::uint256(2), Value::uint256(3)});
  ASSERT_TRUE(numbers.ok());
  const std::vector<Value> args{Value::bytes(Bytes{'d', 'a', 'v', 'e'}), Value::boolean(true), *numbers};
  EXPECT_EQ(function_signature("sam", args), "sam(bytes,bool,uint256[])");
  EXPECT_EQ(to_hex(encode_call("sam", args)),
            "0xa5643bf2"
            "0000000000000000000000000000000000000000000000000000000000000060"
            "0000000000000000000000000000000000000000000000000000000000000001"
            "00000000000000000000000000000000000000000000000000000000000000a0"
            "0000000000000000000000000000000000000000000000000000000000000004"
            "6461766500000000000000000000000000000000000000000000000000000000"
            "0000000000000000000000000000000000000000000000000000000000000003"
            "0000000000000000000000000000000000000000000000000000000000000001"
            "0000000000000000000000000000000000000000000000000000000000000002"
            "0000000000000000000000000000000000000000000000000000000000000003");
}

TEST(AbiSpec, DynamicTypesF) {
  auto uint32s = Value::array(*Type::uint(32), {u(32, 0x456), u(32, 0x789)});
  ASSERT_TRUE(uint32s.ok());
  const std::string text = "1234567890";
  auto bytes10 =
      Value::fixed_bytes(ByteView(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
  ASSERT_TRUE(bytes10.ok());
  const std::string hello = "Hello, world!";
  const std::vector<Value> args{Value::uint256(0x123), *uint32s, *bytes10,
                                Value::bytes(Bytes(hello.begin(), hello.end()))};
  EXPECT_EQ(function_signature("f", args), "f(uint256,uint32[],bytes10,bytes)");
  EXPECT_EQ(to_hex(encode_call("f", args)),
            "0x8be65246"
            "0000000000000000000000000000000000000000000000000000000000000123"
            "0000000000000000000000000000000000000000000000000000000000000080"
            "3132333435363738393000000000000000000000000000000000000000000000"
            "00000000000000000000000000000000000000000000000000000000000000e0"
            "0000000000000000000000000000000000000000000000000000000000000002"
            "0000000000000000000000000000000000000000000000000000000000000456"
            "0000000000000000000000000000000000000000000000000000000000000789"
            "000000000000000000000000000000000000000000000000000000000000000d"
            "48656c6c6f2c20776f726c642100000000000000000000000000000000000000");
}

const char* const kSpecG =
    "0x2289b18c"
    "0000000000000000000000000000000000000000000000000000000000000040"
    "0000000000000000000000000000000000000000000000000000000000000140"
    "0000000000000000000000000000000000000000000000000000000000000002"
    "0000000000000000000000000000000000000000000000000000000000000040"
    "00000000000000000000000000000000000000000000000000000000000000a0"
    "0000000000000000000000000000000000000000000000000000000000000002"
    "0000000000000000000000000000000000000000000000000000000000000001"
    "0000000000000000000000000000000000000000000000000000000000000002"
    "0000000000000000000000000000000000000000000000000000000000000001"
    "0000000000000000000000000000000000000000000000000000000000000003"
    "0000000000000000000000000000000000000000000000000000000000000003"
    "0000000000000000000000000000000000000000000000000000000000000060"
    "00000000000000000000000000000000000000000000000000000000000000a0"
    "00000000000000000000000000000000000000000000000000000000000000e0"
    "0000000000000000000000000000000000000000000000000000000000000003"
    "6f6e650000000000000000000000000000000000000000000000000000000000"
    "0000000000000000000000000000000000000000000000000000000000000003"
    "74776f0000000000000000000000000000000000000000000000000000000000"
    "0000000000000000000000000000000000000000000000000000000000000005"
    "7468726565000000000000000000000000000000000000000000000000000000";

std::vector<Value> spec_g_args() {
  const Type uints = Type::array(Type::uint256());
  auto nested = Value::array(uints, {*Value::array(Type::uint256(), {Value::uint256(1), Value::uint256(2)}),
                                     *Value::array(Type::uint256(), {Value::uint256(3)})});
  auto strings =
      Value::array(Type::string(), {Value::string("one"), Value::string("two"), Value::string("three")});
  return {*nested, *strings};
}

TEST(AbiSpec, NestedDynamicArraysG) {
  const auto args = spec_g_args();
  EXPECT_EQ(function_signature("g", args), "g(uint256[][],string[])");
  EXPECT_EQ(to_hex(encode_call("g", args)), kSpecG);
}

TEST(AbiSpec, DecodesTheSpecExamplesBack) {
  const Bytes g = hex(kSpecG);
  auto decoded = decode("(uint256[][],string[])", ByteView(g).subspan(4));
  ASSERT_TRUE(decoded.ok()) << decoded.error().describe();
  EXPECT_EQ(*decoded, spec_g_args());
  EXPECT_EQ(*(*decoded)[1].items()[2].as_string(), "three");

  const Bytes sam = encode_call("sam", {Value::bytes(Bytes{'d', 'a', 'v', 'e'}), Value::boolean(true),
                                        *Value::array(Type::uint256(), {Value::uint256(1)})});
  auto sam_back = decode("bytes,bool,uint256[]", ByteView(sam).subspan(4));
  ASSERT_TRUE(sam_back.ok()) << sam_back.error().describe();
  EXPECT_EQ(*(*sam_back)[0].as_bytes(), (Bytes{'d', 'a', 'v', 'e'}));
  EXPECT_TRUE(*(*sam_back)[1].as_bool());
  EXPECT_EQ(*(*sam_back)[2].items()[0].as_uint(), 1);
}

// --- transferWithAuthorization (x402-reference §2.4, values of §2.8) ---------------------------

const Address kFrom = address("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266");
const Address kTo = address("0x209693Bc6afc0C5328bA36FaF03C514EF312287C");
const Bytes32 kNonce = word32("0xf3746613c2d920b5fdabc0856f2aeb2d4f88ee6037b8cc5d04a71a4462f13480");
const char* const kR = "887688bfda2adc60488cb21d8355641dc7e6cae2acf979a4e510569110fbeb69";
const char* const kS = "12bfec8521359ee79ecbd2c6f8ba9ada97d499a910f5c0d4e274d0da99b8f356";

std::string authorization_head() {
  return w("f39fd6e51aad88f6f4ce6ab8827279cfffb92266") + w("209693bc6afc0c5328ba36faf03c514ef312287c") +
         w("2710") + w("0") + w("67c08c9a") +
         "f3746613c2d920b5fdabc0856f2aeb2d4f88ee6037b8cc5d04a71a4462f13480";
}

std::vector<Value> authorization_args() {
  return {Value::address(kFrom), Value::address(kTo),        Value::uint256(10000),
          Value::uint256(0),     Value::uint256(1740672154), Value::bytes32(kNonce)};
}

TEST(AbiTransferWithAuthorization, VrsOverload) {
  auto args = authorization_args();
  args.push_back(Value::uint8(0x1c));
  args.push_back(Value::bytes32(word32(kR)));
  args.push_back(Value::bytes32(word32(kS)));
  const Bytes calldata = encode_call("transferWithAuthorization", args);
  EXPECT_EQ(calldata.size(), 4u + 9 * 32);
  EXPECT_EQ(to_hex(calldata), "0xe3ee160e" + authorization_head() + w("1c") + kR + kS);
}

TEST(AbiTransferWithAuthorization, BytesOverload) {
  auto args = authorization_args();
  const std::string signature = std::string(kR) + kS + "1c";
  args.push_back(Value::bytes(hex(signature)));
  const Bytes calldata = encode_call("transferWithAuthorization", args);
  // Seven head words (the last the offset 7 * 32 = 0xe0), the length 65, and 65 bytes padded to 96.
  EXPECT_EQ(calldata.size(), 4u + 7 * 32 + 32 + 96);
  EXPECT_EQ(to_hex(calldata), "0xcf092995" + authorization_head() + w("e0") + w("41") + left(signature));
}

// --- Multicall3 --------------------------------------------------------------------------------

const Address kMulticall3 = address("0xcA11bde05977b3631167028862bE2a173976CA11");
const std::string kMulticall3Word = w("ca11bde05977b3631167028862be2a173976ca11");

TEST(AbiMulticall3, Aggregate3) {
  const Bytes calldata = encode_aggregate3({Call3{kMulticall3, true, hex("18160ddd")}});
  EXPECT_EQ(to_hex(calldata), "0x82ad56cb" + w("20") + w("1") + w("20") + kMulticall3Word + w("1") + w("60") +
                                  w("4") + left("18160ddd"));
}

TEST(AbiMulticall3, TryAggregate) {
  const Bytes calldata = encode_try_aggregate(false, {Call{kMulticall3, hex("18160ddd")}});
  EXPECT_EQ(to_hex(calldata), "0xbce38bd7" + w("0") + w("40") + w("1") + w("20") + kMulticall3Word + w("40") +
                                  w("4") + left("18160ddd"));
}

TEST(AbiMulticall3, EmptyCallList) {
  EXPECT_EQ(to_hex(encode_aggregate3({})), "0x82ad56cb" + w("20") + w("0"));
}

TEST(AbiMulticall3, DecodesCallResults) {
  // [(true, abi.encode(uint256(5))), (false, "")]
  const Bytes data = hex(w("20") + w("2") + w("40") + w("c0") +  //
                         w("1") + w("40") + w("20") + w("5") +   // element 0
                         w("0") + w("40") + w("0"));             // element 1
  auto results = decode_call_results(data);
  ASSERT_TRUE(results.ok()) << results.error().describe();
  ASSERT_EQ(results->size(), 2u);
  EXPECT_TRUE((*results)[0].success);
  EXPECT_EQ(*decode_uint256((*results)[0].return_data), 5);
  EXPECT_FALSE((*results)[1].success);
  EXPECT_TRUE((*results)[1].return_data.empty());
}

// --- return-data decoders ----------------------------------------------------------------------

TEST(AbiDecode, SingleValues) {
  EXPECT_EQ(*decode_uint256(hex(w("2710"))), 10000);
  EXPECT_TRUE(*decode_bool(hex(w("1"))));
  EXPECT_FALSE(*decode_bool(hex(w("0"))));
  EXPECT_EQ(*decode_address(hex(kMulticall3Word)), kMulticall3);
  EXPECT_EQ(*decode_bytes32(hex(std::string(kR))), word32(kR));
  EXPECT_EQ(*decode_string(hex(w("20") + w("4") + left("55534443"))), "USDC");
  EXPECT_EQ(*decode_bytes(hex(w("20") + w("0"))), Bytes{});
  // Solidity ignores trailing return data beyond the declared values.
  EXPECT_EQ(*decode_uint256(hex(w("7") + w("8"))), 7);
}

TEST(AbiDecode, RejectsTruncatedData) {
  const auto expect_error = [](const auto& result, const char* needle) {
    ASSERT_FALSE(result.ok()) << needle;
    EXPECT_EQ(result.error().code, Errc::invalid_field);
    EXPECT_NE(result.error().message.find(needle), std::string::npos) << result.error().message;
  };
  expect_error(decode_uint256({}), "past the end");
  expect_error(decode_uint256(hex(w("1").substr(2))), "past the end");  // 31 bytes
  expect_error(decode_string(hex(w("20"))), "past the end");            // no length word
  expect_error(decode_string(hex(w("20") + w("5") + "41")), "runs past the end");
  expect_error(decode_bytes(hex(w("40") + w("0"))), "past the end");  // offset to the end
  expect_error(decode_bytes(hex(w("1000") + w("0"))), "exceeds");
  expect_error(decode_bytes(hex(std::string(64, 'f'))), "too large");
  expect_error(decode_call_results(hex(w("20") + w("ffffff"))), "exceeds");
}

TEST(AbiDecode, RejectsDirtyWords) {
  EXPECT_NE(decode_address(hex("01" + std::string(kMulticall3Word).substr(2))).error().message.find("dirty"),
            std::string::npos);
  EXPECT_NE(decode_bool(hex(w("2"))).error().message.find("not 0 or 1"), std::string::npos);
  auto uint8 = decode(std::vector<Type>{Type::uint8()}, hex(w("100")));
  ASSERT_FALSE(uint8.ok());
  EXPECT_NE(uint8.error().message.find("out of range"), std::string::npos);
  auto bytes3 = decode("bytes3", hex(left("61626364")));
  ASSERT_FALSE(bytes3.ok());
  EXPECT_NE(bytes3.error().message.find("dirty padding"), std::string::npos);
}

TEST(AbiDecode, RejectsOverlappingOffsets) {
  // A 3000-element bytes[] whose offsets all point at one 1000-byte blob would decode to 3 MB
  // from 100 KB of input.
  std::string data = w("20") + w("bb8");
  const std::size_t blob_offset = 3000 * 32;
  std::string offset_word = w(to_hex(to_be_bytes32(U256(blob_offset)).view(), false).substr(60));
  for (int i = 0; i < 3000; ++i) data += offset_word;
  data += w("3e8") + std::string(2000 + 48, 'a');
  auto decoded = decode("bytes[]", hex(data));
  ASSERT_FALSE(decoded.ok());
  EXPECT_NE(decoded.error().message.find("overlapping"), std::string::npos) << decoded.error().message;
}

TEST(AbiDecode, RoundTripsNestedTuples) {
  auto inner =
      Value::array(Type::tuple({Type::address(), Type::boolean(), Type::bytes()}),
                   {Value::tuple({Value::address(kFrom), Value::boolean(false), Value::bytes(Bytes(70, 7))}),
                    Value::tuple({Value::address(kTo), Value::boolean(true), Value::bytes({})})});
  ASSERT_TRUE(inner.ok());
  const std::vector<Value> values{Value::string("x402"), *inner, Value::uint256(~U256(0)),
                                  Value::tuple({Value::uint8(1), Value::bytes32(kNonce)})};
  const Bytes encoded = encode(values);
  std::vector<Type> types;
  for (const auto& value : values) types.push_back(value.type());
  auto decoded = decode(types, encoded);
  ASSERT_TRUE(decoded.ok()) << decoded.error().describe();
  EXPECT_EQ(*decoded, values);
  auto by_text = decode("string,(address,bool,bytes)[],uint256,(uint8,bytes32)", encoded);
  ASSERT_TRUE(by_text.ok()) << by_text.error().describe();
  EXPECT_EQ(*by_text, values);
}

// --- revert data -------------------------------------------------------------------------------

TEST(AbiRevert, SolidityDocsErrorString) {
  auto reason =
      decode_revert_reason(hex("0x08c379a0"
                               "0000000000000000000000000000000000000000000000000000000000000020"
                               "000000000000000000000000000000000000000000000000000000000000001a"
                               "4e6f7420656e6f7567682045746865722070726f76696465642e000000000000"));
  ASSERT_TRUE(reason.ok()) << reason.error().describe();
  EXPECT_EQ(reason->kind, RevertReason::Kind::error);
  EXPECT_EQ(reason->message, "Not enough Ether provided.");
}

TEST(AbiRevert, Panic) {
  // Panic(0x11): checked arithmetic overflow.
  auto reason = decode_revert_reason(hex("0x4e487b71" + w("11")));
  ASSERT_TRUE(reason.ok());
  EXPECT_EQ(reason->kind, RevertReason::Kind::panic);
  EXPECT_EQ(reason->panic_code, 0x11);
  EXPECT_NE(reason->message.find("overflow"), std::string::npos);
}

TEST(AbiRevert, CustomAndEmpty) {
  auto custom = decode_revert_reason(hex("0xcf479181" + w("7") + w("9")));
  ASSERT_TRUE(custom.ok());
  EXPECT_EQ(custom->kind, RevertReason::Kind::custom);
  EXPECT_EQ(custom->custom_selector.hex(), "0xcf479181");
  EXPECT_EQ(custom->custom_data.size(), 64u);
  auto empty = decode_revert_reason({});
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->kind, RevertReason::Kind::empty);
}

TEST(AbiRevert, MalformedRevertData) {
  EXPECT_NE(decode_revert_reason(hex("08c379")).error().message.find("shorter than a selector"),
            std::string::npos);
  auto truncated = decode_revert_reason(hex("0x08c379a0" + w("20") + w("1a")));
  ASSERT_FALSE(truncated.ok());
  EXPECT_NE(truncated.error().message.find("Error(string)"), std::string::npos);
  EXPECT_FALSE(decode_revert_reason(hex("0x4e487b71" + w("11").substr(2))).ok());
}

// --- types and values --------------------------------------------------------------------------

TEST(AbiTypes, ParsesCanonicalText) {
  for (const char* text :
       {"address", "bool", "uint8", "uint256", "bytes1", "bytes32", "bytes", "string", "uint256[]",
        "bytes3[2]", "(address,bool,bytes)[]", "(bool,(address,bytes)[])", "uint256[][3][]", "()"}) {
    auto type = Type::parse(text);
    ASSERT_TRUE(type.ok()) << text << ": " << type.error().describe();
    EXPECT_EQ(type->canonical(), text);
  }
  EXPECT_TRUE(Type::parse("(address,bool,bytes)[]")->is_dynamic());
  EXPECT_FALSE(Type::parse("(address,uint8)[2]")->is_dynamic());
  EXPECT_EQ(Type::parse("(address,uint8)[2]")->head_size(), 128u);
}

TEST(AbiTypes, RejectsNonCanonicalOrUnsupportedText) {
  for (const char* text :
       {"uint", "int256", "uint7", "uint264", "bytes0", "bytes33", "(address", "(address,)", "address[0]",
        "address[", "address[01]", "foo", "", "address bool", "Uint256"}) {
    auto type = Type::parse(text);
    EXPECT_FALSE(type.ok()) << text;
    if (!type.ok()) {
      EXPECT_EQ(type.error().code, Errc::invalid_argument) << text;
    }
  }
}

TEST(AbiValues, ConstructionIsChecked) {
  EXPECT_FALSE(Value::uint(8, U256(256)).ok());
  EXPECT_TRUE(Value::uint(8, U256(255)).ok());
  EXPECT_FALSE(Value::uint(7, U256(1)).ok());
  EXPECT_FALSE(Value::fixed_bytes(Bytes(33, 0)).ok());
  EXPECT_FALSE(Value::fixed_bytes(Bytes{}).ok());
  auto mixed = Value::array(Type::uint256(), {Value::uint256(1), Value::uint8(2)});
  ASSERT_FALSE(mixed.ok());
  EXPECT_NE(mixed.error().message.find("uint8"), std::string::npos);
  EXPECT_FALSE(Value::fixed_array(Type::uint256(), {}).ok());
  EXPECT_FALSE(Value::uint256(1).as_bool().ok());
  EXPECT_FALSE(Value::string("a").as_bytes().ok());
  EXPECT_FALSE(Value::bytes({}).as_bytes32().ok());
}

TEST(AbiValues, EmptyArrayKeepsItsElementTypeInTheSignature) {
  auto none = Value::array(Type::tuple({Type::address(), Type::bytes()}), {});
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(function_signature("tryAggregate", {Value::boolean(true), *none}),
            "tryAggregate(bool,(address,bytes)[])");
}

}  // namespace
}  // namespace x402::crypto::abi
