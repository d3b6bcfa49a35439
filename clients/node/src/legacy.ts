// The app's existing REST-era interface over gRPC: detectFaces, extractEmbedding
// and healthCheck answer with the JSON shapes of the legacy REST gateway
// (/api/detect-face, /api/extract-embedding, /api/health; see
// src/aurum_ml/rest/schemas.py), so switching is a change of import:
//
//   import { detectFaces, extractEmbedding, healthCheck } from "@aurum-ml/client/legacy";
//
// The free functions use one client built from the environment on first use
// (AURUM_ML_GRPC_TARGET, default localhost:50051; AURUM_API_KEY;
// AURUM_ML_DEADLINE_MS); configure() or createLegacyApi(client) choose another.
import * as grpc from "@grpc/grpc-js";

import { createClient, SERVICE_NAMES, type AurumClient, type ClientOptions } from "./client";
import type * as pb from "../generated";

export type Point = [number, number];

export interface Face {
  bbox: { x: number; y: number; width: number; height: number };
  landmarks: {
    left_eye: Point;
    right_eye: Point;
    nose: Point;
    left_mouth: Point;
    right_mouth: Point;
  };
  confidence: number;
}

export interface ModelInfo {
  name: string;
  version: string;
  execution_provider: string;
}

export interface QualityReport {
  overall: number;
  sharpness: number;
  brightness: number;
  face_size: number;
  frontality: number;
}

/** Every failure, as the REST gateway sends it (the message is the server's). */
export interface ErrorResponse {
  success: false;
  message: string;
  /** The gRPC status name (REST sent an HTTP status instead). */
  code: string;
}

export interface DetectFaceResponse {
  success: true;
  faces: Face[];
  image_width: number;
  image_height: number;
  model: ModelInfo;
}

export interface ExtractEmbeddingResponse {
  success: true;
  embedding: { embedding: number[]; quality: number; confidence: number };
  /** null for aligned input. */
  face: Face | null;
  quality_report: QualityReport;
  model: ModelInfo;
}

export type ServiceStatus = "SERVING" | "NOT_SERVING";

export interface ComponentHealth {
  status: ServiceStatus;
  reason: string;
}

export interface HealthResponse {
  status: "healthy" | "unhealthy";
  services: {
    faceDetection: { status: ServiceStatus };
    faceEmbedding: { status: ServiceStatus };
    imageProcessing: { status: ServiceStatus };
    similarity: { status: ServiceStatus };
    /** null when the server does not know the FaceStore service. */
    faceStore: ComponentHealth | null;
    /** Always null: gRPC health does not report the job queue (GET /api/health does). */
    queue: ComponentHealth | null;
    /** Always null: gRPC health does not report model versions that failed to
     *  load (GET /api/health and model management's ListModels do). */
    models: ComponentHealth | null;
  };
}

export interface DetectOptions {
  min_confidence?: number;
  max_faces?: number;
  detector?: "scrfd" | "yunet" | "mtcnn" | null;
}

/** The bytes of a base64 image, standard or URL-safe, with or without a
 * `data:image/...;base64,` prefix (as the REST gateway accepts it). */
export function imageBytes(imageBase64: string): Buffer {
  const comma = imageBase64.startsWith("data:") ? imageBase64.indexOf(",") : -1;
  return Buffer.from(comma >= 0 ? imageBase64.slice(comma + 1) : imageBase64, "base64");
}

function detectorEnum(name: DetectOptions["detector"]): pb.Detector {
  return name ? (`DETECTOR_${name.toUpperCase()}` as pb.Detector) : "DETECTOR_UNSPECIFIED";
}

const point = (p: pb.Point__Output | null): Point => [p?.x ?? 0, p?.y ?? 0];

function faceOut(f: pb.Face__Output): Face {
  const b = f.bbox;
  const lm = f.landmarks;
  return {
    bbox: { x: b?.x ?? 0, y: b?.y ?? 0, width: b?.width ?? 0, height: b?.height ?? 0 },
    landmarks: {
      left_eye: point(lm?.left_eye ?? null),
      right_eye: point(lm?.right_eye ?? null),
      nose: point(lm?.nose ?? null),
      left_mouth: point(lm?.left_mouth ?? null),
      right_mouth: point(lm?.right_mouth ?? null),
    },
    confidence: f.confidence,
  };
}

function modelOut(m: pb.ModelInfo__Output | null): ModelInfo {
  return { name: m?.name ?? "", version: m?.version ?? "", execution_provider: m?.execution_provider ?? "" };
}

function qualityOut(q: pb.QualityReport__Output | null): QualityReport {
  return {
    overall: q?.overall ?? 0,
    sharpness: q?.sharpness ?? 0,
    brightness: q?.brightness ?? 0,
    face_size: q?.face_size ?? 0,
    frontality: q?.frontality ?? 0,
  };
}

