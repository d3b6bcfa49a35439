import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { CancelGalleryMigrationRequest as _aurum_ml_v1_CancelGalleryMigrationRequest, CancelGalleryMigrationRequest__Output as _aurum_ml_v1_CancelGalleryMigrationRequest__Output } from './aurum/ml/v1/CancelGalleryMigrationRequest';
import type { GalleryMigration as _aurum_ml_v1_GalleryMigration, GalleryMigration__Output as _aurum_ml_v1_GalleryMigration__Output } from './aurum/ml/v1/GalleryMigration';
import type { GetGalleryMigrationRequest as _aurum_ml_v1_GetGalleryMigrationRequest, GetGalleryMigrationRequest__Output as _aurum_ml_v1_GetGalleryMigrationRequest__Output } from './aurum/ml/v1/GetGalleryMigrationRequest';
import type { ListGalleryMigrationsRequest as _aurum_ml_v1_ListGalleryMigrationsRequest, ListGalleryMigrationsRequest__Output as _aurum_ml_v1_ListGalleryMigrationsRequest__Output } from './aurum/ml/v1/ListGalleryMigrationsRequest';
import type { ListGalleryMigrationsResponse as _aurum_ml_v1_ListGalleryMigrationsResponse, ListGalleryMigrationsResponse__Output as _aurum_ml_v1_ListGalleryMigrationsResponse__Output } from './aurum/ml/v1/ListGalleryMigrationsResponse';
import type { ListModelsRequest as _aurum_ml_v1_ListModelsRequest, ListModelsRequest__Output as _aurum_ml_v1_ListModelsRequest__Output } from './aurum/ml/v1/ListModelsRequest';
import type { ListModelsResponse as _aurum_ml_v1_ListModelsResponse, ListModelsResponse__Output as _aurum_ml_v1_ListModelsResponse__Output } from './aurum/ml/v1/ListModelsResponse';
import type { LoadModelRequest as _aurum_ml_v1_LoadModelRequest, LoadModelRequest__Output as _aurum_ml_v1_LoadModelRequest__Output } from './aurum/ml/v1/LoadModelRequest';
import type { ModelManagementClient as _aurum_ml_v1_ModelManagementClient, ModelManagementDefinition as _aurum_ml_v1_ModelManagementDefinition } from './aurum/ml/v1/ModelManagement';
import type { ModelVersion as _aurum_ml_v1_ModelVersion, ModelVersion__Output as _aurum_ml_v1_ModelVersion__Output } from './aurum/ml/v1/ModelVersion';
import type { SetDefaultModelRequest as _aurum_ml_v1_SetDefaultModelRequest, SetDefaultModelRequest__Output as _aurum_ml_v1_SetDefaultModelRequest__Output } from './aurum/ml/v1/SetDefaultModelRequest';
import type { SetTrafficSplitRequest as _aurum_ml_v1_SetTrafficSplitRequest, SetTrafficSplitRequest__Output as _aurum_ml_v1_SetTrafficSplitRequest__Output } from './aurum/ml/v1/SetTrafficSplitRequest';
import type { StartGalleryMigrationRequest as _aurum_ml_v1_StartGalleryMigrationRequest, StartGalleryMigrationRequest__Output as _aurum_ml_v1_StartGalleryMigrationRequest__Output } from './aurum/ml/v1/StartGalleryMigrationRequest';
import type { TrafficSplit as _aurum_ml_v1_TrafficSplit, TrafficSplit__Output as _aurum_ml_v1_TrafficSplit__Output } from './aurum/ml/v1/TrafficSplit';
import type { UnloadModelRequest as _aurum_ml_v1_UnloadModelRequest, UnloadModelRequest__Output as _aurum_ml_v1_UnloadModelRequest__Output } from './aurum/ml/v1/UnloadModelRequest';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  aurum: {
    ml: {
      v1: {
        CancelGalleryMigrationRequest: MessageTypeDefinition<_aurum_ml_v1_CancelGalleryMigrationRequest, _aurum_ml_v1_CancelGalleryMigrationRequest__Output>
        GalleryMigration: MessageTypeDefinition<_aurum_ml_v1_GalleryMigration, _aurum_ml_v1_GalleryMigration__Output>
        GetGalleryMigrationRequest: MessageTypeDefinition<_aurum_ml_v1_GetGalleryMigrationRequest, _aurum_ml_v1_GetGalleryMigrationRequest__Output>
        ListGalleryMigrationsRequest: MessageTypeDefinition<_aurum_ml_v1_ListGalleryMigrationsRequest, _aurum_ml_v1_ListGalleryMigrationsRequest__Output>
        ListGalleryMigrationsResponse: MessageTypeDefinition<_aurum_ml_v1_ListGalleryMigrationsResponse, _aurum_ml_v1_ListGalleryMigrationsResponse__Output>
        ListModelsRequest: MessageTypeDefinition<_aurum_ml_v1_ListModelsRequest, _aurum_ml_v1_ListModelsRequest__Output>
        ListModelsResponse: MessageTypeDefinition<_aurum_ml_v1_ListModelsResponse, _aurum_ml_v1_ListModelsResponse__Output>
        LoadModelRequest: MessageTypeDefinition<_aurum_ml_v1_LoadModelRequest, _aurum_ml_v1_LoadModelRequest__Output>
        ModelManagement: SubtypeConstructor<typeof grpc.Client, _aurum_ml_v1_ModelManagementClient> & { service: _aurum_ml_v1_ModelManagementDefinition }
        ModelVersion: MessageTypeDefinition<_aurum_ml_v1_ModelVersion, _aurum_ml_v1_ModelVersion__Output>
        SetDefaultModelRequest: MessageTypeDefinition<_aurum_ml_v1_SetDefaultModelRequest, _aurum_ml_v1_SetDefaultModelRequest__Output>
        SetTrafficSplitRequest: MessageTypeDefinition<_aurum_ml_v1_SetTrafficSplitRequest, _aurum_ml_v1_SetTrafficSplitRequest__Output>
        StartGalleryMigrationRequest: MessageTypeDefinition<_aurum_ml_v1_StartGalleryMigrationRequest, _aurum_ml_v1_StartGalleryMigrationRequest__Output>
        TrafficSplit: MessageTypeDefinition<_aurum_ml_v1_TrafficSplit, _aurum_ml_v1_TrafficSplit__Output>
        UnloadModelRequest: MessageTypeDefinition<_aurum_ml_v1_UnloadModelRequest, _aurum_ml_v1_UnloadModelRequest__Output>
      }
    }
  }
}

