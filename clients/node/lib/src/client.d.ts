import * as grpc from "@grpc/grpc-js";
import type * as pb from "../generated";
export interface TlsOptions {
    /** PEM of the CA that signed the server's certificate; omit for the system roots. */
    ca?: Buffer | string;
    /** PEM client certificate and key, for mutual TLS. */
    cert?: Buffer | string;
    key?: Buffer | string;
}
export interface RetryOptions {
    /** Attempts in all, the first included (2-5; grpc-js caps it at 5). Default 4. */
    maxAttempts?: number;
    /** Backoff before the first retry, in ms (each retry waits a random time up to it). Default 200. */
    initialBackoffMs?: number;
    /** Largest backoff, in ms. Default 2000. */
    maxBackoffMs?: number;
    /** Growth of the backoff per retry. Default 2. */
    backoffMultiplier?: number;
    /** Status names to retry. Default ["UNAVAILABLE", "RESOURCE_EXHAUSTED"]. */
    retryableStatusCodes?: string[];
}
export interface ClientOptions {
    /** e.g. "localhost:50051", "dns:///ml.internal:50051" (every replica the name
     * resolves to), or "ipv4:10.0.0.1:50051,10.0.0.2:50051". */
    target: string;
    /** Sent as `authorization: Bearer <key>` on every call. */
    apiKey?: string;
    /** TLS; `true` trusts the system roots. Plaintext when omitted. */
    tls?: TlsOptions | boolean;
    /** Deadline of each call, in ms, unless the call names its own. Default 30000. */
    deadlineMs?: number;
    /** Retry policy; `false` turns retries off. */
    retry?: RetryOptions | false;
    /** "round_robin" (default) or "pick_first". */
    loadBalancing?: "round_robin" | "pick_first";
    /** HTTP/2 ping interval on the connection, in ms (the server refuses pings more
     * often than every 10 s). Default 30000. */
    keepaliveTimeMs?: number;
    /** Largest message sent or received, in bytes. Default 8 MiB (the server's default). */
    maxMessageBytes?: number;
    /** Extra grpc-js channel options; they win over the ones above. */
    channelOptions?: grpc.ChannelOptions;
}
export interface CallOptions {
    /** This call's deadline, in ms from now. */
    deadlineMs?: number;
    /** Extra metadata (headers) for this call. */
    metadata?: Record<string, string>;
    /** Wait for the connection instead of failing fast while it is down. */
    waitForReady?: boolean;
}
export type HealthStatus = "UNKNOWN" | "SERVING" | "NOT_SERVING" | "SERVICE_UNKNOWN";
export declare const SERVICE_NAMES: {
    readonly detection: "aurum.ml.v1.FaceDetection";
    readonly embedding: "aurum.ml.v1.FaceEmbedding";
    readonly processing: "aurum.ml.v1.ImageProcessing";
    readonly similarity: "aurum.ml.v1.Similarity";
    readonly faceStore: "aurum.ml.v1.FaceStore";
};
/** The service config: the balancing policy, and a retry policy for every aurum
 * service (health is not retried: it should report what it sees). */
export declare function serviceConfig(options: Pick<ClientOptions, "retry" | "loadBalancing">): object;
export declare function channelOptions(options: ClientOptions): grpc.ChannelOptions;
export interface AurumClient {
    detect(request: pb.DetectRequest, options?: CallOptions): Promise<pb.DetectResponse__Output>;
    detectBatch(request: pb.DetectBatchRequest, options?: CallOptions): Promise<pb.DetectBatchResponse__Output>;
    embed(request: pb.EmbedRequest, options?: CallOptions): Promise<pb.EmbedResponse__Output>;
    embedBatch(request: pb.EmbedBatchRequest, options?: CallOptions): Promise<pb.EmbedBatchResponse__Output>;
    process(request: pb.ProcessRequest, options?: CallOptions): Promise<pb.ProcessResponse__Output>;
    compare(request: pb.CompareRequest, options?: CallOptions): Promise<pb.CompareResponse__Output>;
    compareMany(request: pb.CompareManyRequest, options?: CallOptions): Promise<pb.CompareManyResponse__Output>;
    createGallery(request: pb.CreateGalleryRequest, options?: CallOptions): Promise<pb.Gallery__Output>;
    listGalleries(request?: pb.ListGalleriesRequest, options?: CallOptions): Promise<pb.ListGalleriesResponse__Output>;
    getGallery(request: pb.GetGalleryRequest, options?: CallOptions): Promise<pb.Gallery__Output>;
    deleteGallery(request: pb.DeleteGalleryRequest, options?: CallOptions): Promise<pb.DeleteGalleryResponse__Output>;
    enroll(request: pb.EnrollRequest, options?: CallOptions): Promise<pb.EnrollResponse__Output>;
    identify(request: pb.IdentifyRequest, options?: CallOptions): Promise<pb.IdentifyResponse__Output>;
    verify(request: pb.VerifyRequest, options?: CallOptions): Promise<pb.VerifyResponse__Output>;
    deleteSubject(request: pb.DeleteSubjectRequest, options?: CallOptions): Promise<pb.DeleteSubjectResponse__Output>;
    deleteFace(request: pb.DeleteFaceRequest, options?: CallOptions): Promise<pb.DeleteFaceResponse__Output>;
    listSubjects(request: pb.ListSubjectsRequest, options?: CallOptions): Promise<pb.ListSubjectsResponse__Output>;
    getSubject(request: pb.GetSubjectRequest, options?: CallOptions): Promise<pb.GetSubjectResponse__Output>;
    /** grpc.health.v1 Check: "" is the server as a whole, else a name from
     * SERVICE_NAMES. A service the server does not know is SERVICE_UNKNOWN. */
    health(service?: string, options?: CallOptions): Promise<HealthStatus>;
    /** The channel's current connectivity state (no network call). */
    readonly channel: grpc.Channel;
    /** Closes the channel; calls after this fail. */
    close(): void;
}
export declare function createClient(options: ClientOptions): AurumClient;
