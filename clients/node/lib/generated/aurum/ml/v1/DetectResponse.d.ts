import type { Face as _aurum_ml_v1_Face, Face__Output as _aurum_ml_v1_Face__Output } from '../../../aurum/ml/v1/Face';
import type { ModelInfo as _aurum_ml_v1_ModelInfo, ModelInfo__Output as _aurum_ml_v1_ModelInfo__Output } from '../../../aurum/ml/v1/ModelInfo';
export interface DetectResponse {
    'faces'?: (_aurum_ml_v1_Face)[];
    'image_width'?: (number);
    'image_height'?: (number);
    'model'?: (_aurum_ml_v1_ModelInfo | null);
}
export interface DetectResponse__Output {
    'faces': (_aurum_ml_v1_Face__Output)[];
    'image_width': (number);
    'image_height': (number);
    'model': (_aurum_ml_v1_ModelInfo__Output | null);
}
