export interface DeleteGalleryRequest {
    'name'?: (string);
}
export interface DeleteGalleryRequest__Output {
    'name': (string);
}
