export interface DeleteFaceResponse {
    'deleted'?: (boolean);
}
export interface DeleteFaceResponse__Output {
    'deleted': (boolean);
}
