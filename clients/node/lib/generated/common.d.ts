import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';
import type { BoundingBox as _aurum_ml_v1_BoundingBox, BoundingBox__Output as _aurum_ml_v1_BoundingBox__Output } from './aurum/ml/v1/BoundingBox';
import type { Face as _aurum_ml_v1_Face, Face__Output as _aurum_ml_v1_Face__Output } from './aurum/ml/v1/Face';
import type { Image as _aurum_ml_v1_Image, Image__Output as _aurum_ml_v1_Image__Output } from './aurum/ml/v1/Image';
import type { ItemError as _aurum_ml_v1_ItemError, ItemError__Output as _aurum_ml_v1_ItemError__Output } from './aurum/ml/v1/ItemError';
import type { Landmarks as _aurum_ml_v1_Landmarks, Landmarks__Output as _aurum_ml_v1_Landmarks__Output } from './aurum/ml/v1/Landmarks';
import type { ModelInfo as _aurum_ml_v1_ModelInfo, ModelInfo__Output as _aurum_ml_v1_ModelInfo__Output } from './aurum/ml/v1/ModelInfo';
import type { ModelSelector as _aurum_ml_v1_ModelSelector, ModelSelector__Output as _aurum_ml_v1_ModelSelector__Output } from './aurum/ml/v1/ModelSelector';
import type { Point as _aurum_ml_v1_Point, Point__Output as _aurum_ml_v1_Point__Output } from './aurum/ml/v1/Point';
import type { QualityReport as _aurum_ml_v1_QualityReport, QualityReport__Output as _aurum_ml_v1_QualityReport__Output } from './aurum/ml/v1/QualityReport';
export interface ProtoGrpcType {
    aurum: {
        ml: {
            v1: {
                BoundingBox: MessageTypeDefinition<_aurum_ml_v1_BoundingBox, _aurum_ml_v1_BoundingBox__Output>;
                Detector: EnumTypeDefinition;
                Face: MessageTypeDefinition<_aurum_ml_v1_Face, _aurum_ml_v1_Face__Output>;
                Image: MessageTypeDefinition<_aurum_ml_v1_Image, _aurum_ml_v1_Image__Output>;
                ItemError: MessageTypeDefinition<_aurum_ml_v1_ItemError, _aurum_ml_v1_ItemError__Output>;
                Landmarks: MessageTypeDefinition<_aurum_ml_v1_Landmarks, _aurum_ml_v1_Landmarks__Output>;
                ModelInfo: MessageTypeDefinition<_aurum_ml_v1_ModelInfo, _aurum_ml_v1_ModelInfo__Output>;
                ModelSelector: MessageTypeDefinition<_aurum_ml_v1_ModelSelector, _aurum_ml_v1_ModelSelector__Output>;
                Point: MessageTypeDefinition<_aurum_ml_v1_Point, _aurum_ml_v1_Point__Output>;
                QualityReport: MessageTypeDefinition<_aurum_ml_v1_QualityReport, _aurum_ml_v1_QualityReport__Output>;
            };
        };
    };
}
