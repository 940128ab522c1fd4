// launcher.js - the shape of npm's codex: a node script that runs the real
// agent, a native program, and waits for it.
//   node launcher.js PROGRAM [ARG…]
const { spawnSync } = require("child_process");
const r = spawnSync(process.argv[2], process.argv.slice(3), { stdio: "inherit" });
process.exit(r.status === null ? 1 : r.status);
