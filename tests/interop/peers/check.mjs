#!/usr/bin/env node
// Offline conformance checks of values our C++ code emits, using the reference SDK's own code:
// its zod schemas, header codecs, facilitator verify (with a chain-less signer), client payload
// creation and price parsing. No network, no chain.
//
// Input values come from a flag (--json / --value / --file) or, when none is given, from stdin.
// Output is one line on stdout; exit 0 = ok, 1 = the value was rejected, 2 = usage error.
// `batch` runs many such invocations in one process (loading the SDKs costs most of the time).

import { readFileSync } from "node:fs";
import * as coreSchemas from "@x402/core/schemas";
import {
  HTTPFacilitatorClient,
  decodePaymentRequiredHeader,
  decodePaymentResponseHeader,
  decodePaymentSignatureHeader,
  encodePaymentRequiredHeader,
  encodePaymentResponseHeader,
  encodePaymentSignatureHeader,
} from "@x402/core/http";
import { x402Client, x402HTTPClient } from "@x402/core/client";
import { x402Facilitator } from "@x402/core/facilitator";
import { ExactEvmScheme as ExactEvmClientScheme } from "@x402/evm/exact/client";
import { ExactEvmScheme as ExactEvmFacilitatorScheme } from "@x402/evm/exact/facilitator";
import { ExactEvmScheme as ExactEvmServerScheme } from "@x402/evm/exact/server";
import { ExactEvmSchemeV1 as ExactEvmClientSchemeV1 } from "@x402/evm/exact/v1/client";
import { ExactEvmSchemeV1 as ExactEvmFacilitatorSchemeV1 } from "@x402/evm/exact/v1/facilitator";
import { NETWORKS as EVM_V1_NETWORKS } from "@x402/evm/v1";
import { toClientEvmSigner } from "@x402/evm";
import * as legacyTypes from "x402/types";
import { exact as legacyExact } from "x402/schemes";
import { createPaymentHeader as legacyCreatePaymentHeader } from "x402/client";
import { verify as legacyVerify } from "x402/facilitator";
import { decodeXPaymentResponse, processPriceToAtomicAmount } from "x402/shared";
import { getAddress, verifyTypedData } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { die, parseFlags, readKeyEnv, readKeyFile, readStdin, toJson } from "./lib/common.mjs";

