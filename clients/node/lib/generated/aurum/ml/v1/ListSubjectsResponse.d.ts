import type { SubjectSummary as _aurum_ml_v1_SubjectSummary, SubjectSummary__Output as _aurum_ml_v1_SubjectSummary__Output } from '../../../aurum/ml/v1/SubjectSummary';
export interface ListSubjectsResponse {
    'subjects'?: (_aurum_ml_v1_SubjectSummary)[];
    'next_page_token'?: (string);
}
export interface ListSubjectsResponse__Output {
    'subjects': (_aurum_ml_v1_SubjectSummary__Output)[];
    'next_page_token': (string);
}
