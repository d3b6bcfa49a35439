import type { Resize as _aurum_ml_v1_Resize, Resize__Output as _aurum_ml_v1_Resize__Output } from '../../../aurum/ml/v1/Resize';
import type { Normalize as _aurum_ml_v1_Normalize, Normalize__Output as _aurum_ml_v1_Normalize__Output } from '../../../aurum/ml/v1/Normalize';
import type { Align as _aurum_ml_v1_Align, Align__Output as _aurum_ml_v1_Align__Output } from '../../../aurum/ml/v1/Align';
import type { AssessQuality as _aurum_ml_v1_AssessQuality, AssessQuality__Output as _aurum_ml_v1_AssessQuality__Output } from '../../../aurum/ml/v1/AssessQuality';
import type { Convert as _aurum_ml_v1_Convert, Convert__Output as _aurum_ml_v1_Convert__Output } from '../../../aurum/ml/v1/Convert';
export interface Operation {
    'resize'?: (_aurum_ml_v1_Resize | null);
    'normalize'?: (_aurum_ml_v1_Normalize | null);
    'align'?: (_aurum_ml_v1_Align | null);
    'quality'?: (_aurum_ml_v1_AssessQuality | null);
    'convert'?: (_aurum_ml_v1_Convert | null);
    'op'?: "resize" | "normalize" | "align" | "quality" | "convert";
}
export interface Operation__Output {
    'resize'?: (_aurum_ml_v1_Resize__Output | null);
    'normalize'?: (_aurum_ml_v1_Normalize__Output | null);
    'align'?: (_aurum_ml_v1_Align__Output | null);
    'quality'?: (_aurum_ml_v1_AssessQuality__Output | null);
    'convert'?: (_aurum_ml_v1_Convert__Output | null);
    'op'?: "resize" | "normalize" | "align" | "quality" | "convert";
}
