// Original file: protos/aurum/ml/v1/embedding.proto

import type { EmbedBatchItem as _aurum_ml_v1_EmbedBatchItem, EmbedBatchItem__Output as _aurum_ml_v1_EmbedBatchItem__Output } from '../../../aurum/ml/v1/EmbedBatchItem';

export interface EmbedBatchResponse {
  'results'?: (_aurum_ml_v1_EmbedBatchItem)[];
}

export interface EmbedBatchResponse__Output {
  'results': (_aurum_ml_v1_EmbedBatchItem__Output)[];
}
