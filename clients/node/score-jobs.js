#!/usr/bin/env node
// Queue `faceScoring` jobs the way the app does (npm bullmq + ioredis), wait
// for each to finish and print one JSON line per job:
//   {"file", "jobId", "state": "completed" | "failed", "result" | "failedReason", "attemptsMade"}
//
//   node clients/node/score-jobs.js --redis redis://localhost:6379 photo1.jpg photo2.jpg
"use strict";

const fs = require("node:fs");
const path = require("node:path");
const { parseArgs } = require("node:util");
const { Queue, QueueEvents } = require("bullmq");
const IORedis = require("ioredis");

const HELP = `usage: node score-jobs.js [options] IMAGE...

Adds one faceScoring job per image (base64, as the app sends it), waits for
each and prints one JSON line per job.

options:
  --redis URL         Redis of the queue (default redis://localhost:6379)
  --queue NAME        queue name (default faceScoring)
  --user ID           userId of every job (default the file's name)
  --attempts N        BullMQ attempts per job (default 3)
  --timeout-s S       give up waiting after S seconds (default 120)
  --data-url          send the image with a data:image/...;base64, prefix
  -h, --help          this help`;

function options() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      redis: { type: "string", default: "redis://localhost:6379" },
      queue: { type: "string", default: "faceScoring" },
      user: { type: "string" },
      attempts: { type: "string", default: "3" },
      "timeout-s": { type: "string", default: "120" },
      "data-url": { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help || positionals.length === 0) {
    console.log(HELP);
    process.exit(values.help ? 0 : 2);
  }
  return { ...values, files: positionals };
}

function jobData(file, opts) {
  const b64 = fs.readFileSync(file).toString("base64");
  const mime = file.toLowerCase().endsWith(".png") ? "image/png" : "image/jpeg";
  return {
    image: opts["data-url"] ? `data:${mime};base64,${b64}` : b64,
    isBase64: true,
    userId: opts.user ?? path.basename(file),
    metadata: { source: path.basename(file) },
  };
}

async function main() {
  const opts = options();
  // BullMQ wants maxRetriesPerRequest: null on the connection its workers and
  // event listeners block on.
  const connection = new IORedis(opts.redis, { maxRetriesPerRequest: null });
  const eventsConnection = connection.duplicate();
  const queue = new Queue(opts.queue, { connection });
  const events = new QueueEvents(opts.queue, { connection: eventsConnection });
  await events.waitUntilReady();
  const timeoutMs = Number(opts["timeout-s"]) * 1000;
  const jobs = await Promise.all(
    opts.files.map((file) =>
      queue
        .add("score", jobData(file, opts), {
          attempts: Number(opts.attempts),
          backoff: { type: "exponential", delay: 500 },
        })
        .then((job) => ({ file, job })),
    ),
  );
  let failed = 0;
  for (const { file, job } of jobs) {
    let line;
    try {
      const result = await job.waitUntilFinished(events, timeoutMs);
      const done = await queue.getJob(job.id);
      line = { file, jobId: job.id, state: "completed", result, attemptsMade: done?.attemptsMade };
    } catch (err) {
      failed += 1;
      const done = await queue.getJob(job.id);
      line = {
        file,
        jobId: job.id,
        state: (await done?.getState()) ?? "unknown",
        failedReason: done?.failedReason ?? String(err.message ?? err),
        attemptsMade: done?.attemptsMade,
      };
    }
    console.log(JSON.stringify(line));
  }
  await events.close();
  await queue.close();
  // Connections handed to BullMQ stay open after close() (they are the
  // caller's); the blocking one would keep Node alive.
  eventsConnection.disconnect();
  connection.disconnect();
  process.exitCode = failed ? 1 : 0;
}

main().catch((err) => {
  console.error(`score-jobs: ${err.message ?? err}`);
  process.exit(2);
});
