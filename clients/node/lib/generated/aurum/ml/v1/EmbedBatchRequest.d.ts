import type { EmbedRequest as _aurum_ml_v1_EmbedRequest, EmbedRequest__Output as _aurum_ml_v1_EmbedRequest__Output } from '../../../aurum/ml/v1/EmbedRequest';
import type { ModelSelector as _aurum_ml_v1_ModelSelector, ModelSelector__Output as _aurum_ml_v1_ModelSelector__Output } from '../../../aurum/ml/v1/ModelSelector';
export interface EmbedBatchRequest {
    'requests'?: (_aurum_ml_v1_EmbedRequest)[];
    'model'?: (_aurum_ml_v1_ModelSelector | null);
}
export interface EmbedBatchRequest__Output {
    'requests': (_aurum_ml_v1_EmbedRequest__Output)[];
    'model': (_aurum_ml_v1_ModelSelector__Output | null);
}
