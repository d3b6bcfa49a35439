// @aurum-ml/client: the aurum-ml gRPC services, typed and promise-based.
export {
  createClient,
  channelOptions,
  serviceConfig,
  SERVICE_NAMES,
  type AurumClient,
  type CallOptions,
  type ClientOptions,
  type HealthStatus,
  type RetryOptions,
  type TlsOptions,
} from "./client";
export { status, Metadata, type ServiceError } from "@grpc/grpc-js";
export type * from "../generated";
export * as legacy from "./legacy";
