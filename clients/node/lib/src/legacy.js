"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.healthCheck = exports.extractEmbedding = exports.detectFaces = void 0;
exports.imageBytes = imageBytes;
exports.createLegacyApi = createLegacyApi;
exports.configure = configure;
exports.close = close;
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
const grpc = require("@grpc/grpc-js");
const client_1 = require("./client");
/** The bytes of a base64 image, standard or URL-safe, with or without a
 * `data:image/...;base64,` prefix (as the REST gateway accepts it). */
function imageBytes(imageBase64) {
    const comma = imageBase64.startsWith("data:") ? imageBase64.indexOf(",") : -1;
    return Buffer.from(comma >= 0 ? imageBase64.slice(comma + 1) : imageBase64, "base64");
}
function detectorEnum(name) {
    return name ? `DETECTOR_${name.toUpperCase()}` : "DETECTOR_UNSPECIFIED";
}
const point = (p) => [p?.x ?? 0, p?.y ?? 0];
function faceOut(f) {
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
function modelOut(m) {
    return { name: m?.name ?? "", version: m?.version ?? "", execution_provider: m?.execution_provider ?? "" };
}
function qualityOut(q) {
    return {
        overall: q?.overall ?? 0,
        sharpness: q?.sharpness ?? 0,
        brightness: q?.brightness ?? 0,
        face_size: q?.face_size ?? 0,
        frontality: q?.frontality ?? 0,
    };
}
/** A gRPC failure as the REST error body; anything else is rethrown. */
function errorOut(err) {
    const e = err;
    if (typeof e?.code !== "number") {
        throw err;
    }
    const code = grpc.status[e.code] ?? String(e.code);
    return { success: false, message: e.details || code, code };
}
function createLegacyApi(client) {
    async function status(service) {
        try {
            const s = await client.health(service);
            return s === "SERVICE_UNKNOWN" ? null : s === "SERVING" ? "SERVING" : "NOT_SERVING";
        }
        catch {
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
            }
            catch (err) {
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
            }
            catch (err) {
                return errorOut(err);
            }
        },
        async healthCheck() {
            const [detection, embedding, processing, similarity, faceStore] = await Promise.all([
                client_1.SERVICE_NAMES.detection,
                client_1.SERVICE_NAMES.embedding,
                client_1.SERVICE_NAMES.processing,
                client_1.SERVICE_NAMES.similarity,
                client_1.SERVICE_NAMES.faceStore,
            ].map(status));
            const four = [detection, embedding, processing, similarity];
            const serving = (s) => ({ status: s ?? "NOT_SERVING" });
            return {
                // As REST: the four legacy services decide; the face store is listed only.
                status: four.every((s) => s === "SERVING") ? "healthy" : "unhealthy",
                services: {
                    faceDetection: serving(detection),
                    faceEmbedding: serving(embedding),
                    imageProcessing: serving(processing),
                    similarity: serving(similarity),
                    faceStore: faceStore === null
                        ? null
                        : { status: faceStore, reason: faceStore === "SERVING" ? "" : "the face store is not serving" },
                    queue: null,
                    models: null,
                },
            };
        },
    };
}
let shared = null;
let sharedClient = null;
/** The client the free functions use, from options or (on first use) the environment. */
function configure(options) {
    const env = process.env;
    sharedClient?.close();
    sharedClient = (0, client_1.createClient)({
        target: env.AURUM_ML_GRPC_TARGET || "localhost:50051",
        apiKey: env.AURUM_API_KEY || undefined,
        deadlineMs: env.AURUM_ML_DEADLINE_MS ? Number(env.AURUM_ML_DEADLINE_MS) : undefined,
        ...options,
    });
    shared = createLegacyApi(sharedClient);
    return shared;
}
/** Closes the free functions' client (a later call opens a new one). */
function close() {
    sharedClient?.close();
    sharedClient = null;
    shared = null;
}
const api = () => shared ?? configure();
const detectFaces = (imageBase64, options) => api().detectFaces(imageBase64, options);
exports.detectFaces = detectFaces;
const extractEmbedding = (imageBase64, aligned, detector) => api().extractEmbedding(imageBase64, aligned, detector);
exports.extractEmbedding = extractEmbedding;
const healthCheck = () => api().healthCheck();
exports.healthCheck = healthCheck;
