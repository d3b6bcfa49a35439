// A server restarted while calls are being made: calls with waitForReady wait
// for the channel to reconnect (within their deadline) instead of failing
// with UNAVAILABLE, and all of them succeed once the server is back.
// tests/integration/test_node_package.py stops the server before this starts
// and starts it again on the same port a moment later.
"use strict";

const assert = require("node:assert/strict");
const { test } = require("node:test");
const { createClient } = require("@aurum-ml/client");
const { need } = require("./env");

test("calls made while the server restarts succeed once it is back", async () => {
  const client = createClient({ target: need("AURUM_TEST_RESTART_TARGET"), deadlineMs: 60000 });
  try {
    const v = [0.1, 0.7, 0.2];
    const started = Date.now();
    const calls = Array.from({ length: 10 }, (_, i) =>
      new Promise((r) => setTimeout(r, i * 200)).then(() =>
        client.compare({ embedding_a: v, embedding_b: v }, { waitForReady: true }),
      ),
    );
    const results = await Promise.allSettled(calls);
    const failed = results.filter((r) => r.status === "rejected").map((r) => r.reason.message);
    assert.deepEqual(failed, []);
    for (const r of results) assert.ok(Math.abs(r.value.score - 1) < 1e-6);
    // They did wait for the restart (the test server was down when they began).
    assert.ok(Date.now() - started > 1000);
  } finally {
    client.close();
  }
});
