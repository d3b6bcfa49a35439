import type * as grpc from '@grpc/grpc-js';
import type { MethodDefinition } from '@grpc/proto-loader';
import type { ListModelsRequest as _aurum_ml_v1_ListModelsRequest, ListModelsRequest__Output as _aurum_ml_v1_ListModelsRequest__Output } from '../../../aurum/ml/v1/ListModelsRequest';
import type { ListModelsResponse as _aurum_ml_v1_ListModelsResponse, ListModelsResponse__Output as _aurum_ml_v1_ListModelsResponse__Output } from '../../../aurum/ml/v1/ListModelsResponse';
import type { LoadModelRequest as _aurum_ml_v1_LoadModelRequest, LoadModelRequest__Output as _aurum_ml_v1_LoadModelRequest__Output } from '../../../aurum/ml/v1/LoadModelRequest';
import type { ModelVersion as _aurum_ml_v1_ModelVersion, ModelVersion__Output as _aurum_ml_v1_ModelVersion__Output } from '../../../aurum/ml/v1/ModelVersion';
import type { SetDefaultModelRequest as _aurum_ml_v1_SetDefaultModelRequest, SetDefaultModelRequest__Output as _aurum_ml_v1_SetDefaultModelRequest__Output } from '../../../aurum/ml/v1/SetDefaultModelRequest';
import type { SetTrafficSplitRequest as _aurum_ml_v1_SetTrafficSplitRequest, SetTrafficSplitRequest__Output as _aurum_ml_v1_SetTrafficSplitRequest__Output } from '../../../aurum/ml/v1/SetTrafficSplitRequest';
import type { TrafficSplit as _aurum_ml_v1_TrafficSplit, TrafficSplit__Output as _aurum_ml_v1_TrafficSplit__Output } from '../../../aurum/ml/v1/TrafficSplit';
import type { UnloadModelRequest as _aurum_ml_v1_UnloadModelRequest, UnloadModelRequest__Output as _aurum_ml_v1_UnloadModelRequest__Output } from '../../../aurum/ml/v1/UnloadModelRequest';
export interface ModelManagementClient extends grpc.Client {
    ListModels(argument: _aurum_ml_v1_ListModelsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_aurum_ml_v1_ListModelsResponse__Output>): grpc.ClientUnaryCall;
    ListModels(argument: _aurum_ml_v1_ListModelsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_aurum_ml_v1_ListModelsResponse__Output>): grpc.ClientUnaryCall;
    ListModels(argument: _aurum_ml_v1_ListModelsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_aurum_ml_v1_ListModelsResponse__Output>): grpc.ClientUnaryCall;
    ListModels(argument: _aurum_ml_v1_ListModelsRequest, callback: grpc.requestCallback<_aurum_ml_v1_ListModelsResponse__Output>): grpc.ClientUnaryCall;
    listModels(argument: _aurum_ml_v1_ListModelsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_aurum_ml_v1_ListModelsResponse__Output>): grpc.ClientUnaryCall;
    listModels(argument: _aurum_ml_v1_ListModelsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_aurum_ml_v1_ListModelsResponse__Output>): grpc.ClientUnaryCall;
    listModels(argument: _aurum_ml_v1_ListModelsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_aurum_ml_v1_ListModelsResponse__Output>): grpc.ClientUnaryCall;
    listModels(argument: _aurum_ml_v1_ListModelsRequest, callback: grpc.requestCallback<_aurum_ml_v1_ListModelsResponse__Output>): grpc.ClientUnaryCall;
    LoadModel(argument: _aurum_ml_v1_LoadModelRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_aurum_ml_v1_ModelVersion__Output>): grpc.ClientUnaryCall;
    LoadModel(argument: _aurum_ml_v1_LoadModelRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_aurum_ml_v1_ModelVersion__Output>): grpc.ClientUnaryCall;
    LoadModel(argument: _aurum_ml_v1_LoadModelRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_aurum_ml_v1_ModelVersion__Output>): grpc.ClientUnaryCall;
    LoadModel(argument: _aurum_ml_v1_LoadModelRequest, callback: grpc.requestCallback<_aurum_ml_v1_ModelVersion__Output>): grpc.ClientUnaryCall;
    loadModel(argument: _aurum_ml_v1_LoadModelRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_aurum_ml_v1_ModelVersion__Output>): grpc.ClientUnaryCall;
    loadModel(argument: _aurum_ml_v1_LoadModelRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_aurum_ml_v1_ModelVersion__Output>): grpc.ClientUnaryCall;
    loadModel(argument: _aurum_ml_v1_LoadModelRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_aurum_ml_v1_ModelVersion__Output>): grpc.ClientUnaryCall;
    loadModel(argument: _aurum_ml_v1_LoadModelRequest, callback: grpc.requestCallback<_aurum_ml_v1_ModelVersion__Output>): grpc.ClientUnaryCall;
    SetDefaultModel(argument: _aurum_ml_v1_SetDefaultModelRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_aurum_ml_v1_ModelVersion__Output>): grpc.ClientUnaryCall;
    SetDefaultModel(argument: _aurum_ml_v1_SetDefaultModelRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_aurum_ml_v1_ModelVersion__Output>): grpc.ClientUnaryCall;
    SetDefaultModel(argument: _aurum_ml_v1_SetDefaultModelRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_aurum_ml_v1_ModelVersion__Output>): grpc.ClientUnaryCall;
    SetDefaultModel(argument: _aurum_ml_v1_SetDefaultModelRequest, callback: grpc.requestCallback<_aurum_ml_v1_ModelVersion__Output>): grpc.ClientUnaryCall;
    setDefaultModel(argument: _aurum_ml_v1_SetDefaultModelRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_aurum_ml_v1_ModelVersion__Output>): grpc.ClientUnaryCall;
    setDefaultModel(argument: _aurum_ml_v1_SetDefaultModelRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_aurum_ml_v1_ModelVersion__Output>): grpc.ClientUnaryCall;
    setDefaultModel(argument: _aurum_ml_v1_SetDefaultModelRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_aurum_ml_v1_ModelVersion__Output>): grpc.ClientUnaryCall;
    setDefaultModel(argument: _aurum_ml_v1_SetDefaultModelRequest, callback: grpc.requestCallback<_aurum_ml_v1_ModelVersion__Output>): grpc.ClientUnaryCall;
    SetTrafficSplit(argument: _aurum_ml_v1_SetTrafficSplitRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_aurum_ml_v1_TrafficSplit__Output>): grpc.ClientUnaryCall;
    SetTrafficSplit(argument: _aurum_ml_v1_SetTrafficSplitRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_aurum_ml_v1_TrafficSplit__Output>): grpc.ClientUnaryCall;
    SetTrafficSplit(argument: _aurum_ml_v1_SetTrafficSplitRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_aurum_ml_v1_TrafficSplit__Output>): grpc.ClientUnaryCall;
    SetTrafficSplit(argument: _aurum_ml_v1_SetTrafficSplitRequest, callback: grpc.requestCallback<_aurum_ml_v1_TrafficSplit__Output>): grpc.ClientUnaryCall;
    setTrafficSplit(argument: _aurum_ml_v1_SetTrafficSplitRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_aurum_ml_v1_TrafficSplit__Output>): grpc.ClientUnaryCall;
    setTrafficSplit(argument: _aurum_ml_v1_SetTrafficSplitRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_aurum_ml_v1_TrafficSplit__Output>): grpc.ClientUnaryCall;
    setTrafficSplit(argument: _aurum_ml_v1_SetTrafficSplitRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_aurum_ml_v1_TrafficSplit__Output>): grpc.ClientUnaryCall;
    setTrafficSplit(argument: _aurum_ml_v1_SetTrafficSplitRequest, callback: grpc.requestCallback<_aurum_ml_v1_TrafficSplit__Output>): grpc.ClientUnaryCall;
    UnloadModel(argument: _aurum_ml_v1_UnloadModelRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_aurum_ml_v1_ModelVersion__Output>): grpc.ClientUnaryCall;
    UnloadModel(argument: _aurum_ml_v1_UnloadModelRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_aurum_ml_v1_ModelVersion__Output>): grpc.ClientUnaryCall;
    UnloadModel(argument: _aurum_ml_v1_UnloadModelRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_aurum_ml_v1_ModelVersion__Output>): grpc.ClientUnaryCall;
    UnloadModel(argument: _aurum_ml_v1_UnloadModelRequest, callback: grpc.requestCallback<_aurum_ml_v1_ModelVersion__Output>): grpc.ClientUnaryCall;
    unloadModel(argument: _aurum_ml_v1_UnloadModelRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_aurum_ml_v1_ModelVersion__Output>): grpc.ClientUnaryCall;
    unloadModel(argument: _aurum_ml_v1_UnloadModelRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_aurum_ml_v1_ModelVersion__Output>): grpc.ClientUnaryCall;
    unloadModel(argument: _aurum_ml_v1_UnloadModelRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_aurum_ml_v1_ModelVersion__Output>): grpc.ClientUnaryCall;
    unloadModel(argument: _aurum_ml_v1_UnloadModelRequest, callback: grpc.requestCallback<_aurum_ml_v1_ModelVersion__Output>): grpc.ClientUnaryCall;
}
export interface ModelManagementHandlers extends grpc.UntypedServiceImplementation {
    ListModels: grpc.handleUnaryCall<_aurum_ml_v1_ListModelsRequest__Output, _aurum_ml_v1_ListModelsResponse>;
    LoadModel: grpc.handleUnaryCall<_aurum_ml_v1_LoadModelRequest__Output, _aurum_ml_v1_ModelVersion>;
    SetDefaultModel: grpc.handleUnaryCall<_aurum_ml_v1_SetDefaultModelRequest__Output, _aurum_ml_v1_ModelVersion>;
    SetTrafficSplit: grpc.handleUnaryCall<_aurum_ml_v1_SetTrafficSplitRequest__Output, _aurum_ml_v1_TrafficSplit>;
    UnloadModel: grpc.handleUnaryCall<_aurum_ml_v1_UnloadModelRequest__Output, _aurum_ml_v1_ModelVersion>;
}
export interface ModelManagementDefinition extends grpc.ServiceDefinition {
    ListModels: MethodDefinition<_aurum_ml_v1_ListModelsRequest, _aurum_ml_v1_ListModelsResponse, _aurum_ml_v1_ListModelsRequest__Output, _aurum_ml_v1_ListModelsResponse__Output>;
    LoadModel: MethodDefinition<_aurum_ml_v1_LoadModelRequest, _aurum_ml_v1_ModelVersion, _aurum_ml_v1_LoadModelRequest__Output, _aurum_ml_v1_ModelVersion__Output>;
    SetDefaultModel: MethodDefinition<_aurum_ml_v1_SetDefaultModelRequest, _aurum_ml_v1_ModelVersion, _aurum_ml_v1_SetDefaultModelRequest__Output, _aurum_ml_v1_ModelVersion__Output>;
    SetTrafficSplit: MethodDefinition<_aurum_ml_v1_SetTrafficSplitRequest, _aurum_ml_v1_TrafficSplit, _aurum_ml_v1_SetTrafficSplitRequest__Output, _aurum_ml_v1_TrafficSplit__Output>;
    UnloadModel: MethodDefinition<_aurum_ml_v1_UnloadModelRequest, _aurum_ml_v1_ModelVersion, _aurum_ml_v1_UnloadModelRequest__Output, _aurum_ml_v1_ModelVersion__Output>;
}
