import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';
import type { Align as _aurum_ml_v1_Align, Align__Output as _aurum_ml_v1_Align__Output } from './aurum/ml/v1/Align';
import type { AssessQuality as _aurum_ml_v1_AssessQuality, AssessQuality__Output as _aurum_ml_v1_AssessQuality__Output } from './aurum/ml/v1/AssessQuality';
import type { BoundingBox as _aurum_ml_v1_BoundingBox, BoundingBox__Output as _aurum_ml_v1_BoundingBox__Output } from './aurum/ml/v1/BoundingBox';
import type { Convert as _aurum_ml_v1_Convert, Convert__Output as _aurum_ml_v1_Convert__Output } from './aurum/ml/v1/Convert';
import type { Face as _aurum_ml_v1_Face, Face__Output as _aurum_ml_v1_Face__Output } from './aurum/ml/v1/Face';
import type { Image as _aurum_ml_v1_Image, Image__Output as _aurum_ml_v1_Image__Output } from './aurum/ml/v1/Image';
import type { ImageProcessingClient as _aurum_ml_v1_ImageProcessingClient, ImageProcessingDefinition as _aurum_ml_v1_ImageProcessingDefinition } from './aurum/ml/v1/ImageProcessing';
import type { ItemError as _aurum_ml_v1_ItemError, ItemError__Output as _aurum_ml_v1_ItemError__Output } from './aurum/ml/v1/ItemError';
import type { Landmarks as _aurum_ml_v1_Landmarks, Landmarks__Output as _aurum_ml_v1_Landmarks__Output } from './aurum/ml/v1/Landmarks';
import type { ModelInfo as _aurum_ml_v1_ModelInfo, ModelInfo__Output as _aurum_ml_v1_ModelInfo__Output } from './aurum/ml/v1/ModelInfo';
import type { ModelSelector as _aurum_ml_v1_ModelSelector, ModelSelector__Output as _aurum_ml_v1_ModelSelector__Output } from './aurum/ml/v1/ModelSelector';
import type { Normalize as _aurum_ml_v1_Normalize, Normalize__Output as _aurum_ml_v1_Normalize__Output } from './aurum/ml/v1/Normalize';
import type { Operation as _aurum_ml_v1_Operation, Operation__Output as _aurum_ml_v1_Operation__Output } from './aurum/ml/v1/Operation';
import type { Point as _aurum_ml_v1_Point, Point__Output as _aurum_ml_v1_Point__Output } from './aurum/ml/v1/Point';
import type { ProcessRequest as _aurum_ml_v1_ProcessRequest, ProcessRequest__Output as _aurum_ml_v1_ProcessRequest__Output } from './aurum/ml/v1/ProcessRequest';
import type { ProcessResponse as _aurum_ml_v1_ProcessResponse, ProcessResponse__Output as _aurum_ml_v1_ProcessResponse__Output } from './aurum/ml/v1/ProcessResponse';
import type { QualityReport as _aurum_ml_v1_QualityReport, QualityReport__Output as _aurum_ml_v1_QualityReport__Output } from './aurum/ml/v1/QualityReport';
import type { Resize as _aurum_ml_v1_Resize, Resize__Output as _aurum_ml_v1_Resize__Output } from './aurum/ml/v1/Resize';
type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
    new (...args: ConstructorParameters<Constructor>): Subtype;
};
export interface ProtoGrpcType {
    aurum: {
        ml: {
            v1: {
                Align: MessageTypeDefinition<_aurum_ml_v1_Align, _aurum_ml_v1_Align__Output>;
                AssessQuality: MessageTypeDefinition<_aurum_ml_v1_AssessQuality, _aurum_ml_v1_AssessQuality__Output>;
                BoundingBox: MessageTypeDefinition<_aurum_ml_v1_BoundingBox, _aurum_ml_v1_BoundingBox__Output>;
                Convert: MessageTypeDefinition<_aurum_ml_v1_Convert, _aurum_ml_v1_Convert__Output>;
                Detector: EnumTypeDefinition;
                Face: MessageTypeDefinition<_aurum_ml_v1_Face, _aurum_ml_v1_Face__Output>;
                Image: MessageTypeDefinition<_aurum_ml_v1_Image, _aurum_ml_v1_Image__Output>;
                ImageFormat: EnumTypeDefinition;
                ImageProcessing: SubtypeConstructor<typeof grpc.Client, _aurum_ml_v1_ImageProcessingClient> & {
                    service: _aurum_ml_v1_ImageProcessingDefinition;
                };
                ItemError: MessageTypeDefinition<_aurum_ml_v1_ItemError, _aurum_ml_v1_ItemError__Output>;
                Landmarks: MessageTypeDefinition<_aurum_ml_v1_Landmarks, _aurum_ml_v1_Landmarks__Output>;
                ModelInfo: MessageTypeDefinition<_aurum_ml_v1_ModelInfo, _aurum_ml_v1_ModelInfo__Output>;
                ModelSelector: MessageTypeDefinition<_aurum_ml_v1_ModelSelector, _aurum_ml_v1_ModelSelector__Output>;
                Normalize: MessageTypeDefinition<_aurum_ml_v1_Normalize, _aurum_ml_v1_Normalize__Output>;
                NormalizeMode: EnumTypeDefinition;
                Operation: MessageTypeDefinition<_aurum_ml_v1_Operation, _aurum_ml_v1_Operation__Output>;
                Point: MessageTypeDefinition<_aurum_ml_v1_Point, _aurum_ml_v1_Point__Output>;
                ProcessRequest: MessageTypeDefinition<_aurum_ml_v1_ProcessRequest, _aurum_ml_v1_ProcessRequest__Output>;
                ProcessResponse: MessageTypeDefinition<_aurum_ml_v1_ProcessResponse, _aurum_ml_v1_ProcessResponse__Output>;
                QualityReport: MessageTypeDefinition<_aurum_ml_v1_QualityReport, _aurum_ml_v1_QualityReport__Output>;
                Resize: MessageTypeDefinition<_aurum_ml_v1_Resize, _aurum_ml_v1_Resize__Output>;
            };
        };
    };
}
export {};
