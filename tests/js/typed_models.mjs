// Generate TypeScript types from every bundled variant (json-schema-to-typescript), then let tsc --strict check
// every valid corpus message against its variant's type, and reject a message whose priority is not the variant's.
// With MESSAGES (a JSON list of {module, data}), tsc then judges each of them against its module's type, and the last
// line printed is the JSON list of the indexes of those it refuses (tests/interop/test_models.py compares them with
// what the README says the types hold).
// Usage: node typed_models.mjs SCHEMA_DIR OUT_DIR [MESSAGES]   Exit status: tsc's (0 when every check holds).
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { compile } from "json-schema-to-typescript";

const [schemaDir, outDir, messagesFile] = process.argv.slice(2);

// json-schema-to-typescript reads a schema that holds nothing but annotations ({"description": ...}, "any value") as
// an object; {} it reads as unknown, as JSON Schema means. (The envelope's payload and a metadef property's default.)
const ANNOTATIONS = new Set(["title", "description", "default", "examples", "$comment"]);
function anyValue(node) {
  if (Array.isArray(node)) return node.map(anyValue);
  if (node === null || typeof node !== "object") return node;
  const keys = Object.keys(node);
  if (keys.length > 0 && keys.every((k) => ANNOTATIONS.has(k))) return {};
  const named = (map) => Object.fromEntries(Object.entries(map).map(([name, sub]) => [name, anyValue(sub)]));
  return Object.fromEntries(
    keys.map((k) => {
      if (["properties", "definitions", "patternProperties"].includes(k)) return [k, named(node[k])];
      return [k, ["enum", "const", "default", "examples"].includes(k) ? node[k] : anyValue(node[k])];
    }),
  );
}
const here = dirname(fileURLToPath(import.meta.url));
mkdirSync(outDir, { recursive: true });
const checks = [];
let variants = 0;
let messages = 0;
for (const profile of ["seed", "glance"]) {
  const corpus = JSON.parse(readFileSync(join(schemaDir, "corpus", `${profile}.json`), "utf8"));
  for (const file of readdirSync(join(schemaDir, "bundled", profile)).filter((f) => f.endsWith(".json")).sort()) {
    const schema = anyValue(JSON.parse(readFileSync(join(schemaDir, "bundled", profile, file), "utf8")));
    delete schema.title; // the root type is named Notification in every module: the name comes from neither
    delete schema.$id;
    const module = `${profile}_${file.slice(0, -".json".length).replaceAll(".", "_")}`;
    const types = await compile(schema, "Notification", { bannerComment: "" });
    writeFileSync(join(outDir, `${module}.ts`), types);
    const [event, priority] = [file.slice(0, file.lastIndexOf(".", file.length - 6)), file.split(".").at(-2)];
    const group = corpus.find((g) => g.description === `${profile} ${event} ${priority}`);
    const valid = group.tests.filter((t) => t.valid);
    const other = priority === "INFO" ? "ERROR" : "INFO";
    checks.push(
      `import type { Notification as ${module} } from "./${module}.js";`,
      ...valid.map((t, i) => `export const ${module}_${i}: ${module} = ${JSON.stringify(t.data)};`),
      // The types are not vacuous: another priority is a type error.
      `// @ts-expect-error a priority the variant does not have`,
      `export const ${module}_wrong: ${module} = { ...${module}_0, priority: "${other}" };`,
    );
    variants += 1;
    messages += valid.length;
  }
}
writeFileSync(join(outDir, "check.ts"), `${checks.join("\n")}\n`);
const tsc = join(here, "node_modules", "typescript", "bin", "tsc");
const options = ["--strict", "--noEmit", "--target", "es2022", "--module", "nodenext", "--moduleResolution", "nodenext"];
try {
  execFileSync(process.execPath, [tsc, ...options, join(outDir, "check.ts")], { stdio: "inherit" });
} catch {
  console.log(`typescript: tsc --strict failed on the generated types (${variants} variants)`);
  process.exit(1);
}
console.log(`typescript: ${variants} variants, ${messages} valid corpus messages type-check under tsc --strict`);
if (messagesFile) console.log(JSON.stringify(judge(JSON.parse(readFileSync(messagesFile, "utf8")))));

// Each message on a line of its own, typed as its module's Notification; the indexes of the lines tsc flags.
function judge(judged) {
  const modules = [...new Set(judged.map((m) => m.module))];
  const head = modules.map((m) => `import type { Notification as ${m} } from "./${m}.js";`);
  const lines = judged.map((m, i) => `export const judged_${i}: ${m.module} = ${JSON.stringify(m.data)};`);
  writeFileSync(join(outDir, "judged.ts"), `${[...head, ...lines].join("\n")}\n`);
  let output = "";
  try {
    execFileSync(process.execPath, [tsc, ...options, join(outDir, "judged.ts")], { encoding: "utf8" });
  } catch (failed) {
    output = failed.stdout;
  }
  const errors = output.split("\n").filter((line) => / error TS\d+:/.test(line));
  const flagged = errors.map((line) => Number(/^\S*judged\.ts\((\d+),/.exec(line)?.[1] ?? 0) - head.length - 1);
  if (flagged.some((index) => !(index >= 0 && index < judged.length))) {
    console.log(`typescript: tsc failed outside the judged messages:\n${output}`);
    process.exit(1);
  }
  return [...new Set(flagged)].sort((a, b) => a - b);
}