const USAGE = `usage: check.mjs <command> [args]

  schema <Type> [--json J | --file F | stdin] [--print-parsed]
      Validate JSON with the reference's own schema. Prints {"ok":true} (with "parsed" if asked)
      or {"ok":false,"issues":[zod issues]} / {"ok":false,"error":...}.
      @x402/core/schemas: PaymentRequired PaymentRequiredV1 PaymentRequiredV2 PaymentPayload
        PaymentPayloadV1 PaymentPayloadV2 PaymentRequirements PaymentRequirementsV1
        PaymentRequirementsV2 ResourceInfo Network NetworkV1 NetworkV2
      HTTPFacilitatorClient response parsing (its schemas are not exported; the value is fed to
        the client as a 200 facilitator body): VerifyResponse SettleResponse SupportedResponse
      legacy x402 1.2.0 (x402/types): legacy:<Name> for every exported <Name>Schema, e.g.
        legacy:PaymentRequirements legacy:PaymentPayload legacy:x402Response legacy:VerifyResponse
        legacy:SettleResponse legacy:SupportedPaymentKindsResponse legacy:VerifyRequest

  facilitator-response <verify|settle|supported> [--status N] [--json J | --file F | stdin]
      What the v2 seller's HTTPFacilitatorClient makes of this facilitator response body.
      Prints {"ok":true,"result":...} or {"ok":false,"errorName":...,"error":...}.

  decode-header <NAME> [--value H | --file F | stdin]
      PAYMENT-SIGNATURE | PAYMENT-REQUIRED | PAYMENT-RESPONSE (@x402/core/http decoders),
      X-PAYMENT (legacy exact.evm.decodePayment), X-PAYMENT-RESPONSE (legacy decodeXPaymentResponse).
      Prints the decoded value as compact JSON (the decoder's own key order).

  encode-header <NAME> [--json J | --file F | stdin]
      The reference encoder for the same names (legacy: exact.evm.encodePayment,
      settleResponseHeader). Prints the header value.

  verify --payment-header H (--requirements-json J | --requirements-file F) [--v1] [--legacy]
      Runs x402Facilitator.verify (@x402/evm ExactEvmScheme / ExactEvmSchemeV1) with a chain-less
      signer: the asset has code, the payer has none, every contract read and simulation succeeds.
      --legacy runs the legacy x402 1.2.0 facilitator verify instead (v1 only). Prints the
      VerifyResponse.

  create-payment (--payment-required-header H | --payment-required-json J)
                 (--key-file F | --key-env NAME) [--no-spend-controls] [--legacy]
      A reference client payment for that PaymentRequired (v2 header, or v1 402 body as JSON):
      x402Client + ExactEvmScheme (default spend controls), or with --legacy the x402 1.2.0
      createPaymentHeader. Prints the PAYMENT-SIGNATURE (v2) or X-PAYMENT (v1) value.

  parse-price --price P --network N [--v1]
      The reference server's price parsing: ExactEvmScheme(server).parsePrice, or with --v1 the
      legacy processPriceToAtomicAmount. Prints the result as JSON. (A price starting with '-'
      must be written --price=-1.)

  pretty [--indent N] [--json J | --file F | stdin]
      JSON.stringify(JSON.parse(input), null, N) (default 2): the layout JavaScript gives the
      same value. Unlike the other commands its output spans several lines.

  batch
      Runs many of the commands above in one process. stdin: one JSON object per line,
      {"args":["<command>", ...flags], "stdin":"<text the command would read from stdin>"?}.
      stdout: one line per request, in order: {"exit":N,"stdout":"...","stderr":"..."} with what
      that single invocation would have printed and its exit code. Exit 0 once every request ran.`;

const args = process.argv.slice(2);
const command = args[0];
if (!command || command === "--help" || command === "-h") {
  process.stdout.write(`${USAGE}\n`);
  process.exit(command ? 0 : 2);
}
process.argv.splice(2, 1); // parseFlags reads process.argv

// Where a command's output goes: the process itself, or (in batch mode) one request's record.
const processIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  exit: (code) => {
    process.exitCode = code;
  },
  stdin: undefined,
};
let io = processIo;

const out = (value) => io.stdout(`${typeof value === "string" ? value : toJson(value)}\n`);
const fail = (value) => {
  out(value);
  io.exit(1);
};
const messageOf = (error) => (error instanceof Error ? error.message : String(error));

/** The input text: --<flag>, --file, or stdin (bounded: stdin must close within 10 s). */
async function inputText(flags, flag) {
  if (flags[flag] !== undefined) return flags[flag];
  if (flags.file !== undefined) {
    try {
      return readFileSync(flags.file, "utf8");
    } catch (error) {
      die(`cannot read ${flags.file}: ${error.code ?? error.message}`);
    }
  }
  if (io !== processIo) {
    if (io.stdin === undefined) die(`no --${flag}, --file or "stdin" in the batch request`);
    return io.stdin;
  }
  const timer = setTimeout(() => die(`no --${flag}, --file or stdin within 10 s`), 10_000);
  const text = await readStdin();
  clearTimeout(timer);
  return text;
}

function parseJson(text, what) {
  try {
    return JSON.parse(text);
  } catch (error) {
    die(`${what}: invalid JSON: ${error.message}`);
  }
}

// ---------------------------------------------------------------------------------------------
// The v2 seller's facilitator client, fed a canned facilitator response instead of the network.

async function throughFacilitatorClient(kind, status, bodyText) {
  const realFetch = globalThis.fetch;
  globalThis.fetch = async () =>
    new Response(bodyText, { status, headers: { "content-type": "application/json" } });
  try {
    const client = new HTTPFacilitatorClient({ url: "http://facilitator.invalid" });
    const dummyPayload = { x402Version: 2, accepted: {}, payload: {} };
    const result =
      kind === "verify"
        ? await client.verify(dummyPayload, {})
        : kind === "settle"
          ? await client.settle(dummyPayload, {})
          : await client.getSupported();
    return { ok: true, result };
  } catch (error) {
    return { ok: false, errorName: error?.name ?? "Error", error: messageOf(error) };
  } finally {
    globalThis.fetch = realFetch;
  }
}

