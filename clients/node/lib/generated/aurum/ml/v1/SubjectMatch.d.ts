export interface SubjectMatch {
    'subject_id'?: (string);
    'score'?: (number | string);
    'face_id'?: (string);
    'is_match'?: (boolean);
}
export interface SubjectMatch__Output {
    'subject_id': (string);
    'score': (number);
    'face_id': (string);
    'is_match': (boolean);
}
