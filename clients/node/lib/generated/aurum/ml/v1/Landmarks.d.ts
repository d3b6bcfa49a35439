import type { Point as _aurum_ml_v1_Point, Point__Output as _aurum_ml_v1_Point__Output } from '../../../aurum/ml/v1/Point';
export interface Landmarks {
    'left_eye'?: (_aurum_ml_v1_Point | null);
    'right_eye'?: (_aurum_ml_v1_Point | null);
    'nose'?: (_aurum_ml_v1_Point | null);
    'left_mouth'?: (_aurum_ml_v1_Point | null);
    'right_mouth'?: (_aurum_ml_v1_Point | null);
}
export interface Landmarks__Output {
    'left_eye': (_aurum_ml_v1_Point__Output | null);
    'right_eye': (_aurum_ml_v1_Point__Output | null);
    'nose': (_aurum_ml_v1_Point__Output | null);
    'left_mouth': (_aurum_ml_v1_Point__Output | null);
    'right_mouth': (_aurum_ml_v1_Point__Output | null);
}