// ---------------------------------------------------------------------------------------------

const CORE_SCHEMAS = {
  PaymentRequired: coreSchemas.PaymentRequiredSchema,
  PaymentRequiredV1: coreSchemas.PaymentRequiredV1Schema,
  PaymentRequiredV2: coreSchemas.PaymentRequiredV2Schema,
  PaymentPayload: coreSchemas.PaymentPayloadSchema,
  PaymentPayloadV1: coreSchemas.PaymentPayloadV1Schema,
  PaymentPayloadV2: coreSchemas.PaymentPayloadV2Schema,
  PaymentRequirements: coreSchemas.PaymentRequirementsSchema,
  PaymentRequirementsV1: coreSchemas.PaymentRequirementsV1Schema,
  PaymentRequirementsV2: coreSchemas.PaymentRequirementsV2Schema,
  ResourceInfo: coreSchemas.ResourceInfoSchema,
  Network: coreSchemas.NetworkSchema,
  NetworkV1: coreSchemas.NetworkSchemaV1,
  NetworkV2: coreSchemas.NetworkSchemaV2,
};
const CLIENT_PARSED = { VerifyResponse: "verify", SettleResponse: "settle", SupportedResponse: "supported" };

function legacySchema(name) {
  const schema = legacyTypes[`${name}Schema`] ?? (name === "x402Response" ? legacyTypes.x402ResponseSchema : undefined);
  return schema && typeof schema.safeParse === "function" ? schema : undefined;
}

async function cmdSchema() {
  const { values: flags, positionals } = parseFlags(
    { json: { type: "string" }, file: { type: "string" }, "print-parsed": { type: "boolean" } },
    USAGE,
    { allowPositionals: true },
  );
  const type = positionals[0];
  if (!type || positionals.length > 1) die("schema: give exactly one <Type>");
  let schema;
  if (type.startsWith("legacy:")) {
    schema = legacySchema(type.slice("legacy:".length));
  } else {
    schema = CORE_SCHEMAS[type];
  }
  if (!schema && !CLIENT_PARSED[type]) die(`schema: unknown type ${type}`);
  const text = await inputText(flags, "json");
  const value = parseJson(text, "schema input");

  if (CLIENT_PARSED[type]) {
    const r = await throughFacilitatorClient(CLIENT_PARSED[type], 200, text);
    if (!r.ok) return fail({ ok: false, error: r.error });
    return out(flags["print-parsed"] ? { ok: true, parsed: r.result } : { ok: true });
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) return fail({ ok: false, issues: parsed.error.issues });
  return out(flags["print-parsed"] ? { ok: true, parsed: parsed.data } : { ok: true });
}

async function cmdFacilitatorResponse() {
  const { values: flags, positionals } = parseFlags(
    { status: { type: "string" }, json: { type: "string" }, file: { type: "string" } },
    USAGE,
    { allowPositionals: true },
  );
  const kind = positionals[0];
  if (!["verify", "settle", "supported"].includes(kind) || positionals.length > 1) {
    die("facilitator-response: give verify, settle or supported");
  }
  const status = flags.status === undefined ? 200 : Number(flags.status);
  if (!Number.isInteger(status) || status < 200 || status > 599) die("--status: an HTTP status 200..599");
  const text = await inputText(flags, "json");
  const r = await throughFacilitatorClient(kind, status, text);
  return r.ok ? out(r) : fail(r);
}

