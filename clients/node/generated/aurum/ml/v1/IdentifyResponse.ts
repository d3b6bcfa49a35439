// Original file: protos/aurum/ml/v1/face_store.proto

import type { SubjectMatch as _aurum_ml_v1_SubjectMatch, SubjectMatch__Output as _aurum_ml_v1_SubjectMatch__Output } from '../../../aurum/ml/v1/SubjectMatch';
import type { ModelInfo as _aurum_ml_v1_ModelInfo, ModelInfo__Output as _aurum_ml_v1_ModelInfo__Output } from '../../../aurum/ml/v1/ModelInfo';
import type { Face as _aurum_ml_v1_Face, Face__Output as _aurum_ml_v1_Face__Output } from '../../../aurum/ml/v1/Face';
import type { QualityReport as _aurum_ml_v1_QualityReport, QualityReport__Output as _aurum_ml_v1_QualityReport__Output } from '../../../aurum/ml/v1/QualityReport';
import type { FaceIdentity as _aurum_ml_v1_FaceIdentity, FaceIdentity__Output as _aurum_ml_v1_FaceIdentity__Output } from '../../../aurum/ml/v1/FaceIdentity';

export interface IdentifyResponse {
  'matches'?: (_aurum_ml_v1_SubjectMatch)[];
  'threshold'?: (number | string);
  'model'?: (_aurum_ml_v1_ModelInfo | null);
  'face'?: (_aurum_ml_v1_Face | null);
  'quality'?: (_aurum_ml_v1_QualityReport | null);
  'faces'?: (_aurum_ml_v1_FaceIdentity)[];
}

export interface IdentifyResponse__Output {
  'matches': (_aurum_ml_v1_SubjectMatch__Output)[];
  'threshold': (number);
  'model': (_aurum_ml_v1_ModelInfo__Output | null);
  'face': (_aurum_ml_v1_Face__Output | null);
  'quality': (_aurum_ml_v1_QualityReport__Output | null);
  'faces': (_aurum_ml_v1_FaceIdentity__Output)[];
}
