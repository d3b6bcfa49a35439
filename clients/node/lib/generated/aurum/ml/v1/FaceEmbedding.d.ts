import type * as grpc from '@grpc/grpc-js';
import type { MethodDefinition } from '@grpc/proto-loader';
import type { EmbedBatchRequest as _aurum_ml_v1_EmbedBatchRequest, EmbedBatchRequest__Output as _aurum_ml_v1_EmbedBatchRequest__Output } from '../../../aurum/ml/v1/EmbedBatchRequest';
import type { EmbedBatchResponse as _aurum_ml_v1_EmbedBatchResponse, EmbedBatchResponse__Output as _aurum_ml_v1_EmbedBatchResponse__Output } from '../../../aurum/ml/v1/EmbedBatchResponse';
import type { EmbedRequest as _aurum_ml_v1_EmbedRequest, EmbedRequest__Output as _aurum_ml_v1_EmbedRequest__Output } from '../../../aurum/ml/v1/EmbedRequest';
import type { EmbedResponse as _aurum_ml_v1_EmbedResponse, EmbedResponse__Output as _aurum_ml_v1_EmbedResponse__Output } from '../../../aurum/ml/v1/EmbedResponse';
export interface FaceEmbeddingClient extends grpc.Client {
    Embed(argument: _aurum_ml_v1_EmbedRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_aurum_ml_v1_EmbedResponse__Output>): grpc.ClientUnaryCall;
    Embed(argument: _aurum_ml_v1_EmbedRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_aurum_ml_v1_EmbedResponse__Output>): grpc.ClientUnaryCall;
    Embed(argument: _aurum_ml_v1_EmbedRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_aurum_ml_v1_EmbedResponse__Output>): grpc.ClientUnaryCall;
    Embed(argument: _aurum_ml_v1_EmbedRequest, callback: grpc.requestCallback<_aurum_ml_v1_EmbedResponse__Output>): grpc.ClientUnaryCall;
    embed(argument: _aurum_ml_v1_EmbedRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_aurum_ml_v1_EmbedResponse__Output>): grpc.ClientUnaryCall;
    embed(argument: _aurum_ml_v1_EmbedRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_aurum_ml_v1_EmbedResponse__Output>): grpc.ClientUnaryCall;
    embed(argument: _aurum_ml_v1_EmbedRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_aurum_ml_v1_EmbedResponse__Output>): grpc.ClientUnaryCall;
    embed(argument: _aurum_ml_v1_EmbedRequest, callback: grpc.requestCallback<_aurum_ml_v1_EmbedResponse__Output>): grpc.ClientUnaryCall;
    EmbedBatch(argument: _aurum_ml_v1_EmbedBatchRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_aurum_ml_v1_EmbedBatchResponse__Output>): grpc.ClientUnaryCall;
    EmbedBatch(argument: _aurum_ml_v1_EmbedBatchRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_aurum_ml_v1_EmbedBatchResponse__Output>): grpc.ClientUnaryCall;
    EmbedBatch(argument: _aurum_ml_v1_EmbedBatchRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_aurum_ml_v1_EmbedBatchResponse__Output>): grpc.ClientUnaryCall;
    EmbedBatch(argument: _aurum_ml_v1_EmbedBatchRequest, callback: grpc.requestCallback<_aurum_ml_v1_EmbedBatchResponse__Output>): grpc.ClientUnaryCall;
    embedBatch(argument: _aurum_ml_v1_EmbedBatchRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_aurum_ml_v1_EmbedBatchResponse__Output>): grpc.ClientUnaryCall;
    embedBatch(argument: _aurum_ml_v1_EmbedBatchRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_aurum_ml_v1_EmbedBatchResponse__Output>): grpc.ClientUnaryCall;
    embedBatch(argument: _aurum_ml_v1_EmbedBatchRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_aurum_ml_v1_EmbedBatchResponse__Output>): grpc.ClientUnaryCall;
    embedBatch(argument: _aurum_ml_v1_EmbedBatchRequest, callback: grpc.requestCallback<_aurum_ml_v1_EmbedBatchResponse__Output>): grpc.ClientUnaryCall;
}
export interface FaceEmbeddingHandlers extends grpc.UntypedServiceImplementation {
    Embed: grpc.handleUnaryCall<_aurum_ml_v1_EmbedRequest__Output, _aurum_ml_v1_EmbedResponse>;
    EmbedBatch: grpc.handleUnaryCall<_aurum_ml_v1_EmbedBatchRequest__Output, _aurum_ml_v1_EmbedBatchResponse>;
}
export interface FaceEmbeddingDefinition extends grpc.ServiceDefinition {
    Embed: MethodDefinition<_aurum_ml_v1_EmbedRequest, _aurum_ml_v1_EmbedResponse, _aurum_ml_v1_EmbedRequest__Output, _aurum_ml_v1_EmbedResponse__Output>;
    EmbedBatch: MethodDefinition<_aurum_ml_v1_EmbedBatchRequest, _aurum_ml_v1_EmbedBatchResponse, _aurum_ml_v1_EmbedBatchRequest__Output, _aurum_ml_v1_EmbedBatchResponse__Output>;
}