const DECODERS = {
  "PAYMENT-SIGNATURE": decodePaymentSignatureHeader,
  "PAYMENT-REQUIRED": decodePaymentRequiredHeader,
  "PAYMENT-RESPONSE": decodePaymentResponseHeader,
  "X-PAYMENT": (v) => legacyExact.evm.decodePayment(v),
  "X-PAYMENT-RESPONSE": decodeXPaymentResponse,
};
const ENCODERS = {
  "PAYMENT-SIGNATURE": encodePaymentSignatureHeader,
  "PAYMENT-REQUIRED": encodePaymentRequiredHeader,
  "PAYMENT-RESPONSE": encodePaymentResponseHeader,
  "X-PAYMENT": (v) => legacyExact.evm.encodePayment(v),
  "X-PAYMENT-RESPONSE": legacyTypes.settleResponseHeader,
};

async function cmdDecodeHeader() {
  const { values: flags, positionals } = parseFlags(
    { value: { type: "string" }, file: { type: "string" } },
    USAGE,
    { allowPositionals: true },
  );
  const name = (positionals[0] ?? "").toUpperCase();
  if (!DECODERS[name] || positionals.length > 1) die(`decode-header: NAME is one of ${Object.keys(DECODERS).join(", ")}`);
  const value = (await inputText(flags, "value")).replace(/\r?\n$/, "");
  try {
    return out(DECODERS[name](value));
  } catch (error) {
    io.stderr(`decode-header ${name}: ${messageOf(error)}\n`);
    io.exit(1);
  }
}

async function cmdEncodeHeader() {
  const { values: flags, positionals } = parseFlags(
    { json: { type: "string" }, file: { type: "string" } },
    USAGE,
    { allowPositionals: true },
  );
  const name = (positionals[0] ?? "").toUpperCase();
  if (!ENCODERS[name] || positionals.length > 1) die(`encode-header: NAME is one of ${Object.keys(ENCODERS).join(", ")}`);
  const value = parseJson(await inputText(flags, "json"), "encode-header input");
  try {
    return out(ENCODERS[name](value));
  } catch (error) {
    io.stderr(`encode-header ${name}: ${messageOf(error)}\n`);
    io.exit(1);
  }
}

// ---------------------------------------------------------------------------------------------
// Chain-less facilitator signer: signature and payload rules are the reference's own; the chain
// is imagined as "the asset is a contract, the payer is an EOA, every read/simulation succeeds".

const FAKE_CODE = "0x6080604052";

function chainlessSigner(asset) {
  const assetLower = getAddress(asset).toLowerCase();
  const noChain = async () => {
    throw new Error("chain-less signer: no transactions");
  };
  return {
    getAddresses: () => ["0x0000000000000000000000000000000000000001"],
    readContract: async () => undefined,
    verifyTypedData: async (args) => verifyTypedData(args),
    writeContract: noChain,
    sendTransaction: noChain,
    waitForTransactionReceipt: noChain,
    getCode: async ({ address }) => (address.toLowerCase() === assetLower ? FAKE_CODE : "0x"),
  };
}

function legacyChainlessClient(asset, chainId) {
  const assetLower = getAddress(asset).toLowerCase();
  return {
    chain: { id: chainId },
    verifyTypedData: async (args) => verifyTypedData(args),
    readContract: async ({ functionName }) => {
      if (functionName === "balanceOf") return 2n ** 255n;
      if (functionName === "version") return "2";
      return undefined;
    },
    getCode: async ({ address }) => (address.toLowerCase() === assetLower ? FAKE_CODE : "0x"),
  };
}

