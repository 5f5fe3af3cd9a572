// Run golden corpus files (JSON-Schema-Test-Suite format) under ajv in strict mode and report every wrong verdict.
// Usage: node run_corpus.mjs CORPUS.json...   Exit status 0 when every verdict is the expected one, 1 otherwise.
import { readFileSync } from "node:fs";
import Ajv from "ajv";

let passed = 0;
let failed = 0;
for (const file of process.argv.slice(2)) {
  const groups = JSON.parse(readFileSync(file, "utf8"));
  // strict: true turns unknown keywords, ignored keywords and ambiguous types into errors, so a schema that ajv
  // would read differently from the other validators fails here instead of passing quietly.
  const ajv = new Ajv({ strict: true, allErrors: true });
  for (const group of groups) {
    let validate;
    try {
      validate = ajv.compile(group.schema);
    } catch (error) {
      console.log(`FAIL ${file}: ${group.description}: schema does not compile: ${error.message}`);
      failed += group.tests.length;
      continue;
    }
    for (const test of group.tests) {
      const verdict = validate(test.data);
      if (verdict === test.valid) {
        passed += 1;
      } else {
        failed += 1;
        const why = verdict ? "accepted" : JSON.stringify(validate.errors.slice(0, 2));
        console.log(`FAIL ${file}: ${group.description}: ${test.description}: expected ${test.valid}, ${why}`);
      }
    }
  }
}
console.log(`ajv: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
