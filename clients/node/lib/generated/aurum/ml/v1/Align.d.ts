import type { Landmarks as _aurum_ml_v1_Landmarks, Landmarks__Output as _aurum_ml_v1_Landmarks__Output } from '../../../aurum/ml/v1/Landmarks';
export interface Align {
    'landmarks'?: (_aurum_ml_v1_Landmarks | null);
    'size'?: (number);
}
export interface Align__Output {
    'landmarks': (_aurum_ml_v1_Landmarks__Output | null);
    'size': (number);
}
