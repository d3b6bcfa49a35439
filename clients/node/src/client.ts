// A typed, promise-based client for every aurum-ml gRPC service. One channel
// is shared by all the services; every call carries a deadline and the API
// key; gRPC's own retry policy (service config) retries UNAVAILABLE and
// RESOURCE_EXHAUSTED with exponential backoff; round_robin spreads calls over
// every address the target resolves to.
import * as grpc from "@grpc/grpc-js";

import { loadServices } from "./protos";
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

export const SERVICE_NAMES = {
  detection: "aurum.ml.v1.FaceDetection",
  embedding: "aurum.ml.v1.FaceEmbedding",
  processing: "aurum.ml.v1.ImageProcessing",
  similarity: "aurum.ml.v1.Similarity",
  faceStore: "aurum.ml.v1.FaceStore",
} as const;

const DEFAULT_RETRY: Required<RetryOptions> = {
  maxAttempts: 4,
  initialBackoffMs: 200,
  maxBackoffMs: 2000,
  backoffMultiplier: 2,
  retryableStatusCodes: ["UNAVAILABLE", "RESOURCE_EXHAUSTED"],
};

const seconds = (ms: number): string => `${(ms / 1000).toFixed(3)}s`;

/** The service config: the balancing policy, and a retry policy for every aurum
 * service (health is not retried: it should report what it sees). */
export function serviceConfig(options: Pick<ClientOptions, "retry" | "loadBalancing">): object {
  const config: Record<string, unknown> = {
    loadBalancingConfig: [{ [options.loadBalancing ?? "round_robin"]: {} }],
  };
  if (options.retry !== false) {
    const r = { ...DEFAULT_RETRY, ...(options.retry ?? {}) };
    config.methodConfig = [
      {
        name: Object.values(SERVICE_NAMES).map((service) => ({ service })),
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

export function channelOptions(options: ClientOptions): grpc.ChannelOptions {
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

function credentialsFor(tls: ClientOptions["tls"]): grpc.ChannelCredentials {
  if (!tls) {
    return grpc.credentials.createInsecure();
  }
  const t = tls === true ? {} : tls;
  const buf = (v: Buffer | string | undefined): Buffer | null =>
    v === undefined ? null : Buffer.isBuffer(v) ? v : Buffer.from(v);
  return grpc.credentials.createSsl(buf(t.ca), buf(t.key), buf(t.cert));
}

type Callback<R> = (err: grpc.ServiceError | null, value?: R) => void;
type UnaryMethod<Req, Res> = (
  request: Req,
  metadata: grpc.Metadata,
  options: grpc.CallOptions,
  callback: Callback<Res>,
) => grpc.ClientUnaryCall;

export interface AurumClient {
  // FaceDetection
  detect(request: pb.DetectRequest, options?: CallOptions): Promise<pb.DetectResponse__Output>;
  detectBatch(request: pb.DetectBatchRequest, options?: CallOptions): Promise<pb.DetectBatchResponse__Output>;
  // FaceEmbedding
  embed(request: pb.EmbedRequest, options?: CallOptions): Promise<pb.EmbedResponse__Output>;
  embedBatch(request: pb.EmbedBatchRequest, options?: CallOptions): Promise<pb.EmbedBatchResponse__Output>;
  // ImageProcessing
  process(request: pb.ProcessRequest, options?: CallOptions): Promise<pb.ProcessResponse__Output>;
  // Similarity
  compare(request: pb.CompareRequest, options?: CallOptions): Promise<pb.CompareResponse__Output>;
  compareMany(request: pb.CompareManyRequest, options?: CallOptions): Promise<pb.CompareManyResponse__Output>;
  // FaceStore
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

export function createClient(options: ClientOptions): AurumClient {
  if (!options || !options.target) {
    throw new Error("createClient: `target` is required, e.g. localhost:50051");
  }
  const services = loadServices();
  const v1 = services.aurum.ml.v1;
  const credentials = credentialsFor(options.tls);
  const channel = new grpc.Channel(options.target, credentials, channelOptions(options));
  // Every stub rides the one channel.
  const stub = <T>(Service: new (address: string, creds: grpc.ChannelCredentials, opts?: grpc.ClientOptions) => T): T =>
    new Service(options.target, credentials, { channelOverride: channel });
  const detection = stub(v1.FaceDetection);
  const embedding = stub(v1.FaceEmbedding);
  const processing = stub(v1.ImageProcessing);
  const similarity = stub(v1.Similarity);
  const faceStore = stub(v1.FaceStore);
  const health = stub(services.grpc.health.v1.Health);
  const defaultDeadline = options.deadlineMs ?? 30_000;

  function metadataFor(extra?: Record<string, string>, waitForReady?: boolean): grpc.Metadata {
    const metadata = new grpc.Metadata(waitForReady ? { waitForReady } : undefined);
    if (options.apiKey) {
      metadata.set("authorization", `Bearer ${options.apiKey}`);
    }
    for (const [key, value] of Object.entries(extra ?? {})) {
      metadata.set(key, value);
    }
    return metadata;
  }

  function unary<Req, Res>(client: object, method: UnaryMethod<Req, Res>) {
    return (request: Req, call: CallOptions = {}): Promise<Res> =>
      new Promise<Res>((resolve, reject) => {
        const deadline = new Date(Date.now() + (call.deadlineMs ?? defaultDeadline));
        const metadata = metadataFor(call.metadata, call.waitForReady);
        method.call(client, request, metadata, { deadline }, (err, value) =>
          err ? reject(err) : resolve(value as Res),
        );
      });
  }

  const checkHealth = unary<pb.HealthCheckRequest, pb.HealthCheckResponse__Output>(health, health.Check);

  return {
    detect: unary(detection, detection.Detect),
    detectBatch: unary(detection, detection.DetectBatch),
    embed: unary(embedding, embedding.Embed),
    embedBatch: unary(embedding, embedding.EmbedBatch),
    process: unary(processing, processing.Process),
    compare: unary(similarity, similarity.Compare),
    compareMany: unary(similarity, similarity.CompareMany),
    createGallery: unary(faceStore, faceStore.CreateGallery),
    listGalleries: (request = {}, call) =>
      unary<pb.ListGalleriesRequest, pb.ListGalleriesResponse__Output>(faceStore, faceStore.ListGalleries)(
        request,
        call,
      ),
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
      } catch (err) {
        // The health service answers NOT_FOUND for a name it does not know.
        if ((err as grpc.ServiceError).code === grpc.status.NOT_FOUND) {
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
