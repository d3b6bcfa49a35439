export interface DeleteSubjectRequest {
    'gallery'?: (string);
    'subject_id'?: (string);
}
export interface DeleteSubjectRequest__Output {
    'gallery': (string);
    'subject_id': (string);
}
