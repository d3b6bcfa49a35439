#!/usr/bin/env node
// npm pack's prepack/postpack steps: copy the repository's aurum/ml/v1/*.proto
// into the package's protos/ so the tarball carries them, then remove the copy,
// so a checkout never holds a second, possibly stale, set (in a checkout the
// client reads ../../protos; see src/protos.ts).
//
//   node scripts/pack-protos.js copy | clean
"use strict";

const fs = require("node:fs");
const path = require("node:path");

const pkg = path.resolve(__dirname, "..");
const packed = path.join(pkg, "protos");
const source = path.resolve(pkg, "../../protos/aurum/ml/v1");

const action = process.argv[2];
fs.rmSync(packed, { recursive: true, force: true });
if (action === "copy") {
  const dest = path.join(packed, "aurum", "ml", "v1");
  fs.mkdirSync(dest, { recursive: true });
  for (const f of fs.readdirSync(source).filter((name) => name.endsWith(".proto"))) {
    fs.copyFileSync(path.join(source, f), path.join(dest, f));
  }
} else if (action !== "clean") {
  console.error("usage: node scripts/pack-protos.js copy | clean");
  process.exit(2);
}
