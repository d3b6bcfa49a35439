// Loads the .proto files at run time with @grpc/proto-loader (no protoc step),
// with the options the generated types in ../generated were made with.
import * as fs from "node:fs";
import * as path from "node:path";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";

import type { ProtoGrpcType as Detection } from "../generated/detection";
import type { ProtoGrpcType as Embedding } from "../generated/embedding";
import type { ProtoGrpcType as FaceStore } from "../generated/face_store";
import type { ProtoGrpcType as Processing } from "../generated/processing";
import type { ProtoGrpcType as Similarity } from "../generated/similarity";
import type { ProtoGrpcType as Health } from "../generated/health";

/** Must match the flags in scripts/gen-types.js: field names as in the .proto
 * (image_width, as the REST API spells them), enums as their names, int64 as
 * strings, unset fields as their defaults, and each oneof's chosen name. */
export const LOADER_OPTIONS: protoLoader.Options = {
  keepCase: true,
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
};

// This file runs as lib/src/protos.js.
const PACKAGE_ROOT = path.resolve(__dirname, "..", "..");

/** Where the aurum/ml/v1/*.proto files are: the package's own protos/ once
 * packed (npm pack's prepack step copies them in), else the repository's
 * protos/ two levels up (the single source of truth in a checkout). */
export function protoRoot(): string {
  const packed = path.join(PACKAGE_ROOT, "protos");
  if (fs.existsSync(path.join(packed, "aurum", "ml", "v1", "common.proto"))) {
    return packed;
  }
  const repo = path.resolve(PACKAGE_ROOT, "..", "..", "protos");
  if (fs.existsSync(path.join(repo, "aurum", "ml", "v1", "common.proto"))) {
    return repo;
  }
  throw new Error(`aurum-ml .proto files not found in ${packed} or ${repo}`);
}

export const PROTO_FILES = [
  "aurum/ml/v1/detection.proto",
  "aurum/ml/v1/embedding.proto",
  "aurum/ml/v1/processing.proto",
  "aurum/ml/v1/similarity.proto",
  "aurum/ml/v1/face_store.proto",
];

export type Services = Detection & Embedding & FaceStore & Processing & Similarity & Health;

export function loadServices(): Services {
  const aurum = grpc.loadPackageDefinition(
    protoLoader.loadSync(PROTO_FILES, { ...LOADER_OPTIONS, includeDirs: [protoRoot()] }),
  );
  const health = grpc.loadPackageDefinition(
    protoLoader.loadSync(path.join(PACKAGE_ROOT, "health.proto"), LOADER_OPTIONS),
  );
  return { ...aurum, ...health } as unknown as Services;
}
