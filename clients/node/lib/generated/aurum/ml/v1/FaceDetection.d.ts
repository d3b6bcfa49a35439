import type * as grpc from '@grpc/grpc-js';
import type { MethodDefinition } from '@grpc/proto-loader';
import type { DetectBatchRequest as _aurum_ml_v1_DetectBatchRequest, DetectBatchRequest__Output as _aurum_ml_v1_DetectBatchRequest__Output } from '../../../aurum/ml/v1/DetectBatchRequest';
import type { DetectBatchResponse as _aurum_ml_v1_DetectBatchResponse, DetectBatchResponse__Output as _aurum_ml_v1_DetectBatchResponse__Output } from '../../../aurum/ml/v1/DetectBatchResponse';
import type { DetectRequest as _aurum_ml_v1_DetectRequest, DetectRequest__Output as _aurum_ml_v1_DetectRequest__Output } from '../../../aurum/ml/v1/DetectRequest';
import type { DetectResponse as _aurum_ml_v1_DetectResponse, DetectResponse__Output as _aurum_ml_v1_DetectResponse__Output } from '../../../aurum/ml/v1/DetectResponse';
export interface FaceDetectionClient extends grpc.Client {
    Detect(argument: _aurum_ml_v1_DetectRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_aurum_ml_v1_DetectResponse__Output>): grpc.ClientUnaryCall;
    Detect(argument: _aurum_ml_v1_DetectRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_aurum_ml_v1_DetectResponse__Output>): grpc.ClientUnaryCall;
    Detect(argument: _aurum_ml_v1_DetectRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_aurum_ml_v1_DetectResponse__Output>): grpc.ClientUnaryCall;
    Detect(argument: _aurum_ml_v1_DetectRequest, callback: grpc.requestCallback<_aurum_ml_v1_DetectResponse__Output>): grpc.ClientUnaryCall;
    detect(argument: _aurum_ml_v1_DetectRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_aurum_ml_v1_DetectResponse__Output>): grpc.ClientUnaryCall;
    detect(argument: _aurum_ml_v1_DetectRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_aurum_ml_v1_DetectResponse__Output>): grpc.ClientUnaryCall;
    detect(argument: _aurum_ml_v1_DetectRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_aurum_ml_v1_DetectResponse__Output>): grpc.ClientUnaryCall;
    detect(argument: _aurum_ml_v1_DetectRequest, callback: grpc.requestCallback<_aurum_ml_v1_DetectResponse__Output>): grpc.ClientUnaryCall;
    DetectBatch(argument: _aurum_ml_v1_DetectBatchRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_aurum_ml_v1_DetectBatchResponse__Output>): grpc.ClientUnaryCall;
    DetectBatch(argument: _aurum_ml_v1_DetectBatchRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_aurum_ml_v1_DetectBatchResponse__Output>): grpc.ClientUnaryCall;
    DetectBatch(argument: _aurum_ml_v1_DetectBatchRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_aurum_ml_v1_DetectBatchResponse__Output>): grpc.ClientUnaryCall;
    DetectBatch(argument: _aurum_ml_v1_DetectBatchRequest, callback: grpc.requestCallback<_aurum_ml_v1_DetectBatchResponse__Output>): grpc.ClientUnaryCall;
    detectBatch(argument: _aurum_ml_v1_DetectBatchRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_aurum_ml_v1_DetectBatchResponse__Output>): grpc.ClientUnaryCall;
    detectBatch(argument: _aurum_ml_v1_DetectBatchRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_aurum_ml_v1_DetectBatchResponse__Output>): grpc.ClientUnaryCall;
    detectBatch(argument: _aurum_ml_v1_DetectBatchRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_aurum_ml_v1_DetectBatchResponse__Output>): grpc.ClientUnaryCall;
    detectBatch(argument: _aurum_ml_v1_DetectBatchRequest, callback: grpc.requestCallback<_aurum_ml_v1_DetectBatchResponse__Output>): grpc.ClientUnaryCall;
}
export interface FaceDetectionHandlers extends grpc.UntypedServiceImplementation {
    Detect: grpc.handleUnaryCall<_aurum_ml_v1_DetectRequest__Output, _aurum_ml_v1_DetectResponse>;
    DetectBatch: grpc.handleUnaryCall<_aurum_ml_v1_DetectBatchRequest__Output, _aurum_ml_v1_DetectBatchResponse>;
}
export interface FaceDetectionDefinition extends grpc.ServiceDefinition {
    Detect: MethodDefinition<_aurum_ml_v1_DetectRequest, _aurum_ml_v1_DetectResponse, _aurum_ml_v1_DetectRequest__Output, _aurum_ml_v1_DetectResponse__Output>;
    DetectBatch: MethodDefinition<_aurum_ml_v1_DetectBatchRequest, _aurum_ml_v1_DetectBatchResponse, _aurum_ml_v1_DetectBatchRequest__Output, _aurum_ml_v1_DetectBatchResponse__Output>;
}
