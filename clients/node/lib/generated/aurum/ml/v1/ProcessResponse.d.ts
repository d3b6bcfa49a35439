import type { ImageFormat as _aurum_ml_v1_ImageFormat, ImageFormat__Output as _aurum_ml_v1_ImageFormat__Output } from '../../../aurum/ml/v1/ImageFormat';
import type { QualityReport as _aurum_ml_v1_QualityReport, QualityReport__Output as _aurum_ml_v1_QualityReport__Output } from '../../../aurum/ml/v1/QualityReport';
import type { Face as _aurum_ml_v1_Face, Face__Output as _aurum_ml_v1_Face__Output } from '../../../aurum/ml/v1/Face';
export interface ProcessResponse {
    'image'?: (Buffer | Uint8Array | string);
    'format'?: (_aurum_ml_v1_ImageFormat);
    'width'?: (number);
    'height'?: (number);
    'quality'?: (_aurum_ml_v1_QualityReport | null);
    'faces'?: (_aurum_ml_v1_Face)[];
    'applied'?: (string)[];
}
export interface ProcessResponse__Output {
    'image': (Buffer);
    'format': (_aurum_ml_v1_ImageFormat__Output);
    'width': (number);
    'height': (number);
    'quality': (_aurum_ml_v1_QualityReport__Output | null);
    'faces': (_aurum_ml_v1_Face__Output)[];
    'applied': (string)[];
}
