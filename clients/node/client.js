#!/usr/bin/env node
// Example gRPC client for aurum-ml, for app developers: it loads the repo's
// .proto files at run time (no code generation), calls Detect, Embed and
// Compare, and asks the standard grpc.health.v1 service. Every command prints
// JSON on stdout; errors go to stderr with the gRPC status, and exit 1.
//
//   npm ci                                   # once, in clients/node
//   node client.js --target localhost:50051 detect ../../models/photos/yaoming.jpg
//   node client.js embed ../../models/photos/yaoming.jpg > yao.json
//   node client.js compare yao.json ../../models/photos/players.jpg
//   node client.js health aurum.ml.v1.FaceDetection
//   AURUM_API_KEY=... node client.js --ca ca.pem --target ml.example:50051 detect face.jpg
"use strict";

const fs = require("node:fs");
const path = require("node:path");
const { parseArgs } = require("node:util");
const grpc = require("@grpc/grpc-js");
const protoLoader = require("@grpc/proto-loader");

const PROTO_ROOT = path.resolve(__dirname, "../../protos");
const HEALTH_PROTO = path.join(__dirname, "health.proto");

const USAGE = `usage: node client.js [--target HOST:PORT] [options] COMMAND ARGS

commands:
  detect IMAGE          faces: boxes, five landmarks and confidences
  embed IMAGE           512-d embedding of the most prominent face
  compare A B           similarity of two faces; A and B are images, or JSON
                        files holding an embedding (the output of embed)
  health [SERVICE]      grpc.health.v1 status of the server, or of one service
                        (e.g. aurum.ml.v1.FaceDetection); exit 1 unless SERVING

options:
  --target HOST:PORT    server address (default localhost:50051)
  --api-key KEY         API key, when the server requires one (default: $AURUM_API_KEY)
  --ca FILE             use TLS, trusting the server certificate's CA in FILE (PEM)
  --detector NAME       scrfd, yunet or mtcnn (default: the server's)
  --min-confidence X    detect: drop faces scoring below X (default: server's 0.5)
  --max-faces N         detect: at most N faces (default: the server's cap)
  --metric NAME         compare: cosine or euclidean (default cosine)
  --threshold X         compare: decision threshold (default: the metric's)
  --timeout SECONDS     deadline of each call (default 30)`;

// keepCase: fields keep their .proto names (image_width, not imageWidth), so
// the JSON printed here reads like the REST API's. enums: String gives
// "SERVING" instead of 1; defaults fills fields the server left at zero.
const LOADER_OPTIONS = {
  keepCase: true,
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
};

function loadServices() {
  const aurum = grpc.loadPackageDefinition(
    protoLoader.loadSync(
      [
        "aurum/ml/v1/detection.proto",
        "aurum/ml/v1/embedding.proto",
        "aurum/ml/v1/similarity.proto",
      ],
      { ...LOADER_OPTIONS, includeDirs: [PROTO_ROOT] },
    ),
  ).aurum.ml.v1;
  const health = grpc.loadPackageDefinition(
    protoLoader.loadSync(HEALTH_PROTO, LOADER_OPTIONS),
  ).grpc.health.v1;
  return { aurum, health };
}

// Plaintext unless a CA is given (the server's default); grpc-js connects
// lazily on the first call and the stubs share one connection to the target.
function connect(target, caFile) {
  const { aurum, health } = loadServices();
  const credentials = caFile
    ? grpc.credentials.createSsl(fs.readFileSync(caFile))
    : grpc.credentials.createInsecure();
  const stub = (Service) => new Service(target, credentials);
  return {
    detection: stub(aurum.FaceDetection),
    embedding: stub(aurum.FaceEmbedding),
    similarity: stub(aurum.Similarity),
    health: stub(health.Health),
  };
}

// The API key travels as call metadata: the same header REST clients send.
function metadataFor(apiKey) {
  const metadata = new grpc.Metadata();
  if (apiKey) {
    metadata.set("authorization", `Bearer ${apiKey}`);
  }
  return metadata;
}

// Promise wrapper around a unary call, with the key and a deadline.
function call(client, method, request, opts) {
  const deadline = new Date(Date.now() + opts.timeout * 1000);
  return new Promise((resolve, reject) => {
    client[method](request, opts.metadata, { deadline }, (err, response) =>
      err ? reject(err) : resolve(response),
    );
  });
}

// The image travels as its encoded bytes (JPEG, PNG or WebP); the server decodes it.
function image(file) {
  return { data: fs.readFileSync(file) };
}

function detectorEnum(name) {
  return name ? `DETECTOR_${name.toUpperCase()}` : "DETECTOR_UNSPECIFIED";
}

