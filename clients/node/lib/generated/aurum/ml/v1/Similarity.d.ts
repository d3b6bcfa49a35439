import type * as grpc from '@grpc/grpc-js';
import type { MethodDefinition } from '@grpc/proto-loader';
import type { CompareManyRequest as _aurum_ml_v1_CompareManyRequest, CompareManyRequest__Output as _aurum_ml_v1_CompareManyRequest__Output } from '../../../aurum/ml/v1/CompareManyRequest';
import type { CompareManyResponse as _aurum_ml_v1_CompareManyResponse, CompareManyResponse__Output as _aurum_ml_v1_CompareManyResponse__Output } from '../../../aurum/ml/v1/CompareManyResponse';
import type { CompareRequest as _aurum_ml_v1_CompareRequest, CompareRequest__Output as _aurum_ml_v1_CompareRequest__Output } from '../../../aurum/ml/v1/CompareRequest';
import type { CompareResponse as _aurum_ml_v1_CompareResponse, CompareResponse__Output as _aurum_ml_v1_CompareResponse__Output } from '../../../aurum/ml/v1/CompareResponse';
export interface SimilarityClient extends grpc.Client {
    Compare(argument: _aurum_ml_v1_CompareRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_aurum_ml_v1_CompareResponse__Output>): grpc.ClientUnaryCall;
    Compare(argument: _aurum_ml_v1_CompareRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_aurum_ml_v1_CompareResponse__Output>): grpc.ClientUnaryCall;
    Compare(argument: _aurum_ml_v1_CompareRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_aurum_ml_v1_CompareResponse__Output>): grpc.ClientUnaryCall;
    Compare(argument: _aurum_ml_v1_CompareRequest, callback: grpc.requestCallback<_aurum_ml_v1_CompareResponse__Output>): grpc.ClientUnaryCall;
    compare(argument: _aurum_ml_v1_CompareRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_aurum_ml_v1_CompareResponse__Output>): grpc.ClientUnaryCall;
    compare(argument: _aurum_ml_v1_CompareRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_aurum_ml_v1_CompareResponse__Output>): grpc.ClientUnaryCall;
    compare(argument: _aurum_ml_v1_CompareRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_aurum_ml_v1_CompareResponse__Output>): grpc.ClientUnaryCall;
    compare(argument: _aurum_ml_v1_CompareRequest, callback: grpc.requestCallback<_aurum_ml_v1_CompareResponse__Output>): grpc.ClientUnaryCall;
    CompareMany(argument: _aurum_ml_v1_CompareManyRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_aurum_ml_v1_CompareManyResponse__Output>): grpc.ClientUnaryCall;
    CompareMany(argument: _aurum_ml_v1_CompareManyRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_aurum_ml_v1_CompareManyResponse__Output>): grpc.ClientUnaryCall;
    CompareMany(argument: _aurum_ml_v1_CompareManyRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_aurum_ml_v1_CompareManyResponse__Output>): grpc.ClientUnaryCall;
    CompareMany(argument: _aurum_ml_v1_CompareManyRequest, callback: grpc.requestCallback<_aurum_ml_v1_CompareManyResponse__Output>): grpc.ClientUnaryCall;
    compareMany(argument: _aurum_ml_v1_CompareManyRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_aurum_ml_v1_CompareManyResponse__Output>): grpc.ClientUnaryCall;
    compareMany(argument: _aurum_ml_v1_CompareManyRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_aurum_ml_v1_CompareManyResponse__Output>): grpc.ClientUnaryCall;
    compareMany(argument: _aurum_ml_v1_CompareManyRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_aurum_ml_v1_CompareManyResponse__Output>): grpc.ClientUnaryCall;
    compareMany(argument: _aurum_ml_v1_CompareManyRequest, callback: grpc.requestCallback<_aurum_ml_v1_CompareManyResponse__Output>): grpc.ClientUnaryCall;
}
export interface SimilarityHandlers extends grpc.UntypedServiceImplementation {
    Compare: grpc.handleUnaryCall<_aurum_ml_v1_CompareRequest__Output, _aurum_ml_v1_CompareResponse>;
    CompareMany: grpc.handleUnaryCall<_aurum_ml_v1_CompareManyRequest__Output, _aurum_ml_v1_CompareManyResponse>;
}
export interface SimilarityDefinition extends grpc.ServiceDefinition {
    Compare: MethodDefinition<_aurum_ml_v1_CompareRequest, _aurum_ml_v1_CompareResponse, _aurum_ml_v1_CompareRequest__Output, _aurum_ml_v1_CompareResponse__Output>;
    CompareMany: MethodDefinition<_aurum_ml_v1_CompareManyRequest, _aurum_ml_v1_CompareManyResponse, _aurum_ml_v1_CompareManyRequest__Output, _aurum_ml_v1_CompareManyResponse__Output>;
}
