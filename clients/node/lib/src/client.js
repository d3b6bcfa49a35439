"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.SERVICE_NAMES = void 0;
exports.serviceConfig = serviceConfig;
exports.channelOptions = channelOptions;
exports.createClient = createClient;
// A typed, promise-based client for every aurum-ml gRPC service. One channel
// is shared by all the services; every call carries a deadline and the API
// key; gRPC's own retry policy (service config) retries UNAVAILABLE and
// RESOURCE_EXHAUSTED with exponential backoff; round_robin spreads calls over
// every address the target resolves to.
const grpc = require("@grpc/grpc-js");
const protos_1 = require("./protos");
exports.SERVICE_NAMES = {
    detection: "aurum.ml.v1.FaceDetection",
    embedding: "aurum.ml.v1.FaceEmbedding",
    processing: "aurum.ml.v1.ImageProcessing",
    similarity: "aurum.ml.v1.Similarity",
    faceStore: "aurum.ml.v1.FaceStore",
};
const DEFAULT_RETRY = {
    maxAttempts: 4,
    initialBackoffMs: 200,
    maxBackoffMs: 2000,
    backoffMultiplier: 2,
    retryableStatusCodes: ["UNAVAILABLE", "RESOURCE_EXHAUSTED"],
};
const seconds = (ms) => `${(ms / 1000).toFixed(3)}s`;
/** The service config: the balancing policy, and a retry policy for every aurum
 * service (health is not retried: it should report what it sees). */
function serviceConfig(options) {
    const config = {
        loadBalancingConfig: [{ [options.loadBalancing ?? "round_robin"]: {} }],
    };
    if (options.retry !== false) {
        const r = { ...DEFAULT_RETRY, ...(options.retry ?? {}) };
        config.methodConfig = [
            {
                name: Object.values(exports.SERVICE_NAMES).map((service) => ({ service })),
                retryPolicy: {
                    maxAttempts: r.maxAttempts,
                    initialBackoff: seconds(r.initialBackoffMs),
                    maxBackoff: seconds(r.maxBackoffMs),
                    backoffMultiplier: r.backoffMultiplier,
                    retryableStatusCodes: r.retryableStatusCodes,
                },
            },
        ];
    }
    return config;
}
function channelOptions(options) {
    const maxMessage = options.maxMessageBytes ?? 8 * 1024 * 1024;
    return {
        "grpc.service_config": JSON.stringify(serviceConfig(options)),
        // Ours, not one a DNS TXT record could swap in.
        "grpc.service_config_disable_resolution": 1,
        "grpc.enable_retries": options.retry === false ? 0 : 1,
        // A call is only retried while all it sent is buffered: room for a whole image.
        "grpc.per_rpc_retry_buffer_size": maxMessage,
        "grpc.retry_buffer_size": 4 * maxMessage,
        "grpc.max_send_message_length": maxMessage,
        "grpc.max_receive_message_length": maxMessage,
        "grpc.keepalive_time_ms": options.keepaliveTimeMs ?? 30_000,
        "grpc.keepalive_timeout_ms": 10_000,
        "grpc.keepalive_permit_without_calls": 1,
        ...(options.channelOptions ?? {}),
    };
}
function credentialsFor(tls) {
    if (!tls) {
        return grpc.credentials.createInsecure();
    }
    const t = tls === true ? {} : tls;
    const buf = (v) => v === undefined ? null : Buffer.isBuffer(v) ? v : Buffer.from(v);
    return grpc.credentials.createSsl(buf(t.ca), buf(t.key), buf(t.cert));
}
function createClient(options) {
    if (!options || !options.target) {
        throw new Error("createClient: `target` is required, e.g. localhost:50051");
    }
    const services = (0, protos_1.loadServices)();
    const v1 = services.aurum.ml.v1;
    const credentials = credentialsFor(options.tls);
    const channel = new grpc.Channel(options.target, credentials, channelOptions(options));
    // Every stub rides the one channel.
    const stub = (Service) => new Service(options.target, credentials, { channelOverride: channel });
    const detection = stub(v1.FaceDetection);
    const embedding = stub(v1.FaceEmbedding);
    const processing = stub(v1.ImageProcessing);
    const similarity = stub(v1.Similarity);
    const faceStore = stub(v1.FaceStore);
    const health = stub(services.grpc.health.v1.Health);
    const defaultDeadline = options.deadlineMs ?? 30_000;
    function metadataFor(extra, waitForReady) {
        const metadata = new grpc.Metadata(waitForReady ? { waitForReady } : undefined);
        if (options.apiKey) {
            metadata.set("authorization", `Bearer ${options.apiKey}`);
        }
        for (const [key, value] of Object.entries(extra ?? {})) {
            metadata.set(key, value);
        }
        return metadata;
    }
    function unary(client, method) {
        return (request, call = {}) => new Promise((resolve, reject) => {
            const deadline = new Date(Date.now() + (call.deadlineMs ?? defaultDeadline));
            const metadata = metadataFor(call.metadata, call.waitForReady);
            method.call(client, request, metadata, { deadline }, (err, value) => err ? reject(err) : resolve(value));
        });
    }
    const checkHealth = unary(health, health.Check);
    return {
        detect: unary(detection, detection.Detect),
        detectBatch: unary(detection, detection.DetectBatch),
        embed: unary(embedding, embedding.Embed),
        embedBatch: unary(embedding, embedding.EmbedBatch),
        process: unary(processing, processing.Process),
        compare: unary(similarity, similarity.Compare),
        compareMany: unary(similarity, similarity.CompareMany),
        createGallery: unary(faceStore, faceStore.CreateGallery),
        listGalleries: (request = {}, call) => unary(faceStore, faceStore.ListGalleries)(request, call),
        getGallery: unary(faceStore, faceStore.GetGallery),
        deleteGallery: unary(faceStore, faceStore.DeleteGallery),
        enroll: unary(faceStore, faceStore.Enroll),
        identify: unary(faceStore, faceStore.Identify),
        verify: unary(faceStore, faceStore.Verify),
        deleteSubject: unary(faceStore, faceStore.DeleteSubject),
        deleteFace: unary(faceStore, faceStore.DeleteFace),
        listSubjects: unary(faceStore, faceStore.ListSubjects),
        getSubject: unary(faceStore, faceStore.GetSubject),
        async health(service = "", call) {
            try {
                return (await checkHealth({ service }, call)).status;
            }
            catch (err) {
                // The health service answers NOT_FOUND for a name it does not know.
                if (err.code === grpc.status.NOT_FOUND) {
                    return "SERVICE_UNKNOWN";
                }
                throw err;
            }
        },
        channel,
        close() {
            for (const c of [detection, embedding, processing, similarity, faceStore, health]) {
                c.close();
            }
            channel.close();
        },
    };
}
