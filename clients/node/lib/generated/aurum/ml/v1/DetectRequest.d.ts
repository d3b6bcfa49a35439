import type { Image as _aurum_ml_v1_Image, Image__Output as _aurum_ml_v1_Image__Output } from '../../../aurum/ml/v1/Image';
import type { Detector as _aurum_ml_v1_Detector, Detector__Output as _aurum_ml_v1_Detector__Output } from '../../../aurum/ml/v1/Detector';
import type { ModelSelector as _aurum_ml_v1_ModelSelector, ModelSelector__Output as _aurum_ml_v1_ModelSelector__Output } from '../../../aurum/ml/v1/ModelSelector';
export interface DetectRequest {
    'image'?: (_aurum_ml_v1_Image | null);
    'min_confidence'?: (number | string);
    'max_faces'?: (number);
    'detector'?: (_aurum_ml_v1_Detector);
    'landmarks_106'?: (boolean);
    'model'?: (_aurum_ml_v1_ModelSelector | null);
}
export interface DetectRequest__Output {
    'image': (_aurum_ml_v1_Image__Output | null);
    'min_confidence': (number);
    'max_faces': (number);
    'detector': (_aurum_ml_v1_Detector__Output);
    'landmarks_106': (boolean);
    'model': (_aurum_ml_v1_ModelSelector__Output | null);
}
