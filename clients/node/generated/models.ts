import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { ListModelsRequest as _aurum_ml_v1_ListModelsRequest, ListModelsRequest__Output as _aurum_ml_v1_ListModelsRequest__Output } from './aurum/ml/v1/ListModelsRequest';
import type { ListModelsResponse as _aurum_ml_v1_ListModelsResponse, ListModelsResponse__Output as _aurum_ml_v1_ListModelsResponse__Output } from './aurum/ml/v1/ListModelsResponse';
import type { LoadModelRequest as _aurum_ml_v1_LoadModelRequest, LoadModelRequest__Output as _aurum_ml_v1_LoadModelRequest__Output } from './aurum/ml/v1/LoadModelRequest';
import type { ModelManagementClient as _aurum_ml_v1_ModelManagementClient, ModelManagementDefinition as _aurum_ml_v1_ModelManagementDefinition } from './aurum/ml/v1/ModelManagement';
import type { ModelVersion as _aurum_ml_v1_ModelVersion, ModelVersion__Output as _aurum_ml_v1_ModelVersion__Output } from './aurum/ml/v1/ModelVersion';
import type { SetDefaultModelRequest as _aurum_ml_v1_SetDefaultModelRequest, SetDefaultModelRequest__Output as _aurum_ml_v1_SetDefaultModelRequest__Output } from './aurum/ml/v1/SetDefaultModelRequest';
import type { SetTrafficSplitRequest as _aurum_ml_v1_SetTrafficSplitRequest, SetTrafficSplitRequest__Output as _aurum_ml_v1_SetTrafficSplitRequest__Output } from './aurum/ml/v1/SetTrafficSplitRequest';
import type { TrafficSplit as _aurum_ml_v1_TrafficSplit, TrafficSplit__Output as _aurum_ml_v1_TrafficSplit__Output } from './aurum/ml/v1/TrafficSplit';
import type { UnloadModelRequest as _aurum_ml_v1_UnloadModelRequest, UnloadModelRequest__Output as _aurum_ml_v1_UnloadModelRequest__Output } from './aurum/ml/v1/UnloadModelRequest';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  aurum: {
    ml: {
      v1: {
        ListModelsRequest: MessageTypeDefinition<_aurum_ml_v1_ListModelsRequest, _aurum_ml_v1_ListModelsRequest__Output>
        ListModelsResponse: MessageTypeDefinition<_aurum_ml_v1_ListModelsResponse, _aurum_ml_v1_ListModelsResponse__Output>
        LoadModelRequest: MessageTypeDefinition<_aurum_ml_v1_LoadModelRequest, _aurum_ml_v1_LoadModelRequest__Output>
        ModelManagement: SubtypeConstructor<typeof grpc.Client, _aurum_ml_v1_ModelManagementClient> & { service: _aurum_ml_v1_ModelManagementDefinition }
        ModelVersion: MessageTypeDefinition<_aurum_ml_v1_ModelVersion, _aurum_ml_v1_ModelVersion__Output>
        SetDefaultModelRequest: MessageTypeDefinition<_aurum_ml_v1_SetDefaultModelRequest, _aurum_ml_v1_SetDefaultModelRequest__Output>
        SetTrafficSplitRequest: MessageTypeDefinition<_aurum_ml_v1_SetTrafficSplitRequest, _aurum_ml_v1_SetTrafficSplitRequest__Output>
        TrafficSplit: MessageTypeDefinition<_aurum_ml_v1_TrafficSplit, _aurum_ml_v1_TrafficSplit__Output>
        UnloadModelRequest: MessageTypeDefinition<_aurum_ml_v1_UnloadModelRequest, _aurum_ml_v1_UnloadModelRequest__Output>
      }
    }
  }
}