function metricEnum(name) {
  return `METRIC_${(name || "cosine").toUpperCase()}`;
}

// The enum's name as the REST API and --metric spell it: METRIC_COSINE -> cosine.
function metricName(value) {
  return String(value).replace(/^METRIC_/, "").toLowerCase();
}

// Every number the API sends is a float32, which JavaScript widens to a double:
// 0.35 arrives as 0.3499999940395355. Print the shortest decimal that is the
// same float32 (0.35), so the output reads like the REST API's and sending it
// back (compare with a saved embedding) gives the server the very same value.
function shortFloat32(x) {
  if (typeof x !== "number" || !Number.isFinite(x) || Number.isInteger(x)) {
    return x;
  }
  const f = Math.fround(x);
  if (f !== x) {
    return x; // not a float32: leave it as it is
  }
  for (let digits = 1; digits < 9; digits += 1) {
    const y = Number(x.toPrecision(digits));
    if (Math.fround(y) === f) {
      return y;
    }
  }
  return Number(x.toPrecision(9)); // 9 significant digits always identify a float32
}

function toJson(value) {
  return JSON.stringify(value, (_key, v) => shortFloat32(v), 2);
}

async function detect(stubs, opts, file) {
  return call(
    stubs.detection,
    "Detect",
    {
      image: image(file),
      min_confidence: Number(opts["min-confidence"] ?? 0),
      max_faces: Number(opts["max-faces"] ?? 0),
      detector: detectorEnum(opts.detector),
    },
    opts,
  );
}

async function embed(stubs, opts, file) {
  return call(
    stubs.embedding,
    "Embed",
    { image: image(file), detector: detectorEnum(opts.detector) },
    opts,
  );
}

// An embedding from a JSON file (an array, or embed's output), else by embedding the image.
async function embeddingOf(stubs, opts, file) {
  if (file.endsWith(".json")) {
    const saved = JSON.parse(fs.readFileSync(file, "utf8"));
    return Array.isArray(saved) ? saved : saved.embedding;
  }
  return (await embed(stubs, opts, file)).embedding;
}

async function compare(stubs, opts, a, b) {
  const [embeddingA, embeddingB] = await Promise.all([
    embeddingOf(stubs, opts, a),
    embeddingOf(stubs, opts, b),
  ]);
  const request = {
    embedding_a: embeddingA,
    embedding_b: embeddingB,
    metric: metricEnum(opts.metric),
  };
  if (opts.threshold !== undefined) {
    request.threshold = Number(opts.threshold); // optional in the proto: unset means the default
  }
  const response = await call(stubs.similarity, "Compare", request, opts);
  return { ...response, metric: metricName(response.metric) };
}

async function health(stubs, opts, service = "") {
  try {
    const response = await call(stubs.health, "Check", { service }, opts);
    return { service, status: response.status };
  } catch (err) {
    // The health service answers NOT_FOUND for a name it does not know.
    if (err.code === grpc.status.NOT_FOUND) {
      return { service, status: "SERVICE_UNKNOWN" };
    }
    throw err;
  }
}

// Each command and how many arguments it needs.
const COMMANDS = {
  detect: [detect, 1],
  embed: [embed, 1],
  compare: [compare, 2],
  health: [health, 0],
};

async function main(argv) {
  const { values: opts, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      target: { type: "string", default: "localhost:50051" },
      "api-key": { type: "string", default: process.env.AURUM_API_KEY },
      ca: { type: "string" },
      detector: { type: "string" },
      "min-confidence": { type: "string" },
      "max-faces": { type: "string" },
      metric: { type: "string" },
      threshold: { type: "string" },
      timeout: { type: "string", default: "30" },
      help: { type: "boolean", short: "h" },
    },
  });
  const [command, ...args] = positionals;
  const entry = COMMANDS[command];
  if (opts.help || !entry || args.length < entry[1] || args.length > Math.max(entry[1], 1)) {
    console.error(USAGE);
    return opts.help ? 0 : 2;
  }
  opts.timeout = Number(opts.timeout);
  opts.metadata = metadataFor(opts["api-key"]);
  const stubs = connect(opts.target, opts.ca);
  const [run] = entry;
  const result = await run(stubs, opts, ...args);
  console.log(toJson(result));
  return command === "health" && result.status !== "SERVING" ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    // A gRPC error has a numeric code: print its name (e.g. INVALID_ARGUMENT)
    // and the server's message.
    if (typeof err.code === "number") {
      const name = Object.keys(grpc.status).find((k) => grpc.status[k] === err.code) || err.code;
      console.error(`error: ${name}: ${err.details}`);
    } else {
      console.error(`error: ${err.message}`);
    }
    process.exit(1);
  },
);
