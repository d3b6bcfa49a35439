import type { ModelInfo as _aurum_ml_v1_ModelInfo, ModelInfo__Output as _aurum_ml_v1_ModelInfo__Output } from '../../../aurum/ml/v1/ModelInfo';
import type { Long } from '@grpc/proto-loader';
export interface Gallery {
    'name'?: (string);
    'model'?: (_aurum_ml_v1_ModelInfo | null);
    'dim'?: (number);
    'face_count'?: (number | string | Long);
    'subject_count'?: (number | string | Long);
    'keeps_face_crops'?: (boolean);
}
export interface Gallery__Output {
    'name': (string);
    'model': (_aurum_ml_v1_ModelInfo__Output | null);
    'dim': (number);
    'face_count': (string);
    'subject_count': (string);
    'keeps_face_crops': (boolean);
}
