import type { EmbedResponse as _aurum_ml_v1_EmbedResponse, EmbedResponse__Output as _aurum_ml_v1_EmbedResponse__Output } from '../../../aurum/ml/v1/EmbedResponse';
import type { ItemError as _aurum_ml_v1_ItemError, ItemError__Output as _aurum_ml_v1_ItemError__Output } from '../../../aurum/ml/v1/ItemError';
export interface EmbedBatchItem {
    'response'?: (_aurum_ml_v1_EmbedResponse | null);
    'error'?: (_aurum_ml_v1_ItemError | null);
    'result'?: "response" | "error";
}
export interface EmbedBatchItem__Output {
    'response'?: (_aurum_ml_v1_EmbedResponse__Output | null);
    'error'?: (_aurum_ml_v1_ItemError__Output | null);
    'result'?: "response" | "error";
}
