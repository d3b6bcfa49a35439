// Original file: protos/aurum/ml/v1/models.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { CancelGalleryMigrationRequest as _aurum_ml_v1_CancelGalleryMigrationRequest, CancelGalleryMigrationRequest__Output as _aurum_ml_v1_CancelGalleryMigrationRequest__Output } from '../../../aurum/ml/v1/CancelGalleryMigrationRequest';
import type { GalleryMigration as _aurum_ml_v1_GalleryMigration, GalleryMigration__Output as _aurum_ml_v1_GalleryMigration__Output } from '../../../aurum/ml/v1/GalleryMigration';
import type { GetGalleryMigrationRequest as _aurum_ml_v1_GetGalleryMigrationRequest, GetGalleryMigrationRequest__Output as _aurum_ml_v1_GetGalleryMigrationRequest__Output } from '../../../aurum/ml/v1/GetGalleryMigrationRequest';
import type { ListGalleryMigrationsRequest as _aurum_ml_v1_ListGalleryMigrationsRequest, ListGalleryMigrationsRequest__Output as _aurum_ml_v1_ListGalleryMigrationsRequest__Output } from '../../../aurum/ml/v1/ListGalleryMigrationsRequest';
import type { ListGalleryMigrationsResponse as _aurum_ml_v1_ListGalleryMigrationsResponse, ListGalleryMigrationsResponse__Output as _aurum_ml_v1_ListGalleryMigrationsResponse__Output } from '../../../aurum/ml/v1/ListGalleryMigrationsResponse';
import type { ListModelsRequest as _aurum_ml_v1_ListModelsRequest, ListModelsRequest__Output as _aurum_ml_v1_ListModelsRequest__Output } from '../../../aurum/ml/v1/ListModelsRequest';
import type { ListModelsResponse as _aurum_ml_v1_ListModelsResponse, ListModelsResponse__Output as _aurum_ml_v1_ListModelsResponse__Output } from '../../../aurum/ml/v1/ListModelsResponse';
import type { LoadModelRequest as _aurum_ml_v1_LoadModelRequest, LoadModelRequest__Output as _aurum_ml_v1_LoadModelRequest__Output } from '../../../aurum/ml/v1/LoadModelRequest';
import type { ModelVersion as _aurum_ml_v1_ModelVersion, ModelVersion__Output as _aurum_ml_v1_ModelVersion__Output } from '../../../aurum/ml/v1/ModelVersion';
import type { SetDefaultModelRequest as _aurum_ml_v1_SetDefaultModelRequest, SetDefaultModelRequest__Output as _aurum_ml_v1_SetDefaultModelRequest__Output } from '../../../aurum/ml/v1/SetDefaultModelRequest';
import type { SetTrafficSplitRequest as _aurum_ml_v1_SetTrafficSplitRequest, SetTrafficSplitRequest__Output as _aurum_ml_v1_SetTrafficSplitRequest__Output } from '../../../aurum/ml/v1/SetTrafficSplitRequest';
import type { StartGalleryMigrationRequest as _aurum_ml_v1_StartGalleryMigrationRequest, StartGalleryMigrationRequest__Output as _aurum_ml_v1_StartGalleryMigrationRequest__Output } from '../../../aurum/ml/v1/StartGalleryMigrationRequest';
import type { TrafficSplit as _aurum_ml_v1_TrafficSplit, TrafficSplit__Output as _aurum_ml_v1_TrafficSplit__Output } from '../../../aurum/ml/v1/TrafficSplit';
import type { UnloadModelRequest as _aurum_ml_v1_UnloadModelRequest, UnloadModelRequest__Output as _aurum_ml_v1_UnloadModelRequest__Output } from '../../../aurum/ml/v1/UnloadModelRequest';

export interface ModelManagementClient extends grpc.Client {
  CancelGalleryMigration(argument: _aurum_ml_v1_CancelGalleryMigrationRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_aurum_ml_v1_GalleryMigration__Output>): grpc.ClientUnaryCall;
  CancelGalleryMigration(argument: _aurum_ml_v1_CancelGalleryMigrationRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_aurum_ml_v1_GalleryMigration__Output>): grpc.ClientUnaryCall;
  CancelGalleryMigration(argument: _aurum_ml_v1_CancelGalleryMigrationRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_aurum_ml_v1_GalleryMigration__Output>): grpc.ClientUnaryCall;
  CancelGalleryMigration(argument: _aurum_ml_v1_CancelGalleryMigrationRequest, callback: grpc.requestCallback<_aurum_ml_v1_GalleryMigration__Output>): grpc.ClientUnaryCall;
  cancelGalleryMigration(argument: _aurum_ml_v1_CancelGalleryMigrationRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_aurum_ml_v1_GalleryMigration__Output>): grpc.ClientUnaryCall;
  cancelGalleryMigration(argument: _aurum_ml_v1_CancelGalleryMigrationRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_aurum_ml_v1_GalleryMigration__Output>): grpc.ClientUnaryCall;
  cancelGalleryMigration(argument: _aurum_ml_v1_CancelGalleryMigrationRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_aurum_ml_v1_GalleryMigration__Output>): grpc.ClientUnaryCall;
  cancelGalleryMigration(argument: _aurum_ml_v1_CancelGalleryMigrationRequest, callback: grpc.requestCallback<_aurum_ml_v1_GalleryMigration__Output>): grpc.ClientUnaryCall;
  
