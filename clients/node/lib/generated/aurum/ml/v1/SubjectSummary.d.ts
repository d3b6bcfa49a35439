export interface SubjectSummary {
    'subject_id'?: (string);
    'face_count'?: (number);
}
export interface SubjectSummary__Output {
    'subject_id': (string);
    'face_count': (number);
}
