import type { Match as _aurum_ml_v1_Match, Match__Output as _aurum_ml_v1_Match__Output } from '../../../aurum/ml/v1/Match';
import type { Metric as _aurum_ml_v1_Metric, Metric__Output as _aurum_ml_v1_Metric__Output } from '../../../aurum/ml/v1/Metric';
export interface CompareManyResponse {
    'scores'?: (number | string)[];
    'matches'?: (_aurum_ml_v1_Match)[];
    'threshold'?: (number | string);
    'metric'?: (_aurum_ml_v1_Metric);
}
export interface CompareManyResponse__Output {
    'scores': (number)[];
    'matches': (_aurum_ml_v1_Match__Output)[];
    'threshold': (number);
    'metric': (_aurum_ml_v1_Metric__Output);
}
