export interface DeleteFaceRequest {
    'gallery'?: (string);
    'face_id'?: (string);
}
export interface DeleteFaceRequest__Output {
    'gallery': (string);
    'face_id': (string);
}
