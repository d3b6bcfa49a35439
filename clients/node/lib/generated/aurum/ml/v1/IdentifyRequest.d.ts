import type { Image as _aurum_ml_v1_Image, Image__Output as _aurum_ml_v1_Image__Output } from '../../../aurum/ml/v1/Image';
import type { Embedding as _aurum_ml_v1_Embedding, Embedding__Output as _aurum_ml_v1_Embedding__Output } from '../../../aurum/ml/v1/Embedding';
import type { Detector as _aurum_ml_v1_Detector, Detector__Output as _aurum_ml_v1_Detector__Output } from '../../../aurum/ml/v1/Detector';
export interface IdentifyRequest {
    'gallery'?: (string);
    'image'?: (_aurum_ml_v1_Image | null);
    'embedding'?: (_aurum_ml_v1_Embedding | null);
    'top_k'?: (number);
    'min_score'?: (number | string);
    'threshold'?: (number | string);
    'aligned'?: (boolean);
    'detector'?: (_aurum_ml_v1_Detector);
    'all_faces'?: (boolean);
    'input'?: "image" | "embedding";
    '_min_score'?: "min_score";
    '_threshold'?: "threshold";
}
export interface IdentifyRequest__Output {
    'gallery': (string);
    'image'?: (_aurum_ml_v1_Image__Output | null);
    'embedding'?: (_aurum_ml_v1_Embedding__Output | null);
    'top_k': (number);
    'min_score'?: (number);
    'threshold'?: (number);
    'aligned': (boolean);
    'detector': (_aurum_ml_v1_Detector__Output);
    'all_faces': (boolean);
    'input'?: "image" | "embedding";
    '_min_score'?: "min_score";
    '_threshold'?: "threshold";
}
