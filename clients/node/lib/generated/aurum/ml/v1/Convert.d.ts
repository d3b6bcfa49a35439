import type { ImageFormat as _aurum_ml_v1_ImageFormat, ImageFormat__Output as _aurum_ml_v1_ImageFormat__Output } from '../../../aurum/ml/v1/ImageFormat';
export interface Convert {
    'format'?: (_aurum_ml_v1_ImageFormat);
}
export interface Convert__Output {
    'format': (_aurum_ml_v1_ImageFormat__Output);
}
