import type { Face as _aurum_ml_v1_Face, Face__Output as _aurum_ml_v1_Face__Output } from '../../../aurum/ml/v1/Face';
import type { QualityReport as _aurum_ml_v1_QualityReport, QualityReport__Output as _aurum_ml_v1_QualityReport__Output } from '../../../aurum/ml/v1/QualityReport';
import type { ModelInfo as _aurum_ml_v1_ModelInfo, ModelInfo__Output as _aurum_ml_v1_ModelInfo__Output } from '../../../aurum/ml/v1/ModelInfo';
export interface EnrollResponse {
    'face_ids'?: (string)[];
    'faces'?: (_aurum_ml_v1_Face)[];
    'quality'?: (_aurum_ml_v1_QualityReport)[];
    'model'?: (_aurum_ml_v1_ModelInfo | null);
}
export interface EnrollResponse__Output {
    'face_ids': (string)[];
    'faces': (_aurum_ml_v1_Face__Output)[];
    'quality': (_aurum_ml_v1_QualityReport__Output)[];
    'model': (_aurum_ml_v1_ModelInfo__Output | null);
}
