import type { Landmarks as _aurum_ml_v1_Landmarks, Landmarks__Output as _aurum_ml_v1_Landmarks__Output } from '../../../aurum/ml/v1/Landmarks';
export interface AssessQuality {
    'landmarks'?: (_aurum_ml_v1_Landmarks | null);
}
export interface AssessQuality__Output {
    'landmarks': (_aurum_ml_v1_Landmarks__Output | null);
}
