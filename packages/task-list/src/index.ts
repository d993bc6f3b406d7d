// The built page for a server to serve: index.html, app.js and app.css, flat in one directory.
import { fileURLToPath } from "node:url";

/** Absolute path of the directory holding the built page (dist/www). */
export const taskListDirectory: string = fileURLToPath(new URL("./www/", import.meta.url));
