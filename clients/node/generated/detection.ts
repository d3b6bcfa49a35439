import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { BoundingBox as _aurum_ml_v1_BoundingBox, BoundingBox__Output as _aurum_ml_v1_BoundingBox__Output } from './aurum/ml/v1/BoundingBox';
import type { DetectBatchItem as _aurum_ml_v1_DetectBatchItem, DetectBatchItem__Output as _aurum_ml_v1_DetectBatchItem__Output } from './aurum/ml/v1/DetectBatchItem';
import type { DetectBatchRequest as _aurum_ml_v1_DetectBatchRequest, DetectBatchRequest__Output as _aurum_ml_v1_DetectBatchRequest__Output } from './aurum/ml/v1/DetectBatchRequest';
import type { DetectBatchResponse as _aurum_ml_v1_DetectBatchResponse, DetectBatchResponse__Output as _aurum_ml_v1_DetectBatchResponse__Output } from './aurum/ml/v1/DetectBatchResponse';
import type { DetectRequest as _aurum_ml_v1_DetectRequest, DetectRequest__Output as _aurum_ml_v1_DetectRequest__Output } from './aurum/ml/v1/DetectRequest';
import type { DetectResponse as _aurum_ml_v1_DetectResponse, DetectResponse__Output as _aurum_ml_v1_DetectResponse__Output } from './aurum/ml/v1/DetectResponse';
import type { Face as _aurum_ml_v1_Face, Face__Output as _aurum_ml_v1_Face__Output } from './aurum/ml/v1/Face';
import type { FaceDetectionClient as _aurum_ml_v1_FaceDetectionClient, FaceDetectionDefinition as _aurum_ml_v1_FaceDetectionDefinition } from './aurum/ml/v1/FaceDetection';
import type { Image as _aurum_ml_v1_Image, Image__Output as _aurum_ml_v1_Image__Output } from './aurum/ml/v1/Image';
import type { ItemError as _aurum_ml_v1_ItemError, ItemError__Output as _aurum_ml_v1_ItemError__Output } from './aurum/ml/v1/ItemError';
import type { Landmarks as _aurum_ml_v1_Landmarks, Landmarks__Output as _aurum_ml_v1_Landmarks__Output } from './aurum/ml/v1/Landmarks';
import type { ModelInfo as _aurum_ml_v1_ModelInfo, ModelInfo__Output as _aurum_ml_v1_ModelInfo__Output } from './aurum/ml/v1/ModelInfo';
import type { ModelSelector as _aurum_ml_v1_ModelSelector, ModelSelector__Output as _aurum_ml_v1_ModelSelector__Output } from './aurum/ml/v1/ModelSelector';
import type { Point as _aurum_ml_v1_Point, Point__Output as _aurum_ml_v1_Point__Output } from './aurum/ml/v1/Point';
import type { QualityReport as _aurum_ml_v1_QualityReport, QualityReport__Output as _aurum_ml_v1_QualityReport__Output } from './aurum/ml/v1/QualityReport';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  aurum: {
    ml: {
      v1: {
        BoundingBox: MessageTypeDefinition<_aurum_ml_v1_BoundingBox, _aurum_ml_v1_BoundingBox__Output>
        DetectBatchItem: MessageTypeDefinition<_aurum_ml_v1_DetectBatchItem, _aurum_ml_v1_DetectBatchItem__Output>
        DetectBatchRequest: MessageTypeDefinition<_aurum_ml_v1_DetectBatchRequest, _aurum_ml_v1_DetectBatchRequest__Output>
        DetectBatchResponse: MessageTypeDefinition<_aurum_ml_v1_DetectBatchResponse, _aurum_ml_v1_DetectBatchResponse__Output>
        DetectRequest: MessageTypeDefinition<_aurum_ml_v1_DetectRequest, _aurum_ml_v1_DetectRequest__Output>
        DetectResponse: MessageTypeDefinition<_aurum_ml_v1_DetectResponse, _aurum_ml_v1_DetectResponse__Output>
        Detector: EnumTypeDefinition
        Face: MessageTypeDefinition<_aurum_ml_v1_Face, _aurum_ml_v1_Face__Output>
        FaceDetection: SubtypeConstructor<typeof grpc.Client, _aurum_ml_v1_FaceDetectionClient> & { service: _aurum_ml_v1_FaceDetectionDefinition }
        Image: MessageTypeDefinition<_aurum_ml_v1_Image, _aurum_ml_v1_Image__Output>
        ItemError: MessageTypeDefinition<_aurum_ml_v1_ItemError, _aurum_ml_v1_ItemError__Output>
        Landmarks: MessageTypeDefinition<_aurum_ml_v1_Landmarks, _aurum_ml_v1_Landmarks__Output>
        ModelInfo: MessageTypeDefinition<_aurum_ml_v1_ModelInfo, _aurum_ml_v1_ModelInfo__Output>
        ModelSelector: MessageTypeDefinition<_aurum_ml_v1_ModelSelector, _aurum_ml_v1_ModelSelector__Output>
        Point: MessageTypeDefinition<_aurum_ml_v1_Point, _aurum_ml_v1_Point__Output>
        QualityReport: MessageTypeDefinition<_aurum_ml_v1_QualityReport, _aurum_ml_v1_QualityReport__Output>
      }
    }
  }
}

