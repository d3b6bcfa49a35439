export interface DeleteGalleryResponse {
    'deleted'?: (boolean);
}
export interface DeleteGalleryResponse__Output {
    'deleted': (boolean);
}
