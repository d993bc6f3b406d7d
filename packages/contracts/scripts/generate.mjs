// Writes src/generated/wire-schemas.ts from the built zod schemas (run after tsc -b: `pnpm generate`).
import { writeFile } from "node:fs/promises";
import { WIRE_SCHEMAS_FILE, wireSchemasModule } from "../dist/generate/index.js";

const target = new URL(`../${WIRE_SCHEMAS_FILE}`, import.meta.url);
await writeFile(target, wireSchemasModule());
console.log(`Wrote ${WIRE_SCHEMAS_FILE}`);
