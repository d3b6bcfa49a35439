import type { Face as _aurum_ml_v1_Face, Face__Output as _aurum_ml_v1_Face__Output } from '../../../aurum/ml/v1/Face';
import type { QualityReport as _aurum_ml_v1_QualityReport, QualityReport__Output as _aurum_ml_v1_QualityReport__Output } from '../../../aurum/ml/v1/QualityReport';
import type { SubjectMatch as _aurum_ml_v1_SubjectMatch, SubjectMatch__Output as _aurum_ml_v1_SubjectMatch__Output } from '../../../aurum/ml/v1/SubjectMatch';
export interface FaceIdentity {
    'face'?: (_aurum_ml_v1_Face | null);
    'quality'?: (_aurum_ml_v1_QualityReport | null);
    'matches'?: (_aurum_ml_v1_SubjectMatch)[];
}
export interface FaceIdentity__Output {
    'face': (_aurum_ml_v1_Face__Output | null);
    'quality': (_aurum_ml_v1_QualityReport__Output | null);
    'matches': (_aurum_ml_v1_SubjectMatch__Output)[];
}
