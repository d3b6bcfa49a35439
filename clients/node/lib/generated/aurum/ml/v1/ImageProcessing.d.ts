import type * as grpc from '@grpc/grpc-js';
import type { MethodDefinition } from '@grpc/proto-loader';
import type { ProcessRequest as _aurum_ml_v1_ProcessRequest, ProcessRequest__Output as _aurum_ml_v1_ProcessRequest__Output } from '../../../aurum/ml/v1/ProcessRequest';
import type { ProcessResponse as _aurum_ml_v1_ProcessResponse, ProcessResponse__Output as _aurum_ml_v1_ProcessResponse__Output } from '../../../aurum/ml/v1/ProcessResponse';
export interface ImageProcessingClient extends grpc.Client {
    Process(argument: _aurum_ml_v1_ProcessRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_aurum_ml_v1_ProcessResponse__Output>): grpc.ClientUnaryCall;
    Process(argument: _aurum_ml_v1_ProcessRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_aurum_ml_v1_ProcessResponse__Output>): grpc.ClientUnaryCall;
    Process(argument: _aurum_ml_v1_ProcessRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_aurum_ml_v1_ProcessResponse__Output>): grpc.ClientUnaryCall;
    Process(argument: _aurum_ml_v1_ProcessRequest, callback: grpc.requestCallback<_aurum_ml_v1_ProcessResponse__Output>): grpc.ClientUnaryCall;
    process(argument: _aurum_ml_v1_ProcessRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_aurum_ml_v1_ProcessResponse__Output>): grpc.ClientUnaryCall;
    process(argument: _aurum_ml_v1_ProcessRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_aurum_ml_v1_ProcessResponse__Output>): grpc.ClientUnaryCall;
    process(argument: _aurum_ml_v1_ProcessRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_aurum_ml_v1_ProcessResponse__Output>): grpc.ClientUnaryCall;
    process(argument: _aurum_ml_v1_ProcessRequest, callback: grpc.requestCallback<_aurum_ml_v1_ProcessResponse__Output>): grpc.ClientUnaryCall;
}
export interface ImageProcessingHandlers extends grpc.UntypedServiceImplementation {
    Process: grpc.handleUnaryCall<_aurum_ml_v1_ProcessRequest__Output, _aurum_ml_v1_ProcessResponse>;
}
export interface ImageProcessingDefinition extends grpc.ServiceDefinition {
    Process: MethodDefinition<_aurum_ml_v1_ProcessRequest, _aurum_ml_v1_ProcessResponse, _aurum_ml_v1_ProcessRequest__Output, _aurum_ml_v1_ProcessResponse__Output>;
}
