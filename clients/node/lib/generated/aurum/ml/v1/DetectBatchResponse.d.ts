import type { DetectBatchItem as _aurum_ml_v1_DetectBatchItem, DetectBatchItem__Output as _aurum_ml_v1_DetectBatchItem__Output } from '../../../aurum/ml/v1/DetectBatchItem';
export interface DetectBatchResponse {
    'results'?: (_aurum_ml_v1_DetectBatchItem)[];
}
export interface DetectBatchResponse__Output {
    'results': (_aurum_ml_v1_DetectBatchItem__Output)[];
}
