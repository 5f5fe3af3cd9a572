// Load a schemas folder (schemas/, or what `notify-schemas schemas export` writes) into ajv in strict mode, offline:
// every schema file valid under the draft-07 meta-schema, compiled by its $id with every $ref resolved among the
// files alone (ajv is given no loader, so it fetches nothing), and the golden corpus judged through the source
// variants and through the all-in-one bundle's definitions as it expects.
// Usage: node run_sources.mjs SCHEMA_DIR   Exit status 0 when every check holds, 1 otherwise.
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import Ajv from "ajv";

const root = process.argv[2];
function* files(folder) {
  for (const name of readdirSync(folder).sort()) {
    const path = join(folder, name);
    if (statSync(path).isDirectory()) yield* files(path);
    else if (name.endsWith(".json")) yield path;
  }
}
let passed = 0;
let failed = 0;
const fail = (what) => {
  failed += 1;
  console.log(`FAIL ${what}`);
};
const ajv = new Ajv({ strict: true });
const schemas = [...files(root)]
  .filter((path) => !/^(corpus|asyncapi)\//.test(relative(root, path)))
  .map((path) => [relative(root, path), JSON.parse(readFileSync(path, "utf8"))]);
for (const [name, schema] of schemas) {
  if (ajv.validateSchema(schema)) ajv.addSchema(schema);
  else fail(`${name}: not valid under draft-07: ${ajv.errorsText()}`);
}
for (const [name, schema] of schemas) {
  try {
    ajv.getSchema(schema.$id);
    passed += 1;
  } catch (error) {
    fail(`${name}: does not compile offline: ${error.message}`);
  }
}
const all = schemas.find(([name]) => name === "bundled/notify-schemas.json")[1];
for (const profile of ["seed", "glance"]) {
  for (const group of JSON.parse(readFileSync(join(root, "corpus", `${profile}.json`), "utf8"))) {
    const ids = [group.schema.$id.replace("/bundled/", "/"), `${all.$id}#/definitions/${group.description.replaceAll(" ", ".")}`];
    for (const id of ids) {
      let validate;
      try {
        validate = ajv.getSchema(id);
      } catch {
        fail(`${id}: does not compile offline`);
        continue;
      }
      for (const test of group.tests) {
        if (validate(test.data) === test.valid) passed += 1;
        else fail(`${id}: ${test.description}: expected ${test.valid}`);
      }
    }
  }
}
console.log(`ajv sources: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
