// Every service of the package's client, once each, against a real server.
"use strict";

const assert = require("node:assert/strict");
const { test, after } = require("node:test");
const { createClient, status } = require("@aurum-ml/client");
const { need, photo } = require("./env");

const client = createClient({ target: need("AURUM_TEST_TARGET"), deadlineMs: 60_000 });
after(() => client.close());

const yao = { data: photo("yaoming.jpg") };
const players = { data: photo("players.jpg") };
const norm = (v) => Math.sqrt(v.reduce((s, x) => s + x * x, 0));

test("FaceDetection.Detect", async () => {
  const r = await client.detect({ image: yao });
  assert.equal(r.faces.length, 1);
  assert.deepEqual([r.image_width, r.image_height], [233, 287]);
  assert.ok(r.faces[0].confidence > 0.5);
  assert.ok(r.faces[0].landmarks.nose.x > 0);
  assert.ok(r.model.name.length > 0);
});

test("FaceDetection.DetectBatch: a bad item fails alone", async () => {
  const r = await client.detectBatch({
    requests: [{ image: yao }, { image: players, max_faces: 2 }, { image: { data: Buffer.from("not an image") } }],
  });
  assert.equal(r.results.length, 3);
  assert.equal(r.results[0].result, "response");
  assert.equal(r.results[0].response.faces.length, 1);
  assert.equal(r.results[1].response.faces.length, 2);
  assert.equal(r.results[2].result, "error");
  assert.equal(r.results[2].error.code, "INVALID_ARGUMENT");
});

test("FaceEmbedding.Embed and EmbedBatch", async () => {
  const one = await client.embed({ image: yao });
  assert.equal(one.embedding.length, 512);
  assert.ok(Math.abs(norm(one.embedding) - 1) < 1e-4);
  assert.ok(one.face.confidence > 0.5);
  const batch = await client.embedBatch({ requests: [{ image: yao }, { image: players }] });
  assert.equal(batch.results.length, 2);
  assert.deepEqual(batch.results[0].response.embedding, one.embedding);
});

test("ImageProcessing.Process", async () => {
  const r = await client.process({
    image: yao,
    operations: [{ quality: {} }, { align: { size: 112 } }],
    output_format: "IMAGE_FORMAT_PNG",
  });
  assert.deepEqual([r.width, r.height, r.format], [112, 112, "IMAGE_FORMAT_PNG"]);
  assert.deepEqual(r.applied, ["quality", "align"]);
  assert.ok(r.quality.overall > 0);
  assert.deepEqual([...r.image.subarray(1, 4)].map((c) => String.fromCharCode(c)).join(""), "PNG");
});

test("Similarity.Compare and CompareMany", async () => {
  const [a, b] = await Promise.all([client.embed({ image: yao }), client.embed({ image: players })]);
  const same = await client.compare({ embedding_a: a.embedding, embedding_b: a.embedding });
  assert.ok(Math.abs(same.score - 1) < 1e-5);
  assert.equal(same.is_match, true);
  assert.equal(same.metric, "METRIC_COSINE");
  const many = await client.compareMany({
    query: a.embedding,
    candidates: [{ values: b.embedding }, { values: a.embedding }],
    top_k: 1,
  });
  assert.equal(many.scores.length, 2);
  assert.equal(many.matches.length, 1);
  assert.equal(many.matches[0].index, 1);
});

test("FaceStore: galleries, enroll, identify, verify, list, delete", async () => {
  const gallery = `node-pkg-${process.pid}-${Date.now()}`;
  const created = await client.createGallery({ name: gallery });
  assert.equal(created.name, gallery);
  assert.equal(created.dim, 512);
  const enrolled = await client.enroll({ gallery, subject_id: "yao", image: yao, metadata: { src: "yaoming.jpg" } });
  assert.equal(enrolled.face_ids.length, 1);
  const found = await client.identify({ gallery, image: yao, top_k: 3 });
  assert.equal(found.matches[0].subject_id, "yao");
  assert.equal(found.matches[0].is_match, true);
  const verified = await client.verify({ gallery, subject_id: "yao", image: yao });
  assert.equal(verified.is_match, true);
  const subjects = await client.listSubjects({ gallery });
  assert.deepEqual(subjects.subjects.map((s) => [s.subject_id, s.face_count]), [["yao", 1]]);
  const subject = await client.getSubject({ gallery, subject_id: "yao" });
  assert.equal(subject.faces[0].face_id, enrolled.face_ids[0]);
  assert.deepEqual(subject.faces[0].metadata, { src: "yaoming.jpg" });
  assert.equal((await client.getGallery({ name: gallery })).face_count, "1"); // int64 as a string
  assert.ok((await client.listGalleries()).galleries.some((g) => g.name === gallery));
  assert.equal((await client.deleteFace({ gallery, face_id: enrolled.face_ids[0] })).deleted, true);
  assert.equal((await client.deleteSubject({ gallery, subject_id: "yao" })).deleted_faces, 0);
  assert.equal((await client.deleteGallery({ name: gallery })).deleted, true);
});

test("grpc.health.v1", async () => {
  assert.equal(await client.health(), "SERVING");
  assert.equal(await client.health("aurum.ml.v1.FaceStore"), "SERVING");
  assert.equal(await client.health("aurum.ml.v1.Nope"), "SERVICE_UNKNOWN");
});

test("errors reject with the gRPC status", async () => {
  await assert.rejects(client.detect({ image: { data: Buffer.from("not an image") } }), (err) => {
    assert.equal(err.code, status.INVALID_ARGUMENT);
    assert.match(err.details, /JPEG, PNG and WebP/);
    return true;
  });
});

test("every call has a deadline", async () => {
  await assert.rejects(client.embed({ image: players }, { deadlineMs: 1 }), (err) => {
    assert.equal(err.code, status.DEADLINE_EXCEEDED);
    return true;
  });
});