async function cmdVerify() {
  const { values: flags } = parseFlags(
    {
      "payment-header": { type: "string" },
      "requirements-json": { type: "string" },
      "requirements-file": { type: "string" },
      v1: { type: "boolean" },
      legacy: { type: "boolean" },
    },
    USAGE,
  );
  if (!flags["payment-header"]) die("verify: --payment-header is required");
  let requirementsText = flags["requirements-json"];
  if (requirementsText === undefined && flags["requirements-file"] !== undefined) {
    requirementsText = readFileSync(flags["requirements-file"], "utf8");
  }
  if (requirementsText === undefined) die("verify: --requirements-json or --requirements-file is required");
  const requirements = parseJson(requirementsText, "--requirements-json");

  let payload;
  try {
    payload = decodePaymentSignatureHeader(flags["payment-header"].trim());
  } catch (error) {
    return fail({ error: `cannot decode payment header: ${messageOf(error)}` });
  }
  const v1 = flags.v1 || flags.legacy;
  if (v1 && payload.x402Version !== 1) return fail({ error: "--v1: the payment is not x402Version 1" });
  if (!v1 && payload.x402Version !== 2) return fail({ error: "the payment is not x402Version 2 (use --v1)" });
  if (typeof requirements?.asset !== "string" || typeof requirements?.network !== "string") {
    return fail({ error: "requirements need string asset and network" });
  }

  try {
    if (flags.legacy) {
      const chainId = legacyTypes.EvmNetworkToChainId.get(requirements.network);
      if (chainId === undefined) return fail({ error: `legacy: unknown network ${requirements.network}` });
      return out(await legacyVerify(legacyChainlessClient(requirements.asset, chainId), payload, requirements));
    }
    const signer = chainlessSigner(requirements.asset);
    const facilitator = new x402Facilitator();
    if (v1) facilitator.registerV1(requirements.network, new ExactEvmFacilitatorSchemeV1(signer));
    else facilitator.register(requirements.network, new ExactEvmFacilitatorScheme(signer));
    return out(await facilitator.verify(payload, requirements));
  } catch (error) {
    return fail({ error: messageOf(error) });
  }
}

async function cmdCreatePayment() {
  const { values: flags } = parseFlags(
    {
      "payment-required-header": { type: "string" },
      "payment-required-json": { type: "string" },
      "key-file": { type: "string" },
      "key-env": { type: "string" },
      "no-spend-controls": { type: "boolean" },
      legacy: { type: "boolean" },
    },
    USAGE,
  );
  const key = flags["key-file"]
    ? readKeyFile(flags["key-file"])
    : flags["key-env"]
      ? readKeyEnv(flags["key-env"])
      : die("create-payment: --key-file F or --key-env NAME is required");
  let paymentRequired;
  if (flags["payment-required-header"] !== undefined) {
    try {
      paymentRequired = decodePaymentRequiredHeader(flags["payment-required-header"].trim());
    } catch (error) {
      return fail({ error: `cannot decode PAYMENT-REQUIRED: ${messageOf(error)}` });
    }
  } else if (flags["payment-required-json"] !== undefined) {
    paymentRequired = parseJson(flags["payment-required-json"], "--payment-required-json");
  } else {
    die("create-payment: --payment-required-header or --payment-required-json is required");
  }
  const account = privateKeyToAccount(key);

  try {
    if (flags.legacy) {
      if (paymentRequired.x402Version !== 1) return fail({ error: "--legacy needs a v1 PaymentRequired" });
      const accepts = paymentRequired.accepts.map((r) => legacyTypes.PaymentRequirementsSchema.parse(r));
      return out(await legacyCreatePaymentHeader(account, 1, accepts[0]));
    }
    const signer = toClientEvmSigner(account);
    const client = new x402Client();
    client.register("eip155:*", new ExactEvmClientScheme(signer));
    for (const name of EVM_V1_NETWORKS) client.registerV1(name, new ExactEvmClientSchemeV1(signer));
    if (flags["no-spend-controls"]) client.setSpendControls(false);
    const payload = await client.createPaymentPayload(paymentRequired);
    const headers = new x402HTTPClient(client).encodePaymentSignatureHeader(payload);
    return out(Object.values(headers)[0]);
  } catch (error) {
    return fail({ error: messageOf(error) });
  }
}

async function cmdParsePrice() {
  const { values: flags } = parseFlags(
    { price: { type: "string" }, network: { type: "string" }, v1: { type: "boolean" } },
    USAGE,
  );
  if (flags.price === undefined || !flags.network) die("parse-price: --price and --network are required");
  try {
    if (flags.v1) {
      const r = processPriceToAtomicAmount(flags.price, flags.network);
      return "error" in r ? fail(r) : out(r);
    }
    return out(await new ExactEvmServerScheme().parsePrice(flags.price, flags.network));
  } catch (error) {
    return fail({ error: messageOf(error) });
  }
}

