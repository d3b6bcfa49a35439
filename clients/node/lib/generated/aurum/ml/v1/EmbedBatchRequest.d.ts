import type { EmbedRequest as _aurum_ml_v1_EmbedRequest, EmbedRequest__Output as _aurum_ml_v1_EmbedRequest__Output } from '../../../aurum/ml/v1/EmbedRequest';
export interface EmbedBatchRequest {
    'requests'?: (_aurum_ml_v1_EmbedRequest)[];
}
export interface EmbedBatchRequest__Output {
    'requests': (_aurum_ml_v1_EmbedRequest__Output)[];
}
