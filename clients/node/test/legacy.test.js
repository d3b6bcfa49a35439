// The REST-era functions over gRPC give what the REST gateway gives for the
// same input.
"use strict";

const assert = require("node:assert/strict");
const { test, after } = require("node:test");
const { createClient } = require("@aurum-ml/client");
const legacy = require("@aurum-ml/client/legacy");
const { need, photo } = require("./env");

const restUrl = need("AURUM_TEST_REST_URL");
const client = createClient({ target: need("AURUM_TEST_TARGET"), deadlineMs: 60_000 });
const api = legacy.createLegacyApi(client);
after(() => client.close());

async function rest(path, body) {
  const res = await fetch(`${restUrl}${path}`, body === undefined
    ? {}
    : { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  return res.json();
}

// gRPC sends float32; REST sends some numbers (the quality scores) as the
// doubles the core computed. Compared as float32, they are the same.
function f32(value) {
  if (typeof value === "number") {
    return Number.isInteger(value) ? value : Math.fround(value);
  }
  if (Array.isArray(value)) {
    return value.map(f32);
  }
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, f32(v)]));
  }
  return value;
}
const sameAsRest = (got, want) => assert.deepEqual(f32(got), f32(want));

const yaoB64 = photo("yaoming.jpg").toString("base64");
const playersB64 = photo("players.jpg").toString("base64");

test("detectFaces answers as POST /api/detect-face", async () => {
  for (const image of [yaoB64, `data:image/jpeg;base64,${playersB64}`]) {
    const [got, want] = await Promise.all([api.detectFaces(image), rest("/api/detect-face", { image })]);
    assert.equal(got.success, true);
    sameAsRest(got, want);
  }
});

test("detectFaces options", async () => {
  const opts = { max_faces: 2, min_confidence: 0.9, detector: "mtcnn" };
  const [got, want] = await Promise.all([
    api.detectFaces(playersB64, opts),
    rest("/api/detect-face", { image: playersB64, ...opts }),
  ]);
  assert.equal(got.faces.length, 2);
  sameAsRest(got, want);
});

test("extractEmbedding answers as POST /api/extract-embedding", async () => {
  const [got, want] = await Promise.all([
    api.extractEmbedding(yaoB64, false),
    rest("/api/extract-embedding", { image: yaoB64, aligned: false }),
  ]);
  assert.equal(got.embedding.embedding.length, 512);
  sameAsRest(got, want);
});

test("extractEmbedding of an aligned crop: face is null", async () => {
  const crop = await client.process({
    image: { data: photo("yaoming.jpg") },
    operations: [{ align: { size: 112 } }],
    output_format: "IMAGE_FORMAT_PNG",
  });
  const image = crop.image.toString("base64");
  const [got, want] = await Promise.all([
    api.extractEmbedding(image, true),
    rest("/api/extract-embedding", { image, aligned: true }),
  ]);
  assert.equal(got.face, null);
  sameAsRest(got, want);
});

test("failures are the REST error body with the same message", async () => {
  const image = Buffer.from("not an image").toString("base64");
  const [got, want] = await Promise.all([api.detectFaces(image), rest("/api/detect-face", { image })]);
  assert.equal(got.success, false);
  assert.equal(got.code, "INVALID_ARGUMENT");
  assert.equal(got.message, want.message);
});

test("healthCheck answers as GET /api/health", async () => {
  const [got, want] = await Promise.all([api.healthCheck(), rest("/api/health")]);
  assert.equal(got.status, "healthy");
  sameAsRest(got, want);
});

test("the free functions use AURUM_ML_GRPC_TARGET", async () => {
  process.env.AURUM_ML_GRPC_TARGET = need("AURUM_TEST_TARGET");
  const got = await legacy.detectFaces(yaoB64);
  assert.equal(got.faces.length, 1);
  assert.equal((await legacy.healthCheck()).status, "healthy");
});

after(() => legacy.close());
