// Shared plumbing for the reference-SDK peers: flag parsing, the devnet description, key files,
// listening on loopback, the ready line and a clean exit on SIGTERM.
//
// Secrets never travel on the command line: a private key comes from a file (--key-file) or from
// an environment variable whose *name* is given (--key-env), and it is never printed.

import { readFileSync } from "node:fs";
import { dirname, isAbsolute, resolve } from "node:path";
import { parseArgs } from "node:util";

// stdout belongs to the peer's protocol (the ready line, or the one JSON result line): whatever the
// SDKs log with console.log/info/debug goes to stderr instead.
console.log = console.info = console.debug = (...parts) => console.error(...parts);

/** Writes a message to stderr and exits (2 = usage error, 1 = runtime failure). */
export function die(message, code = 2) {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}

/**
 * Parses argv with node's strict parser. `options` is the parseArgs option map; every peer also
 * understands --help, which prints `usage` and exits 0.
 */
export function parseFlags(options, usage, { allowPositionals = false } = {}) {
  let parsed;
  try {
    parsed = parseArgs({
      args: process.argv.slice(2),
      options: { ...options, help: { type: "boolean", short: "h" } },
      allowPositionals,
      strict: true,
    });
  } catch (error) {
    die(`${error.message}\n\n${usage}`);
  }
  if (parsed.values.help) {
    process.stdout.write(`${usage}\n`);
    process.exit(0);
  }
  return parsed;
}

/** Parses a TCP port flag; 0 asks the OS for a free port (the ready line tells which). */
export function parsePort(value, flag = "--port") {
  if (value === undefined) die(`${flag} is required`);
  if (!/^\d+$/.test(value) || Number(value) > 65535) die(`${flag}: not a port: ${value}`);
  return Number(value);
}

/** Parses a positive integer flag with a default. */
export function parsePositiveInt(value, flag, fallback) {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) <= 0) die(`${flag}: not a positive integer: ${value}`);
  return Number(value);
}

/** Parses a non-negative integer flag (an index) with a default of 0. */
export function parseIndex(value, flag) {
  if (value === undefined) return 0;
  if (!/^\d+$/.test(value)) die(`${flag}: not a non-negative integer: ${value}`);
  return Number(value);
}

const KEY_RE = /^(0x)?[0-9a-fA-F]{64}$/;

function normaliseKey(text, where) {
  const key = text.trim();
  if (!KEY_RE.test(key)) die(`${where}: expected one 32-byte hex private key`, 2);
  return (key.startsWith("0x") ? key : `0x${key}`).toLowerCase();
}

/** Reads a private key from a file holding one (0x-)hex key. The key is never echoed. */
export function readKeyFile(path) {
  let text;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    die(`cannot read key file ${path}: ${error.code ?? error.message}`, 2);
  }
  return normaliseKey(text, `key file ${path}`);
}

/** Reads a private key from the environment variable named `name`. */
export function readKeyEnv(name) {
  const value = process.env[name];
  if (value === undefined || value === "") die(`environment variable ${name} is not set`, 2);
  return normaliseKey(value, `environment variable ${name}`);
}

/**
 * Loads D/devnet.json (written by `x402 devnet up --dir D`). Key file paths are resolved against
 * D; the keys themselves are not read here.
 */
export function loadDevnet(dir) {
  const file = resolve(dir, "devnet.json");
  let devnet;
  try {
    devnet = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    die(`cannot read ${file}: ${error.code ?? error.message}`, 2);
  }
  for (const field of ["rpc_url", "chain_id", "network", "asset", "payee"]) {
    if (devnet[field] === undefined) die(`${file}: missing field ${field}`, 2);
  }
  const base = dirname(file);
  const abs = (p) => (isAbsolute(p) ? p : resolve(base, p));
  return {
    ...devnet,
    chain_id: Number(devnet.chain_id),
    buyer_key_files: (devnet.buyer_key_files ?? []).map(abs),
    facilitator_key_files: (devnet.facilitator_key_files ?? []).map(abs),
  };
}

/**
 * Resolves the private key for a peer: --key-file, else --key-env, else the devnet's list
 * (`listName`, entry `index`).
 */
export function resolveKey({ keyFile, keyEnv, devnet, listName, index = 0 }) {
  if (keyFile) return readKeyFile(keyFile);
  if (keyEnv) return readKeyEnv(keyEnv);
  if (devnet) {
    const files = devnet[listName] ?? [];
    if (index >= files.length) die(`devnet.json: ${listName} has no entry ${index}`, 2);
    return readKeyFile(files[index]);
  }
  die("a private key is required: --key-file F, --key-env NAME or --devnet D", 2);
}

/**
 * Starts `app` (an Express app) on 127.0.0.1:port, prints `${label} listening on URL` as the one
 * ready line on stdout, and installs SIGTERM/SIGINT handlers that close the server and exit 0
 * (forced after `graceMs`). Resolves to { server, url }.
 */
export function listenLoopback(app, port, label, { graceMs = 3000, onShutdown } = {}) {
  return new Promise((resolvePromise) => {
    const server = app.listen(port, "127.0.0.1");
    server.on("error", (error) => die(`${label}: cannot listen on 127.0.0.1:${port}: ${error.message}`, 1));
    server.on("listening", () => {
      const url = `http://127.0.0.1:${server.address().port}`;
      let stopping = false;
      const stop = () => {
        if (stopping) return;
        stopping = true;
        const timer = setTimeout(() => process.exit(0), graceMs);
        timer.unref();
        Promise.resolve(onShutdown?.())
          .catch(() => {})
          .finally(() => {
            server.close(() => process.exit(0));
            server.closeIdleConnections?.();
            setTimeout(() => server.closeAllConnections?.(), Math.min(500, graceMs)).unref();
          });
      };
      process.on("SIGTERM", stop);
      process.on("SIGINT", stop);
      process.stdout.write(`${label} listening on ${url}\n`);
      resolvePromise({ server, url });
    });
  });
}

/** Reads all of stdin as UTF-8 (bounded by the caller's own timeout, if any). */
export async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  return Buffer.concat(chunks).toString("utf8");
}

/** JSON.stringify that renders bigint as decimal strings (viem values). */
export function toJson(value) {
  return JSON.stringify(value, (_, v) => (typeof v === "bigint" ? v.toString() : v));
}

/** A stderr logger that is silent unless enabled. */
export function makeLogger(enabled, tag) {
  return enabled ? (...parts) => process.stderr.write(`[${tag}] ${parts.join(" ")}\n`) : () => {};
}
