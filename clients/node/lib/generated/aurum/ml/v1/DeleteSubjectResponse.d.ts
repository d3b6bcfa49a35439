export interface DeleteSubjectResponse {
    'deleted_faces'?: (number);
}
export interface DeleteSubjectResponse__Output {
    'deleted_faces': (number);
}
