import type { Face as _aurum_ml_v1_Face, Face__Output as _aurum_ml_v1_Face__Output } from '../../../aurum/ml/v1/Face';
import type { ModelInfo as _aurum_ml_v1_ModelInfo, ModelInfo__Output as _aurum_ml_v1_ModelInfo__Output } from '../../../aurum/ml/v1/ModelInfo';
import type { QualityReport as _aurum_ml_v1_QualityReport, QualityReport__Output as _aurum_ml_v1_QualityReport__Output } from '../../../aurum/ml/v1/QualityReport';
export interface EmbedResponse {
    'embedding'?: (number | string)[];
    'quality'?: (number | string);
    'confidence'?: (number | string);
    'face'?: (_aurum_ml_v1_Face | null);
    'model'?: (_aurum_ml_v1_ModelInfo | null);
    'quality_report'?: (_aurum_ml_v1_QualityReport | null);
}
export interface EmbedResponse__Output {
    'embedding': (number)[];
    'quality': (number);
    'confidence': (number);
    'face': (_aurum_ml_v1_Face__Output | null);
    'model': (_aurum_ml_v1_ModelInfo__Output | null);
    'quality_report': (_aurum_ml_v1_QualityReport__Output | null);
}
