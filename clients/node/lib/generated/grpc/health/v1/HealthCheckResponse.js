"use strict";
// Original file: clients/node/health.proto
Object.defineProperty(exports, "__esModule", { value: true });
exports._grpc_health_v1_HealthCheckResponse_ServingStatus = void 0;
// Original file: clients/node/health.proto
exports._grpc_health_v1_HealthCheckResponse_ServingStatus = {
    UNKNOWN: 'UNKNOWN',
    SERVING: 'SERVING',
    NOT_SERVING: 'NOT_SERVING',
    SERVICE_UNKNOWN: 'SERVICE_UNKNOWN',
};
