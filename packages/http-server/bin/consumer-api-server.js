#!/usr/bin/env node
// Committed so that installing the workspace can link this bin before anything is built; the program
// itself is the compiled dist/bin.js.
import "../dist/bin.js";