async function cmdPretty() {
  const { values: flags } = parseFlags(
    { indent: { type: "string" }, json: { type: "string" }, file: { type: "string" } },
    USAGE,
  );
  const indent = flags.indent === undefined ? 2 : Number(flags.indent);
  if (!Number.isInteger(indent) || indent < 0 || indent > 10) die("--indent: an integer 0..10");
  const value = parseJson(await inputText(flags, "json"), "pretty input");
  return out(JSON.stringify(value, null, indent));
}

// ---------------------------------------------------------------------------------------------
// Batch mode: each request runs the single-command code path with its own argv, stdin and output
// record. process.exit (used by die and parseFlags) is turned into an exception for the duration.

class BatchExit extends Error {
  constructor(code) {
    super(`exit ${code}`);
    this.code = code;
  }
}

async function runBatchRequest(line) {
  const record = { exit: 0, stdout: "", stderr: "" };
  let request;
  try {
    request = JSON.parse(line);
  } catch (error) {
    return { exit: 2, stdout: "", stderr: `batch: a request is not JSON: ${error.message}\n` };
  }
  const args = request?.args;
  if (!Array.isArray(args) || args.length === 0 || !args.every((a) => typeof a === "string")) {
    return { exit: 2, stdout: "", stderr: 'batch: a request needs "args": ["<command>", ...]\n' };
  }
  if (request.stdin !== undefined && typeof request.stdin !== "string") {
    return { exit: 2, stdout: "", stderr: 'batch: "stdin" must be a string\n' };
  }
  const run = BATCHABLE[args[0]];
  if (!run) return { exit: 2, stdout: "", stderr: `batch: unknown or unbatchable command ${args[0]}\n` };

  let exited;
  const savedArgv = process.argv;
  const savedExit = process.exit;
  const savedStdoutWrite = process.stdout.write;
  const savedStderrWrite = process.stderr.write;
  io = {
    stdout: (text) => {
      record.stdout += text;
    },
    stderr: (text) => {
      record.stderr += text;
    },
    exit: (code) => {
      record.exit = code;
    },
    stdin: request.stdin,
  };
  process.argv = [savedArgv[0], savedArgv[1], ...args.slice(1)];
  process.exit = (code = 0) => {
    if (exited === undefined) exited = code;
    throw new BatchExit(code);
  };
  // Whatever writes to the process streams directly (parseFlags' --help, die, SDK logs).
  process.stdout.write = (chunk) => {
    record.stdout += String(chunk);
    return true;
  };
  process.stderr.write = (chunk) => {
    record.stderr += String(chunk);
    return true;
  };
  try {
    await run();
  } catch (error) {
    if (!(error instanceof BatchExit)) {
      record.stderr += `${args[0]}: ${messageOf(error)}\n`;
      record.exit = 1;
    }
  } finally {
    process.argv = savedArgv;
    process.exit = savedExit;
    process.stdout.write = savedStdoutWrite;
    process.stderr.write = savedStderrWrite;
    io = processIo;
  }
  if (exited !== undefined) record.exit = exited;
  return record;
}

async function cmdBatch() {
  parseFlags({}, USAGE);
  const timer = setTimeout(() => die("batch: stdin did not close within 60 s"), 60_000);
  const text = await readStdin();
  clearTimeout(timer);
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    process.stdout.write(`${JSON.stringify(await runBatchRequest(line))}\n`);
  }
}

const BATCHABLE = {
  schema: cmdSchema,
  "facilitator-response": cmdFacilitatorResponse,
  "decode-header": cmdDecodeHeader,
  "encode-header": cmdEncodeHeader,
  verify: cmdVerify,
  "create-payment": cmdCreatePayment,
  "parse-price": cmdParsePrice,
  pretty: cmdPretty,
};

const COMMANDS = {
  ...BATCHABLE,
  batch: cmdBatch,
};
if (!COMMANDS[command]) die(`unknown command ${command}\n\n${USAGE}`);
await COMMANDS[command]();
