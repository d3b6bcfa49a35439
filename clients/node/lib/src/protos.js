"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.PROTO_FILES = exports.LOADER_OPTIONS = void 0;
exports.protoRoot = protoRoot;
exports.loadServices = loadServices;
// Loads the .proto files at run time with @grpc/proto-loader (no protoc step),
// with the options the generated types in ../generated were made with.
const fs = require("node:fs");
const path = require("node:path");
const grpc = require("@grpc/grpc-js");
const protoLoader = require("@grpc/proto-loader");
/** Must match the flags in scripts/gen-types.js: field names as in the .proto
 * (image_width, as the REST API spells them), enums as their names, int64 as
 * strings, unset fields as their defaults, and each oneof's chosen name. */
exports.LOADER_OPTIONS = {
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
function protoRoot() {
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
exports.PROTO_FILES = [
    "aurum/ml/v1/detection.proto",
    "aurum/ml/v1/embedding.proto",
    "aurum/ml/v1/processing.proto",
    "aurum/ml/v1/similarity.proto",
    "aurum/ml/v1/face_store.proto",
];
function loadServices() {
    const aurum = grpc.loadPackageDefinition(protoLoader.loadSync(exports.PROTO_FILES, { ...exports.LOADER_OPTIONS, includeDirs: [protoRoot()] }));
    const health = grpc.loadPackageDefinition(protoLoader.loadSync(path.join(PACKAGE_ROOT, "health.proto"), exports.LOADER_OPTIONS));
    return { ...aurum, ...health };
}
