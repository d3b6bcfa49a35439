import type { ModelVersion as _aurum_ml_v1_ModelVersion, ModelVersion__Output as _aurum_ml_v1_ModelVersion__Output } from '../../../aurum/ml/v1/ModelVersion';
export interface ListModelsResponse {
    'models'?: (_aurum_ml_v1_ModelVersion)[];
}
export interface ListModelsResponse__Output {
    'models': (_aurum_ml_v1_ModelVersion__Output)[];
}
