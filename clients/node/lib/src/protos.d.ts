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
export declare const LOADER_OPTIONS: protoLoader.Options;
/** Where the aurum/ml/v1/*.proto files are: the package's own protos/ once
 * packed (npm pack's prepack step copies them in), else the repository's
 * protos/ two levels up (the single source of truth in a checkout). */
export declare function protoRoot(): string;
export declare const PROTO_FILES: string[];
export type Services = Detection & Embedding & FaceStore & Processing & Similarity & Health;
export declare function loadServices(): Services;
