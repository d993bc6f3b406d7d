// Copies the built task-list page into dist/task-list, so the server program (and its npm package) carries
// the page it serves at / without depending on the task-list package, which depends on client-external,
// whose tests depend on this package.
import { cp, rm } from "node:fs/promises";

const from = new URL("../task-list/dist/www/", import.meta.url);
const to = new URL("./dist/task-list/", import.meta.url);
await rm(to, { recursive: true, force: true });
await cp(from, to, { recursive: true, filter: (source) => !source.endsWith(".map") });
