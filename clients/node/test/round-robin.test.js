// round_robin over two server processes: an `ipv4:` target with both
// addresses, and each server counts calls (GET /api/status).
"use strict";

const assert = require("node:assert/strict");
const { test } = require("node:test");
const { createClient } = require("@aurum-ml/client");
const { need } = require("./env");

const compares = async (restUrl) =>
  (await (await fetch(`${restUrl}/api/status`)).json()).requests.compare ?? 0;

test("calls spread over both servers", async () => {
  const restUrls = need("AURUM_TEST_REST_URLS").split(",");
  const before = await Promise.all(restUrls.map(compares));
  const client = createClient({ target: need("AURUM_TEST_TARGETS") });
  try {
    const v = [0.1, 0.7, 0.2];
    for (let i = 0; i < 10; i += 1) {
      await client.compare({ embedding_a: v, embedding_b: v });
    }
  } finally {
    client.close();
  }
  const after = await Promise.all(restUrls.map(compares));
  const served = after.map((n, i) => n - before[i]);
  assert.equal(served.reduce((a, b) => a + b, 0), 10);
  assert.ok(served.every((n) => n >= 3), `calls per server: ${served}`);
});