/** A gRPC failure as the REST error body; anything else is rethrown. */
function errorOut(err: unknown): ErrorResponse {
  const e = err as grpc.ServiceError;
  if (typeof e?.code !== "number") {
    throw err;
  }
  const code = grpc.status[e.code] ?? String(e.code);
  return { success: false, message: e.details || code, code };
}

export interface LegacyApi {
  detectFaces(imageBase64: string, options?: DetectOptions): Promise<DetectFaceResponse | ErrorResponse>;
  extractEmbedding(
    imageBase64: string,
    aligned?: boolean,
    detector?: DetectOptions["detector"],
  ): Promise<ExtractEmbeddingResponse | ErrorResponse>;
  healthCheck(): Promise<HealthResponse>;
}

export function createLegacyApi(client: AurumClient): LegacyApi {
  async function status(service: string): Promise<ServiceStatus | null> {
    try {
      const s = await client.health(service);
      return s === "SERVICE_UNKNOWN" ? null : s === "SERVING" ? "SERVING" : "NOT_SERVING";
    } catch {
      return "NOT_SERVING"; // unreachable, or shutting down
    }
  }
  return {
    async detectFaces(imageBase64, options = {}) {
      try {
        const d = await client.detect({
          image: { data: imageBytes(imageBase64) },
          min_confidence: options.min_confidence ?? 0,
          max_faces: options.max_faces ?? 0,
          detector: detectorEnum(options.detector),
        });
        return {
          success: true,
          faces: d.faces.map(faceOut),
          image_width: d.image_width,
          image_height: d.image_height,
          model: modelOut(d.model),
        };
      } catch (err) {
        return errorOut(err);
      }
    },
    async extractEmbedding(imageBase64, aligned = false, detector = null) {
      try {
        const e = await client.embed({
          image: { data: imageBytes(imageBase64) },
          aligned,
          detector: detectorEnum(detector),
        });
        return {
          success: true,
          embedding: { embedding: e.embedding, quality: e.quality, confidence: e.confidence },
          face: e.face ? faceOut(e.face) : null,
          quality_report: qualityOut(e.quality_report),
          model: modelOut(e.model),
        };
      } catch (err) {
        return errorOut(err);
      }
    },
    async healthCheck() {
      const [detection, embedding, processing, similarity, faceStore] = await Promise.all(
        [
          SERVICE_NAMES.detection,
          SERVICE_NAMES.embedding,
          SERVICE_NAMES.processing,
          SERVICE_NAMES.similarity,
          SERVICE_NAMES.faceStore,
        ].map(status),
      );
      const four = [detection, embedding, processing, similarity];
      const serving = (s: ServiceStatus | null) => ({ status: s ?? ("NOT_SERVING" as ServiceStatus) });
      return {
        // As REST: the four legacy services decide; the face store is listed only.
        status: four.every((s) => s === "SERVING") ? "healthy" : "unhealthy",
        services: {
          faceDetection: serving(detection),
          faceEmbedding: serving(embedding),
          imageProcessing: serving(processing),
          similarity: serving(similarity),
          faceStore:
            faceStore === null
              ? null
              : { status: faceStore, reason: faceStore === "SERVING" ? "" : "the face store is not serving" },
          queue: null,
          models: null,
        },
      };
    },
  };
}

let shared: LegacyApi | null = null;
let sharedClient: AurumClient | null = null;

/** The client the free functions use, from options or (on first use) the environment. */
export function configure(options?: Partial<ClientOptions>): LegacyApi {
  const env = process.env;
  sharedClient?.close();
  sharedClient = createClient({
    target: env.AURUM_ML_GRPC_TARGET || "localhost:50051",
    apiKey: env.AURUM_API_KEY || undefined,
    deadlineMs: env.AURUM_ML_DEADLINE_MS ? Number(env.AURUM_ML_DEADLINE_MS) : undefined,
    ...options,
  });
  shared = createLegacyApi(sharedClient);
  return shared;
}

/** Closes the free functions' client (a later call opens a new one). */
export function close(): void {
  sharedClient?.close();
  sharedClient = null;
  shared = null;
}

const api = (): LegacyApi => shared ?? configure();

export const detectFaces: LegacyApi["detectFaces"] = (imageBase64, options) =>
  api().detectFaces(imageBase64, options);
export const extractEmbedding: LegacyApi["extractEmbedding"] = (imageBase64, aligned, detector) =>
  api().extractEmbedding(imageBase64, aligned, detector);
export const healthCheck: LegacyApi["healthCheck"] = () => api().healthCheck();
