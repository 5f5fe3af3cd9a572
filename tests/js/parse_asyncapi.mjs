// Parse AsyncAPI documents with @asyncapi/parser, the parser AsyncAPI's own tools use, and report every diagnostic.
// Usage: node parse_asyncapi.mjs DOCUMENT.json...   Exit status 0 when every document parses without an error, 1 otherwise.
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { Parser } from "@asyncapi/parser";

const SEVERITY = ["error", "warning", "info", "hint"];
const parser = new Parser();
let parsed = 0;
let failed = 0;
for (const file of process.argv.slice(2)) {
  const { document, diagnostics } = await parser.parse(readFileSync(file, "utf8"), {
    source: pathToFileURL(file).href,
  });
  for (const d of diagnostics) {
    const where = d.path.length > 0 ? `/${d.path.join("/")}` : "/";
    console.log(`${SEVERITY[d.severity] ?? d.severity} ${file}#${where}: ${d.message} [${d.code}]`);
  }
  if (document === undefined || diagnostics.some((d) => d.severity === 0)) {
    failed += 1;
  } else {
    parsed += 1;
  }
}
console.log(`asyncapi: ${parsed} parsed, ${failed} failed`);
process.exit(failed === 0 && parsed > 0 ? 0 : 1);
