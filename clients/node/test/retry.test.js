// gRPC's retry policy (service config) against a rate-limited server: calls
// refused with RESOURCE_EXHAUSTED are retried after a backoff and succeed;
// with retries off, the same burst sees the refusals.
"use strict";

const assert = require("node:assert/strict");
const { test } = require("node:test");
const { createClient, status } = require("@aurum-ml/client");
const { need } = require("./env");

const v = [0.1, 0.7, 0.2];
const burst = (client, n) =>
  Promise.allSettled(Array.from({ length: n }, () => client.compare({ embedding_a: v, embedding_b: v })));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

test("without retries a burst past the rate limit is refused", async () => {
  const client = createClient({ target: need("AURUM_TEST_LIMITED_TARGET"), retry: false });
  try {
    const results = await burst(client, 6);
    const refused = results.filter((r) => r.status === "rejected");
    assert.ok(refused.length > 0);
    assert.ok(refused.every((r) => r.reason.code === status.RESOURCE_EXHAUSTED));
  } finally {
    client.close();
  }
  await sleep(1500); // let the bucket refill
});

test("with the retry policy the same burst succeeds", async () => {
  const client = createClient({
    target: need("AURUM_TEST_LIMITED_TARGET"),
    retry: { maxAttempts: 5, initialBackoffMs: 500, maxBackoffMs: 2000, backoffMultiplier: 2 },
  });
  try {
    const results = await burst(client, 6);
    const refused = results.filter((r) => r.status === "rejected").map((r) => r.reason.message);
    assert.deepEqual(refused, []);
  } finally {
    client.close();
  }
});
