// What the tests need from tests/integration/test_node_package.py, which
// starts the servers: a missing variable fails loudly with its name.
"use strict";

const fs = require("node:fs");
const path = require("node:path");

function need(name) {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set: run these through tests/integration/test_node_package.py`);
  }
  return value;
}

function photo(name) {
  return fs.readFileSync(path.join(need("AURUM_TEST_PHOTOS"), name));
}

module.exports = { need, photo };