  GetGalleryMigration(argument: _aurum_ml_v1_GetGalleryMigrationRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_aurum_ml_v1_GalleryMigration__Output>): grpc.ClientUnaryCall;
  GetGalleryMigration(argument: _aurum_ml_v1_GetGalleryMigrationRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_aurum_ml_v1_GalleryMigration__Output>): grpc.ClientUnaryCall;
  GetGalleryMigration(argument: _aurum_ml_v1_GetGalleryMigrationRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_aurum_ml_v1_GalleryMigration__Output>): grpc.ClientUnaryCall;
  GetGalleryMigration(argument: _aurum_ml_v1_GetGalleryMigrationRequest, callback: grpc.requestCallback<_aurum_ml_v1_GalleryMigration__Output>): grpc.ClientUnaryCall;
  getGalleryMigration(argument: _aurum_ml_v1_GetGalleryMigrationRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_aurum_ml_v1_GalleryMigration__Output>): grpc.ClientUnaryCall;
  getGalleryMigration(argument: _aurum_ml_v1_GetGalleryMigrationRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_aurum_ml_v1_GalleryMigration__Output>): grpc.ClientUnaryCall;
  getGalleryMigration(argument: _aurum_ml_v1_GetGalleryMigrationRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_aurum_ml_v1_GalleryMigration__Output>): grpc.ClientUnaryCall;
  getGalleryMigration(argument: _aurum_ml_v1_GetGalleryMigrationRequest, callback: grpc.requestCallback<_aurum_ml_v1_GalleryMigration__Output>): grpc.ClientUnaryCall;
  
  ListGalleryMigrations(argument: _aurum_ml_v1_ListGalleryMigrationsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_aurum_ml_v1_ListGalleryMigrationsResponse__Output>): grpc.ClientUnaryCall;
  ListGalleryMigrations(argument: _aurum_ml_v1_ListGalleryMigrationsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_aurum_ml_v1_ListGalleryMigrationsResponse__Output>): grpc.ClientUnaryCall;
  ListGalleryMigrations(argument: _aurum_ml_v1_ListGalleryMigrationsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_aurum_ml_v1_ListGalleryMigrationsResponse__Output>): grpc.ClientUnaryCall;
  ListGalleryMigrations(argument: _aurum_ml_v1_ListGalleryMigrationsRequest, callback: grpc.requestCallback<_aurum_ml_v1_ListGalleryMigrationsResponse__Output>): grpc.ClientUnaryCall;
  listGalleryMigrations(argument: _aurum_ml_v1_ListGalleryMigrationsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_aurum_ml_v1_ListGalleryMigrationsResponse__Output>): grpc.ClientUnaryCall;
  listGalleryMigrations(argument: _aurum_ml_v1_ListGalleryMigrationsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_aurum_ml_v1_ListGalleryMigrationsResponse__Output>): grpc.ClientUnaryCall;
  listGalleryMigrations(argument: _aurum_ml_v1_ListGalleryMigrationsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_aurum_ml_v1_ListGalleryMigrationsResponse__Output>): grpc.ClientUnaryCall;
  listGalleryMigrations(argument: _aurum_ml_v1_ListGalleryMigrationsRequest, callback: grpc.requestCallback<_aurum_ml_v1_ListGalleryMigrationsResponse__Output>): grpc.ClientUnaryCall;
  
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
  
  StartGalleryMigration(argument: _aurum_ml_v1_StartGalleryMigrationRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_aurum_ml_v1_GalleryMigration__Output>): grpc.ClientUnaryCall;
  StartGalleryMigration(argument: _aurum_ml_v1_StartGalleryMigrationRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_aurum_ml_v1_GalleryMigration__Output>): grpc.ClientUnaryCall;
  StartGalleryMigration(argument: _aurum_ml_v1_StartGalleryMigrationRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_aurum_ml_v1_GalleryMigration__Output>): grpc.ClientUnaryCall;
  StartGalleryMigration(argument: _aurum_ml_v1_StartGalleryMigrationRequest, callback: grpc.requestCallback<_aurum_ml_v1_GalleryMigration__Output>): grpc.ClientUnaryCall;
  startGalleryMigration(argument: _aurum_ml_v1_StartGalleryMigrationRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_aurum_ml_v1_GalleryMigration__Output>): grpc.ClientUnaryCall;
  startGalleryMigration(argument: _aurum_ml_v1_StartGalleryMigrationRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_aurum_ml_v1_GalleryMigration__Output>): grpc.ClientUnaryCall;
  startGalleryMigration(argument: _aurum_ml_v1_StartGalleryMigrationRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_aurum_ml_v1_GalleryMigration__Output>): grpc.ClientUnaryCall;
  startGalleryMigration(argument: _aurum_ml_v1_StartGalleryMigrationRequest, callback: grpc.requestCallback<_aurum_ml_v1_GalleryMigration__Output>): grpc.ClientUnaryCall;
  
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
  CancelGalleryMigration: grpc.handleUnaryCall<_aurum_ml_v1_CancelGalleryMigrationRequest__Output, _aurum_ml_v1_GalleryMigration>;
  
