import { type AurumClient, type ClientOptions } from "./client";
export type Point = [number, number];
export interface Face {
    bbox: {
        x: number;
        y: number;
        width: number;
        height: number;
    };
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
    embedding: {
        embedding: number[];
        quality: number;
        confidence: number;
    };
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
        faceDetection: {
            status: ServiceStatus;
        };
        faceEmbedding: {
            status: ServiceStatus;
        };
        imageProcessing: {
            status: ServiceStatus;
        };
        similarity: {
            status: ServiceStatus;
        };
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
export declare function imageBytes(imageBase64: string): Buffer;
export interface LegacyApi {
    detectFaces(imageBase64: string, options?: DetectOptions): Promise<DetectFaceResponse | ErrorResponse>;
    extractEmbedding(imageBase64: string, aligned?: boolean, detector?: DetectOptions["detector"]): Promise<ExtractEmbeddingResponse | ErrorResponse>;
    healthCheck(): Promise<HealthResponse>;
}
export declare function createLegacyApi(client: AurumClient): LegacyApi;
/** The client the free functions use, from options or (on first use) the environment. */
export declare function configure(options?: Partial<ClientOptions>): LegacyApi;
/** Closes the free functions' client (a later call opens a new one). */
export declare function close(): void;
export declare const detectFaces: LegacyApi["detectFaces"];
export declare const extractEmbedding: LegacyApi["extractEmbedding"];
export declare const healthCheck: LegacyApi["healthCheck"];
