// Imports a package's ESM entry from the reference SDK install in tests/interop/node_modules (the
// bench scripts live outside that tree, so Node's own resolution would not find it). Reads the
// package's "exports" map and picks its "import" entry, as Node would for an ESM importer.
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

export function makeImporter(interopDir) {
  const modules = resolve(interopDir, "node_modules");
  return async (specifier) => {
    const parts = specifier.split("/");
    const pkgName = specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0];
    const sub = specifier.slice(pkgName.length);
    const pkgDir = join(modules, pkgName);
    const pkg = JSON.parse(readFileSync(join(pkgDir, "package.json"), "utf8"));
    let entry = pkg.exports?.[`.${sub}`];
    const pick = (e) => {
      if (typeof e === "string") return e;
      if (!e) return undefined;
      return pick(e.import ?? e.node ?? e.default);
    };
    entry = pick(entry) ?? (sub === "" ? pkg.module ?? pkg.main : undefined);
    if (!entry) throw new Error(`cannot resolve ${specifier} in ${modules}`);
    return import(pathToFileURL(join(pkgDir, entry)).href);
  };
}

export function versionOf(interopDir, pkgName) {
  const file = join(resolve(interopDir, "node_modules"), pkgName, "package.json");
  return JSON.parse(readFileSync(file, "utf8")).version;
}
