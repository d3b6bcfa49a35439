import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { BoundingBox as _aurum_ml_v1_BoundingBox, BoundingBox__Output as _aurum_ml_v1_BoundingBox__Output } from './aurum/ml/v1/BoundingBox';
import type { EmbedBatchItem as _aurum_ml_v1_EmbedBatchItem, EmbedBatchItem__Output as _aurum_ml_v1_EmbedBatchItem__Output } from './aurum/ml/v1/EmbedBatchItem';
import type { EmbedBatchRequest as _aurum_ml_v1_EmbedBatchRequest, EmbedBatchRequest__Output as _aurum_ml_v1_EmbedBatchRequest__Output } from './aurum/ml/v1/EmbedBatchRequest';
import type { EmbedBatchResponse as _aurum_ml_v1_EmbedBatchResponse, EmbedBatchResponse__Output as _aurum_ml_v1_EmbedBatchResponse__Output } from './aurum/ml/v1/EmbedBatchResponse';
import type { EmbedRequest as _aurum_ml_v1_EmbedRequest, EmbedRequest__Output as _aurum_ml_v1_EmbedRequest__Output } from './aurum/ml/v1/EmbedRequest';
import type { EmbedResponse as _aurum_ml_v1_EmbedResponse, EmbedResponse__Output as _aurum_ml_v1_EmbedResponse__Output } from './aurum/ml/v1/EmbedResponse';
import type { Face as _aurum_ml_v1_Face, Face__Output as _aurum_ml_v1_Face__Output } from './aurum/ml/v1/Face';
import type { FaceEmbeddingClient as _aurum_ml_v1_FaceEmbeddingClient, FaceEmbeddingDefinition as _aurum_ml_v1_FaceEmbeddingDefinition } from './aurum/ml/v1/FaceEmbedding';
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
        Detector: EnumTypeDefinition
        EmbedBatchItem: MessageTypeDefinition<_aurum_ml_v1_EmbedBatchItem, _aurum_ml_v1_EmbedBatchItem__Output>
        EmbedBatchRequest: MessageTypeDefinition<_aurum_ml_v1_EmbedBatchRequest, _aurum_ml_v1_EmbedBatchRequest__Output>
        EmbedBatchResponse: MessageTypeDefinition<_aurum_ml_v1_EmbedBatchResponse, _aurum_ml_v1_EmbedBatchResponse__Output>
        EmbedRequest: MessageTypeDefinition<_aurum_ml_v1_EmbedRequest, _aurum_ml_v1_EmbedRequest__Output>
        EmbedResponse: MessageTypeDefinition<_aurum_ml_v1_EmbedResponse, _aurum_ml_v1_EmbedResponse__Output>
        Face: MessageTypeDefinition<_aurum_ml_v1_Face, _aurum_ml_v1_Face__Output>
        FaceEmbedding: SubtypeConstructor<typeof grpc.Client, _aurum_ml_v1_FaceEmbeddingClient> & { service: _aurum_ml_v1_FaceEmbeddingDefinition }
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

