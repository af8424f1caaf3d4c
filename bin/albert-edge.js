#!/usr/bin/env node
// The installed `albert-edge` command: the CLI bundled by `npm run build` (Node >= 22).
import "../dist/cli/cli.js";