  GetGalleryMigration: grpc.handleUnaryCall<_aurum_ml_v1_GetGalleryMigrationRequest__Output, _aurum_ml_v1_GalleryMigration>;
  
  ListGalleryMigrations: grpc.handleUnaryCall<_aurum_ml_v1_ListGalleryMigrationsRequest__Output, _aurum_ml_v1_ListGalleryMigrationsResponse>;
  
  ListModels: grpc.handleUnaryCall<_aurum_ml_v1_ListModelsRequest__Output, _aurum_ml_v1_ListModelsResponse>;
  
  LoadModel: grpc.handleUnaryCall<_aurum_ml_v1_LoadModelRequest__Output, _aurum_ml_v1_ModelVersion>;
  
  SetDefaultModel: grpc.handleUnaryCall<_aurum_ml_v1_SetDefaultModelRequest__Output, _aurum_ml_v1_ModelVersion>;
  
  SetTrafficSplit: grpc.handleUnaryCall<_aurum_ml_v1_SetTrafficSplitRequest__Output, _aurum_ml_v1_TrafficSplit>;
  
  StartGalleryMigration: grpc.handleUnaryCall<_aurum_ml_v1_StartGalleryMigrationRequest__Output, _aurum_ml_v1_GalleryMigration>;
  
  UnloadModel: grpc.handleUnaryCall<_aurum_ml_v1_UnloadModelRequest__Output, _aurum_ml_v1_ModelVersion>;
  
}

export interface ModelManagementDefinition extends grpc.ServiceDefinition {
  CancelGalleryMigration: MethodDefinition<_aurum_ml_v1_CancelGalleryMigrationRequest, _aurum_ml_v1_GalleryMigration, _aurum_ml_v1_CancelGalleryMigrationRequest__Output, _aurum_ml_v1_GalleryMigration__Output>
  GetGalleryMigration: MethodDefinition<_aurum_ml_v1_GetGalleryMigrationRequest, _aurum_ml_v1_GalleryMigration, _aurum_ml_v1_GetGalleryMigrationRequest__Output, _aurum_ml_v1_GalleryMigration__Output>
  ListGalleryMigrations: MethodDefinition<_aurum_ml_v1_ListGalleryMigrationsRequest, _aurum_ml_v1_ListGalleryMigrationsResponse, _aurum_ml_v1_ListGalleryMigrationsRequest__Output, _aurum_ml_v1_ListGalleryMigrationsResponse__Output>
  ListModels: MethodDefinition<_aurum_ml_v1_ListModelsRequest, _aurum_ml_v1_ListModelsResponse, _aurum_ml_v1_ListModelsRequest__Output, _aurum_ml_v1_ListModelsResponse__Output>
  LoadModel: MethodDefinition<_aurum_ml_v1_LoadModelRequest, _aurum_ml_v1_ModelVersion, _aurum_ml_v1_LoadModelRequest__Output, _aurum_ml_v1_ModelVersion__Output>
  SetDefaultModel: MethodDefinition<_aurum_ml_v1_SetDefaultModelRequest, _aurum_ml_v1_ModelVersion, _aurum_ml_v1_SetDefaultModelRequest__Output, _aurum_ml_v1_ModelVersion__Output>
  SetTrafficSplit: MethodDefinition<_aurum_ml_v1_SetTrafficSplitRequest, _aurum_ml_v1_TrafficSplit, _aurum_ml_v1_SetTrafficSplitRequest__Output, _aurum_ml_v1_TrafficSplit__Output>
  StartGalleryMigration: MethodDefinition<_aurum_ml_v1_StartGalleryMigrationRequest, _aurum_ml_v1_GalleryMigration, _aurum_ml_v1_StartGalleryMigrationRequest__Output, _aurum_ml_v1_GalleryMigration__Output>
  UnloadModel: MethodDefinition<_aurum_ml_v1_UnloadModelRequest, _aurum_ml_v1_ModelVersion, _aurum_ml_v1_UnloadModelRequest__Output, _aurum_ml_v1_ModelVersion__Output>
}
